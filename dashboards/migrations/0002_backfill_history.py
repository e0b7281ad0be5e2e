"""History for the registrations made before it was recorded: +1 at
``registered_at``, −1 at ``withdrawn_at`` for the withdrawn (a comeback
before this migration is indistinguishable from an uninterrupted registration),
and the per-day sums built from those changes."""

from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db import migrations

STEPLEN = 4
SHARDS = 4


def backfill(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    Registration = apps.get_model("campaigns", "Registration")
    Unit = apps.get_model("orgs", "Unit")
    Change = apps.get_model("dashboards", "ParticipationChange")
    Day = apps.get_model("dashboards", "ParticipationDay")
    paths = dict(Unit.objects.values_list("pk", "path"))
    ids = {path: pk for pk, path in paths.items()}
    for campaign in Campaign.objects.all():
        zone = ZoneInfo(campaign.time_zone)
        changes = []
        sums = defaultdict(int)
        rows = Registration.objects.filter(campaign=campaign).values_list(
            "pk", "unit_id", "status", "registered_at", "withdrawn_at"
        )
        for pk, unit_id, status, registered_at, withdrawn_at in rows.iterator(chunk_size=5000):
            steps = [(1, registered_at)]
            if status == "withdrawn":
                steps.append((-1, withdrawn_at or registered_at))
            for delta, at in steps:
                changes.append(
                    Change(
                        campaign_id=campaign.pk,
                        registration_id=pk,
                        unit_id=unit_id,
                        delta=delta,
                        at=at,
                    )
                )
                if unit_id is None:
                    continue
                path = paths[unit_id]
                day = at.astimezone(zone).date()
                for end in range(STEPLEN, len(path) + 1, STEPLEN):
                    if path[:end] in ids:
                        sums[(ids[path[:end]], day, pk % SHARDS)] += delta
        Change.objects.bulk_create(changes, batch_size=5000)
        Day.objects.bulk_create(
            (
                Day(campaign_id=campaign.pk, unit_id=unit, day=day, shard=shard, delta=delta)
                for (unit, day, shard), delta in sums.items()
                if delta
            ),
            batch_size=5000,
        )


def forget(apps, schema_editor):
    apps.get_model("dashboards", "ParticipationDay").objects.all().delete()
    apps.get_model("dashboards", "ParticipationChange").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0001_participation_history")]

    operations = [migrations.RunPython(backfill, forget)]
