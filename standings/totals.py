"""The rows every upload shares: the totals per scope and the rank buckets,
added to with one upsert each (core/counters.py) on a shard chosen by the
registration, so two uploads only wait for each other when they belong to
people on the same shard.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.counters import upsert
from standings.models import ScoreBucket, Total

# A total row: its key, then the figures added to it.
TOTAL_KEY = ("campaign_id", "scope", "key", "shard")
TOTAL_COLUMNS = (*TOTAL_KEY, "distance_m", "activities", "steps", "participants")
TOTAL_TYPES = ("bigint", "text", "bigint", "integer", "bigint", "bigint", "bigint", "bigint")


def add_to_totals(rows: Iterable[tuple]) -> None:
    """rows: (campaign_id, scope, key, shard, distance, activities, steps, participants).

    Written in sorted order, so that two transactions take the shared rows in the
    same order and never wait for each other in a circle."""
    upsert(
        Total._meta.db_table,
        TOTAL_COLUMNS,
        sorted(row for row in rows if any(row[4:])),
        key=TOTAL_KEY,
        add=TOTAL_COLUMNS[4:],
        types=TOTAL_TYPES,
    )


def add_to_buckets(rows: Iterable[tuple]) -> None:
    """rows: (campaign_id, bucket, shard, delta), written in sorted order."""
    upsert(
        ScoreBucket._meta.db_table,
        ("campaign_id", "bucket", "shard", "count"),
        sorted(row for row in rows if row[3]),
        key=("campaign_id", "bucket", "shard"),
        add=("count",),
        types=("bigint", "integer", "integer", "bigint"),
    )
