"""Recounting one participant's line from their accepted verdicts, for every
change but a new credit (a verdict decided, re-judged or deleted; a withdrawal;
a change of team or unit): the difference from the line as it was is moved into
every total it feeds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from campaigns.models import Registration
from core.counters import upsert
from orgs.tree import chain_ids
from standings.lines import Line, buckets_of, compute_line, shard_of
from standings.models import PersonDay, Scope, Standing
from standings.totals import add_to_buckets, add_to_totals

DAY_COLUMNS = (
    *("campaign_id", "registration_id", "day", "distance_m", "activities"),
    *("steps", "steps_estimated", "reached_at"),
)


def _contribution(standing: Standing | None, line_days: dict | None = None) -> dict:
    """What one participant adds to each (scope, key): distance, activities, steps, people."""
    if standing is None or not standing.is_active:
        return {}
    figures = (
        standing.distance_m,
        standing.activities,
        standing.steps,
        1 if standing.distance_m > 0 else 0,
    )
    out: dict[tuple[str, int], tuple] = {(Scope.CAMPAIGN, 0): figures}
    if standing.team_id:
        out[(Scope.TEAM, standing.team_id)] = figures
    for unit_id in standing._unit_chain:
        out[(Scope.UNIT, unit_id)] = figures
    for day, (metres, count, *_rest) in (line_days or {}).items():
        out[(Scope.DAY, day.toordinal())] = (metres, count, 0, 1 if metres > 0 else 0)
    return out


def refresh(registration_id: int) -> Standing | None:
    """Bring one participant's line, and every total it feeds, up to date."""
    # Inside the caller's transaction no savepoint is needed: a failure here must
    # roll the whole credit back anyway.
    with transaction.atomic(savepoint=False):
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("campaign", "user", "unit")
            .get(pk=registration_id)
        )
        line = compute_line(registration)
        old = Standing.objects.filter(registration_id=registration_id).first()
        old_days = {
            day.day: (
                day.distance_m,
                day.activities,
                day.reached_at,
                day.steps,
                day.steps_estimated,
            )
            for day in PersonDay.objects.filter(registration_id=registration_id)
        }
        if old is None and line.distance_m == 0 and registration.status != "active":
            return None
        if old is not None:
            same_unit = old.unit_id == registration.unit_id
            old._unit_chain = (
                chain_ids(registration.unit if same_unit else old.unit) if old.unit_id else []
            )
        new = old or Standing(
            campaign_id=registration.campaign_id,
            registration_id=registration.pk,
            user_id=registration.user_id,
            bib=registration.bib,
        )
        before = None
        if old is not None:
            before = Standing(**{f.attname: getattr(old, f.attname) for f in Standing._meta.fields})
            before._unit_chain = old._unit_chain
        new.team_id = registration.team_id
        new.unit_id = registration.unit_id
        new.category_id = registration.category_id
        new.gender = registration.user.gender or ""
        new.is_active = registration.status == "active"
        new.distance_m = line.distance_m
        new.activities = line.activities
        new.active_days = line.active_days
        new.steps = line.steps
        new.steps_estimated = line.steps_estimated
        new.reached_at = line.reached_at
        new._unit_chain = (
            old._unit_chain
            if old is not None and old.unit_id == new.unit_id
            else chain_ids(registration.unit)
        )
        new.save()

        new_days = {day: tuple(v) for day, v in line.days.items()} if new.is_active else {}
        _apply(
            registration.campaign_id,
            shard_of(registration.pk),
            _contribution(before, old_days if before is not None and before.is_active else {}),
            _contribution(new, new_days),
        )
        _sync_days(registration, line if new.is_active else Line(), old_days)
        old_buckets = (
            buckets_of(before.distance_m) if before is not None and before.is_active else ()
        )
        new_buckets = buckets_of(new.distance_m) if new.is_active else ()
        deltas: dict[int, int] = defaultdict(int)
        for bucket in old_buckets:
            deltas[bucket] -= 1
        for bucket in new_buckets:
            deltas[bucket] += 1
        shard = shard_of(registration.pk)
        add_to_buckets(
            (registration.campaign_id, bucket, shard, delta) for bucket, delta in deltas.items()
        )
        return new


def _apply(campaign_id: int, shard: int, before: dict, after: dict) -> None:
    rows = []
    for scope_key in set(before) | set(after):
        old = before.get(scope_key, (0, 0, 0, 0))
        new = after.get(scope_key, (0, 0, 0, 0))
        delta = tuple(n - o for n, o in zip(new, old, strict=True))
        rows.append((campaign_id, scope_key[0], scope_key[1], shard, *delta))
    add_to_totals(rows)


def _sync_days(registration: Registration, line: Line, old_days: dict) -> None:
    """Write the days that changed with one upsert, and delete the days now empty."""
    ops = connection.ops
    changed = [
        (
            registration.campaign_id,
            registration.pk,
            ops.adapt_datefield_value(day),
            metres,
            count,
            steps,
            estimated,
            ops.adapt_datetimefield_value(reached),
        )
        for day, (metres, count, reached, steps, estimated) in sorted(line.days.items())
        if old_days.get(day) != (metres, count, reached, steps, estimated)
    ]
    upsert(
        PersonDay._meta.db_table,
        DAY_COLUMNS,
        changed,
        key=("registration_id", "day"),
        replace=(
            "campaign_id",
            "distance_m",
            "activities",
            "steps",
            "steps_estimated",
            "reached_at",
        ),
    )
    gone = set(old_days) - set(line.days)
    if gone:
        PersonDay.objects.filter(registration_id=registration.pk, day__in=gone).delete()


def refresh_many(registration_ids: Iterable[int]) -> None:
    for registration_id in registration_ids:
        refresh(registration_id)
