"""Each person-day's steps and the part of them estimated, as on the line. Days
credited before this migration start at zero: `manage.py rebuild_standings` fills
them in (it counts them as drift and rewrites those days)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0004_count_before_registration_and_teams_lock'),
        ('standings', '0003_coarse_rank_buckets'),
    ]

    operations = [
        migrations.AddField(
            model_name='personday',
            name='steps',
            field=models.PositiveBigIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name='personday',
            name='steps_estimated',
            field=models.PositiveBigIntegerField(db_default=0, default=0),
        ),
        migrations.AddConstraint(
            model_name='personday',
            constraint=models.CheckConstraint(condition=models.Q(('steps_estimated__lte', models.F('steps'))), name='person_day_estimated_in_steps'),
        ),
    ]
