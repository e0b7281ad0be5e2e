"""Keeping the totals: `refresh(registration_id)` recomputes one participant's line
from their accepted verdicts and moves the difference into every total it feeds.

Call it inside the transaction that changes a credit (a verdict judged, decided or
deleted; a withdrawal; a change of team). Per-person work is small (a person has
tens of activities), and the shared rows are written with one upsert each,
`value = value + delta`, on a shard chosen by the registration, so two uploads
only wait for each other when they belong to people on the same shard.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction

from standings.models import PersonDay, Scope, ScoreBucket, Standing, Total

SHARDS = 8
BUCKET_M = 100
# Steps estimated from distance where the device did not count them: metres per step.
DEFAULT_STRIDE_M = {"walk": 0.70, "run": 1.00, "other": 0.75}


def shard_of(registration_id: int) -> int:
    return registration_id % SHARDS


def bucket_of(distance_m: int) -> int:
    return distance_m // BUCKET_M


def stride_for(rules: dict, sport: str) -> float:
    strides = {**DEFAULT_STRIDE_M, **(rules.get("stride_m") or {})}
    return float(strides.get(sport) or DEFAULT_STRIDE_M["other"])


@dataclass
class Line:
    """A participant's figures as they should be."""

    distance_m: int = 0
    activities: int = 0
    steps: int = 0
    steps_estimated: int = 0
    reached_at: datetime | None = None
    days: dict[date, list] = field(default_factory=dict)  # day → [metres, activities, reached]

    def add(self, credited, started_at, ended_at, steps, distance_m, stride_m, tz) -> None:
        """One credited activity: its metres, its steps (the device's, pro rata to
        the credited part, else estimated with `stride_m`) and its campaign day."""
        self.distance_m += credited
        self.activities += 1
        if steps and distance_m:
            self.steps += round(steps * min(1.0, credited / distance_m))
        else:
            estimated = round(credited / stride_m)
            self.steps += estimated
            self.steps_estimated += estimated
        if self.reached_at is None or ended_at > self.reached_at:
            self.reached_at = ended_at
        entry = self.days.setdefault(started_at.astimezone(tz).date(), [0, 0, None])
        entry[0] += credited
        entry[1] += 1
        if entry[2] is None or ended_at > entry[2]:
            entry[2] = ended_at

    @property
    def active_days(self) -> int:
        return sum(1 for metres, _n, _r in self.days.values() if metres > 0)


def compute_line(registration) -> Line:
    """From scratch, from the registration's accepted verdicts."""
    from activities.models import Verdict, VerdictStatus
    from campaigns.rules import merged_rules

    line = Line()
    if registration.status != "active":
        return line
    campaign = registration.campaign
    tz = zoneinfo.ZoneInfo(campaign.time_zone)
    rules = merged_rules(campaign.rules)
    credits = Verdict.objects.filter(
        registration_id=registration.pk, status=VerdictStatus.ACCEPTED, credited_m__gt=0
    ).values_list(
        "credited_m",
        "activity__started_at",
        "activity__ended_at",
        "activity__steps",
        "activity__distance_m",
        "activity__sport",
    )
    strides: dict[str, float] = {}
    for credited, started_at, ended_at, steps, distance_m, sport in credits.order_by():
        if sport not in strides:
            strides[sport] = stride_for(rules, sport)
        line.add(credited, started_at, ended_at, steps, distance_m, strides[sport], tz)
    return line


def _unit_chain(unit) -> list[int]:
    """The unit and every unit above it."""
    if unit is None:
        return []
    from orgs.models import Unit

    steplen = Unit.steplen
    paths = [unit.path[: steplen * depth] for depth in range(1, unit.depth + 1)]
    return list(Unit.objects.filter(path__in=paths).values_list("pk", flat=True))


def _upsert_totals(rows: Iterable[tuple]) -> None:
    """rows: (campaign_id, scope, key, shard, distance, activities, steps, participants)."""
    rows = [row for row in rows if any(row[4:])]
    if not rows:
        return
    table = Total._meta.db_table
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {table} "
        "(campaign_id, scope, key, shard, distance_m, activities, steps, participants) "
        f"VALUES {placeholders} "
        "ON CONFLICT (campaign_id, scope, key, shard) DO UPDATE SET "
        f"distance_m = {table}.distance_m + excluded.distance_m, "
        f"activities = {table}.activities + excluded.activities, "
        f"steps = {table}.steps + excluded.steps, "
        f"participants = {table}.participants + excluded.participants"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in sorted(rows) for value in row])


def _upsert_buckets(rows: Iterable[tuple]) -> None:
    """rows: (campaign_id, bucket, shard, delta)."""
    rows = [row for row in rows if row[3]]
    if not rows:
        return
    table = ScoreBucket._meta.db_table
    placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {table} (campaign_id, bucket, shard, count) VALUES {placeholders} "
        "ON CONFLICT (campaign_id, bucket, shard) DO UPDATE SET "
        f"count = {table}.count + excluded.count"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in sorted(rows) for value in row])


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
    for day, (metres, count, _reached) in (line_days or {}).items():
        out[(Scope.DAY, day.toordinal())] = (metres, count, 0, 1 if metres > 0 else 0)
    return out


def refresh(registration_id: int) -> Standing | None:
    """Bring one participant's line, and every total it feeds, up to date."""
    from campaigns.models import Registration

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
            day.day: (day.distance_m, day.activities, day.reached_at)
            for day in PersonDay.objects.filter(registration_id=registration_id)
        }
        if old is None and line.distance_m == 0 and registration.status != "active":
            return None
        if old is not None:
            same_unit = old.unit_id == registration.unit_id
            old._unit_chain = (
                _unit_chain(registration.unit if same_unit else old.unit) if old.unit_id else []
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
            else _unit_chain(registration.unit)
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
        old_bucket = (
            bucket_of(before.distance_m) if before is not None and before.is_active else None
        )
        new_bucket = bucket_of(new.distance_m) if new.is_active else None
        if old_bucket != new_bucket:
            shard = shard_of(registration.pk)
            deltas: dict[int, int] = defaultdict(int)
            if old_bucket is not None:
                deltas[old_bucket] -= 1
            if new_bucket is not None:
                deltas[new_bucket] += 1
            _upsert_buckets(
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
    _upsert_totals(rows)


def _sync_days(registration, line: Line, old_days: dict) -> None:
    """Write the days that changed with one upsert, and delete the days now empty."""
    ops = connection.ops
    changed = [
        (
            registration.campaign_id,
            registration.pk,
            ops.adapt_datefield_value(day),
            metres,
            count,
            ops.adapt_datetimefield_value(reached),
        )
        for day, (metres, count, reached) in sorted(line.days.items())
        if old_days.get(day) != (metres, count, reached)
    ]
    if changed:
        table = PersonDay._meta.db_table
        placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(changed))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} "
                "(campaign_id, registration_id, day, distance_m, activities, reached_at) "
                f"VALUES {placeholders} ON CONFLICT (registration_id, day) DO UPDATE SET "
                "campaign_id = excluded.campaign_id, distance_m = excluded.distance_m, "
                "activities = excluded.activities, reached_at = excluded.reached_at",
                [value for row in changed for value in row],
            )
    gone = set(old_days) - set(line.days)
    if gone:
        PersonDay.objects.filter(registration_id=registration.pk, day__in=gone).delete()


def refresh_many(registration_ids: Iterable[int]) -> None:
    for registration_id in registration_ids:
        refresh(registration_id)
