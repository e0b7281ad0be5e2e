"""Rank buckets of 10 km beside those of 100 m (negative bucket numbers: -1 for 0-9.9 km,
-2 for 10-19.9 km, ...), summed from the 100 m buckets already kept."""

from django.db import migrations

# A 100 m bucket b lies in the 10 km bucket -1 - b / 100 (integer division).
ADD = """
INSERT INTO standings_scorebucket (campaign_id, bucket, shard, count)
SELECT campaign_id, -1 - bucket / 100, shard, SUM(count)
FROM standings_scorebucket WHERE bucket >= 0
GROUP BY campaign_id, -1 - bucket / 100, shard
"""
REMOVE = "DELETE FROM standings_scorebucket WHERE bucket < 0"


class Migration(migrations.Migration):
    dependencies = [("standings", "0002_derived_rows_lighter")]

    operations = [migrations.RunSQL(ADD, REMOVE)]
