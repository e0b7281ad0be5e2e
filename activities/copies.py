"""Settling which copy of a walk counts, when the same walk arrived from several sources.

`settle` runs whenever a person's activities change (new ones arrive, one is deleted or
withdrawn), inside the transaction that judges them, with the person locked
(`lock_person`): two copies arriving at once are settled one after the other, so one
walk is never credited twice. The rule (activities/sources.py): among the person's
activities that are copies of one walk (`sources.same_walk`), the best source counts,
and within one source the first to arrive; every other copy points at it (`copy_of`)
and is judged "another copy counts" in every campaign.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from django.contrib.auth import get_user_model

from activities.models import Activity
from activities.rules import CountedCopy
from activities.sources import SAME_WALK_START_WITHIN, kind_of, rank, same_walk, why_not_counted

# Activities this far around the changed ones are settled again with them: a copy
# demoted by a new arrival may free one of its own copies.
AROUND = timedelta(hours=12)


class _Row(NamedTuple):
    pk: int
    started_at: datetime
    ended_at: datetime
    kind: str
    received_at: datetime
    copy_of_id: int | None


def lock_person(user_id: int) -> None:
    """Hold the person's row until the transaction ends: everything that settles or
    judges their activities takes it first (then their registrations)."""
    get_user_model().objects.select_for_update().filter(pk=user_id).exists()


def settle(user_id: int, spans: Iterable[tuple[datetime, datetime]]) -> set[int]:
    """Decide again which copies count among the person's activities near `spans`
    (start, end); returns the ids whose `copy_of` changed. Call with the person locked."""
    spans = list(spans)
    if not spans:
        return set()
    low = min(start for start, _end in spans) - AROUND
    high = max(end for _start, end in spans) + AROUND
    rows = [
        _Row(pk, start, end, kind_of(source, file_format), received, copy_of)
        for pk, start, end, source, file_format, received, copy_of in Activity.objects.filter(
            user_id=user_id, started_at__lt=high, ended_at__gt=low
        ).values_list(
            "pk", "started_at", "ended_at", "source", "file_format", "received_at", "copy_of_id"
        )
    ]
    rows.sort(key=lambda row: (rank(row.kind), row.received_at, row.pk))
    # The copies that count, by start, to find those that started near a given one.
    starts: list[tuple[datetime, int]] = []
    counted: dict[int, _Row] = {}
    settled: dict[int, int | None] = {}
    for row in rows:
        lo = bisect.bisect_left(starts, (row.started_at - SAME_WALK_START_WITHIN, -1))
        hi = bisect.bisect_right(starts, (row.started_at + SAME_WALK_START_WITHIN, 1 << 62))
        near = sorted(
            (counted[pk] for _start, pk in starts[lo:hi]),
            key=lambda other: (rank(other.kind), other.received_at, other.pk),
        )
        match = next(
            (
                other
                for other in near
                if same_walk(row.started_at, row.ended_at, other.started_at, other.ended_at)
            ),
            None,
        )
        if match is None:
            counted[row.pk] = row
            bisect.insort(starts, (row.started_at, row.pk))
            settled[row.pk] = None
        else:
            settled[row.pk] = match.pk
    changed: dict[int | None, list[int]] = defaultdict(list)
    for row in rows:
        if settled[row.pk] != row.copy_of_id:
            changed[settled[row.pk]].append(row.pk)
    for copy_of, pks in changed.items():
        Activity.objects.filter(pk__in=pks).update(copy_of=copy_of)
    return {pk for pks in changed.values() for pk in pks}


def counted_copy(activity: Activity) -> CountedCopy | None:
    """For a copy that does not count, the copy that does and why (None otherwise)."""
    if activity.copy_of_id is None:
        return None
    other = (
        Activity.objects.filter(pk=activity.copy_of_id)
        .values_list("source", "file_format", "started_at", "ended_at")
        .first()
    )
    if other is None:
        return None
    kind = kind_of(other[0], other[1])
    this = activity.source_kind
    return CountedCopy(
        kind=kind,
        this_kind=this,
        why=why_not_counted(kind, this),
        start=other[2],
        end=other[3],
        label=str(activity.copy_of_id),
    )
