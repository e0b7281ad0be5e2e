"""Keeping the totals, inside the transaction that changes a credit.

`add_credits(credits)` adds new accepted credits — by far the commonest change —
to their people's lines and every total they feed, without reading anyone's other
activities: a fixed handful of statements however many credits come together and
whatever the people's history.
`refresh(registration_id)` recomputes one participant's line from their accepted
verdicts and moves the difference into every total; it serves every other change
(a verdict decided, re-judged or deleted; a withdrawal; a change of team).
Neither is called by the apps below: judging, review, registration and teams send
their signals (activities/signals.py, campaigns/signals.py) inside the transaction
that makes the change, and standings/receivers.py calls these there and then.

The shared rows are written with one upsert each, `value = value + delta`, on a
shard chosen by the registration, so two uploads only wait for each other when
they belong to people on the same shard.
"""

from __future__ import annotations

import functools
import json
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction

from accounts.models import User
from activities.models import Verdict, VerdictStatus
from activities.signals import Credit
from campaigns.models import Campaign, Registration
from campaigns.rules import merged_rules
from orgs.models import Unit
from standings.models import PersonDay, Scope, ScoreBucket, Standing, Total

SHARDS = 8
BUCKET_M = 100
# Steps estimated from distance where the device did not count them: metres per step.
DEFAULT_STRIDE_M = {"walk": 0.70, "run": 1.00, "other": 0.75}


def shard_of(registration_id: int) -> int:
    return registration_id % SHARDS


def bucket_of(distance_m: int) -> int:
    return distance_m // BUCKET_M


# A second level of rank buckets, 10 km wide, kept in the same table under negative
# numbers (-1 for 0-9.9 km, -2 for 10-19.9 km, ...): a rank sums the coarse rows
# above the person's 10 km and the fine rows above them within it, a few hundred
# rows at most however long the board's tail.
COARSE_BUCKET_M = 10_000


def coarse_bucket_of(distance_m: int) -> int:
    return -1 - distance_m // COARSE_BUCKET_M


def buckets_of(distance_m: int) -> tuple[int, int]:
    """The fine and the coarse rank bucket a distance is counted in."""
    return bucket_of(distance_m), coarse_bucket_of(distance_m)


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


# What a line counts of an accepted verdict and its activity, in the order of Line.add.
CREDIT_FIELDS = (
    "credited_m",
    "activity__started_at",
    "activity__ended_at",
    "activity__steps",
    "activity__distance_m",
    "activity__sport",
)


def compute_line(registration) -> Line:
    """From scratch, from the registration's accepted verdicts."""
    line = Line()
    if registration.status != "active":
        return line
    campaign = registration.campaign
    tz = zoneinfo.ZoneInfo(campaign.time_zone)
    rules = merged_rules(campaign.rules)
    credits = Verdict.objects.filter(
        registration_id=registration.pk, status=VerdictStatus.ACCEPTED, credited_m__gt=0
    ).values_list(*CREDIT_FIELDS)
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
    steplen = Unit.steplen
    paths = [unit.path[: steplen * depth] for depth in range(1, unit.depth + 1)]
    return list(Unit.objects.filter(path__in=paths).values_list("pk", flat=True))


def _rows(rows: list[tuple], types: tuple[str, ...]) -> tuple[str, list]:
    """A source of many rows for an INSERT or UPDATE, and its parameters.

    On PostgreSQL one array per column, unnested: a handful of parameters however
    many rows, where a VALUES list would make the driver parse and render thousands.
    Elsewhere a VALUES list (SQLite runs in the process: there is no wire to save).
    """
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        columns = [list(column) for column in zip(*rows, strict=True)]
        return f"SELECT * FROM unnest({arrays})", columns
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(types)) + ")"] * len(rows))
    return f"VALUES {placeholders}", [value for row in rows for value in row]


TOTAL_TYPES = ("bigint", "text", "bigint", "integer", "bigint", "bigint", "bigint", "bigint")


def _upsert_totals(rows: Iterable[tuple]) -> None:
    """rows: (campaign_id, scope, key, shard, distance, activities, steps, participants).

    Written in sorted order, so that two transactions take the shared rows in the
    same order and never wait for each other in a circle."""
    rows = sorted(row for row in rows if any(row[4:]))
    if not rows:
        return
    table = Total._meta.db_table
    source, params = _rows(rows, TOTAL_TYPES)
    sql = (
        f"INSERT INTO {table} "
        "(campaign_id, scope, key, shard, distance_m, activities, steps, participants) "
        f"{source} "
        "ON CONFLICT (campaign_id, scope, key, shard) DO UPDATE SET "
        f"distance_m = {table}.distance_m + excluded.distance_m, "
        f"activities = {table}.activities + excluded.activities, "
        f"steps = {table}.steps + excluded.steps, "
        f"participants = {table}.participants + excluded.participants"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _upsert_buckets(rows: Iterable[tuple]) -> None:
    """rows: (campaign_id, bucket, shard, delta), written in sorted order."""
    rows = sorted(row for row in rows if row[3])
    if not rows:
        return
    table = ScoreBucket._meta.db_table
    source, params = _rows(rows, ("bigint", "integer", "integer", "bigint"))
    sql = (
        f"INSERT INTO {table} (campaign_id, bucket, shard, count) {source} "
        "ON CONFLICT (campaign_id, bucket, shard) DO UPDATE SET "
        f"count = {table}.count + excluded.count"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


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


@functools.lru_cache(maxsize=256)
def _stride(rules_json: str | None, sport: str) -> float:
    """stride_for a campaign's stored rules (as JSON text, which makes them a cache key)."""
    return stride_for(merged_rules(json.loads(rules_json) if rules_json else None), sport)


CONTEXT_COLUMNS = (
    *("id", "status", "campaign_id", "team_id", "unit_id", "category_id", "bib", "user_id"),
    *("gender", "time_zone", "rules", "unit_path"),
    *("line_id", "line_active", "line_distance", "line_team", "line_unit", "line_category"),
    "line_gender",
)


def _credit_contexts(registration_ids: list[int]) -> dict[int, dict]:
    """What adding credits needs to know of each registration, read with the rows
    locked in id order: the registration, the person's gender, the campaign's zone
    and rules, the unit's path and the person's line as it stands."""
    placeholders = ", ".join(["%s"] * len(registration_ids))
    registrations = Registration._meta.db_table
    sql = (
        "SELECT r.id, r.status, r.campaign_id, r.team_id, r.unit_id, r.category_id, r.bib, "
        "r.user_id, u.gender, c.time_zone, c.rules, un.path, "
        "s.id, s.is_active, s.distance_m, s.team_id, s.unit_id, s.category_id, s.gender "
        f"FROM {registrations} r "
        f"JOIN {User._meta.db_table} u ON u.id = r.user_id "
        f"JOIN {Campaign._meta.db_table} c ON c.id = r.campaign_id "
        f"LEFT JOIN {Unit._meta.db_table} un ON un.id = r.unit_id "
        f"LEFT JOIN {Standing._meta.db_table} s ON s.registration_id = r.id "
        f"WHERE r.id IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        if connection.features.has_select_for_update:
            # Lock first, then read in a statement of its own: a read that waited for a
            # lock would see the line as it was before the credit that held the lock.
            cursor.execute(
                f"SELECT id FROM {registrations} WHERE id IN ({placeholders}) "
                "ORDER BY id FOR UPDATE",
                registration_ids,
            )
        cursor.execute(sql, registration_ids)
        rows = cursor.fetchall()
    contexts = {}
    for row in rows:
        context = dict(zip(CONTEXT_COLUMNS, row, strict=True))
        rules = context["rules"]
        context["rules"] = rules if isinstance(rules, str) or rules is None else json.dumps(rules)
        context["gender"] = context["gender"] or ""
        contexts[context["id"]] = context
    return contexts


def _line_is_current(context: dict) -> bool:
    """Whether the person's line, if any, is active and filed where the registration is."""
    if context["line_id"] is None:
        return True
    filed = (context[f"line_{name}"] for name in ("team", "unit", "category", "gender"))
    expected = (context[name] for name in ("team_id", "unit_id", "category_id", "gender"))
    return bool(context["line_active"]) and tuple(filed) == tuple(expected)


def _chains(paths: Iterable[str]) -> dict[str, list[int]]:
    """unit path → the ids of that unit and every unit above it."""
    steplen = Unit.steplen
    wanted = {
        path: [path[:end] for end in range(steplen, len(path) + 1, steplen)] for path in paths
    }
    prefixes = sorted({prefix for chain in wanted.values() for prefix in chain})
    ids = {}
    if prefixes:
        table = Unit._meta.db_table
        if connection.vendor == "postgresql":
            sql, params = f"SELECT path, id FROM {table} WHERE path = ANY(%s)", [prefixes]
        else:
            placeholders = ", ".join(["%s"] * len(prefixes))
            sql, params = f"SELECT path, id FROM {table} WHERE path IN ({placeholders})", prefixes
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = dict(cursor.fetchall())
    return {path: [ids[p] for p in chain if p in ids] for path, chain in wanted.items()}


def add_credits(credits: Iterable[Credit]) -> None:
    """New accepted verdicts, added to their people's lines, days and every total
    they feed, exactly as `refresh` would count them (the tests hold the two to each
    other), without reading anyone's other activities: a fixed number of statements
    however many credits and people. Call it in the transaction that creates the
    verdicts. A line that does not match its registration (one not yet moved with
    its person, say) is recomputed with `refresh` instead."""
    credits = [credit for credit in credits if credit.credited_m > 0]
    if not credits:
        return
    with transaction.atomic(savepoint=False):
        contexts = _credit_contexts(sorted({c.registration_id for c in credits}))
        lines: dict[int, Line] = {}
        recount = set()
        for credit in credits:
            context = contexts.get(credit.registration_id)
            if context is None or context["status"] != "active":
                continue  # nobody to credit: a withdrawn person's km count nowhere
            if not _line_is_current(context):
                recount.add(credit.registration_id)
                continue
            lines.setdefault(credit.registration_id, Line()).add(
                credit.credited_m,
                credit.started_at,
                credit.ended_at,
                credit.steps,
                credit.distance_m,
                _stride(context["rules"], credit.sport),
                zoneinfo.ZoneInfo(context["time_zone"]),
            )
        for registration_id in sorted(recount):
            refresh(registration_id)
        if not lines:
            return
        new_days = _add_to_days(contexts, lines)
        _add_to_lines(contexts, lines, new_days)
        chains = _chains({contexts[r]["unit_path"] for r in lines} - {None})
        totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        buckets: dict[tuple, int] = defaultdict(int)
        for registration_id, line in lines.items():
            context = contexts[registration_id]
            campaign_id, shard = context["campaign_id"], shard_of(registration_id)
            before = context["line_distance"] or 0
            figures = (line.distance_m, line.activities, line.steps, int(before == 0))
            scopes = [(Scope.CAMPAIGN, 0)]
            if context["team_id"]:
                scopes.append((Scope.TEAM, context["team_id"]))
            scopes += [(Scope.UNIT, u) for u in chains.get(context["unit_path"], [])]
            for scope in scopes:
                _add(totals[(campaign_id, *scope, shard)], figures)
            for day, (metres, count, _reached) in line.days.items():
                fresh = new_days[(registration_id, day)]
                _add(
                    totals[(campaign_id, Scope.DAY, day.toordinal(), shard)],
                    (metres, count, 0, fresh),
                )
            for bucket in buckets_of(before + line.distance_m):
                buckets[(campaign_id, bucket, shard)] += 1
            for bucket in buckets_of(before) if context["line_id"] is not None else ():
                buckets[(campaign_id, bucket, shard)] -= 1
        # The rows every upload shares come last, so they stay locked for the shortest time.
        _upsert_buckets((*key, delta) for key, delta in buckets.items())
        _upsert_totals((*key, *figures) for key, figures in totals.items())


def _add(into: list[int], figures: tuple) -> None:
    for i, value in enumerate(figures):
        into[i] += value


def _add_to_days(contexts: dict, lines: dict[int, Line]) -> dict[tuple, int]:
    """Add the credits to each person's days; (registration, day) → 1 where the day
    had nothing credited until now, else 0."""
    ops = connection.ops
    table = PersonDay._meta.db_table
    rows = [
        (
            contexts[registration_id]["campaign_id"],
            registration_id,
            ops.adapt_datefield_value(day),
            metres,
            count,
            ops.adapt_datetimefield_value(reached),
        )
        for registration_id, line in sorted(lines.items())
        for day, (metres, count, reached) in sorted(line.days.items())
    ]
    added = {(row[1], row[2]): row[4] for row in rows}
    new_days = {}
    types = ("bigint", "bigint", "date", "bigint", "integer", "timestamptz")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            source, params = _rows(rows[start : start + 500], types)
            cursor.execute(
                f"INSERT INTO {table} "
                "(campaign_id, registration_id, day, distance_m, activities, reached_at) "
                f"{source} ON CONFLICT (registration_id, day) DO UPDATE SET "
                f"distance_m = {table}.distance_m + excluded.distance_m, "
                f"activities = {table}.activities + excluded.activities, "
                f"reached_at = CASE WHEN {table}.reached_at IS NULL "
                f"OR {table}.reached_at < excluded.reached_at "
                f"THEN excluded.reached_at ELSE {table}.reached_at END "
                "RETURNING registration_id, day, activities",
                params,
            )
            for registration_id, day, activities in cursor.fetchall():
                day = day if isinstance(day, date) else date.fromisoformat(str(day))
                key = (registration_id, ops.adapt_datefield_value(day))
                new_days[(registration_id, day)] = int(activities == added[key])
    return new_days


def _add_to_lines(contexts: dict, lines: dict[int, Line], new_days: dict[tuple, int]) -> None:
    """Add the credits to the lines that exist, and make the lines that do not."""
    ops = connection.ops
    table = Standing._meta.db_table
    updates, created = [], []
    for registration_id, line in sorted(lines.items()):
        context = contexts[registration_id]
        active_days = sum(new_days[(registration_id, day)] for day in line.days)
        if context["line_id"] is None:
            created.append(
                Standing(
                    campaign_id=context["campaign_id"],
                    registration_id=registration_id,
                    user_id=context["user_id"],
                    bib=context["bib"],
                    team_id=context["team_id"],
                    unit_id=context["unit_id"],
                    category_id=context["category_id"],
                    gender=context["gender"],
                    is_active=True,
                    distance_m=line.distance_m,
                    activities=line.activities,
                    active_days=active_days,
                    steps=line.steps,
                    steps_estimated=line.steps_estimated,
                    reached_at=line.reached_at,
                )
            )
            continue
        reached = ops.adapt_datetimefield_value(line.reached_at)
        updates.append(
            (
                line.distance_m,
                line.activities,
                active_days,
                line.steps,
                line.steps_estimated,
                reached,
                context["line_id"],
            )
        )
    if updates and connection.vendor == "postgresql":
        types = ("bigint",) * 5 + ("timestamptz", "bigint")
        source, params = _rows(updates, types)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS line SET distance_m = line.distance_m + v.distance_m, "
                "activities = line.activities + v.activities, "
                "active_days = line.active_days + v.active_days, "
                "steps = line.steps + v.steps, "
                "steps_estimated = line.steps_estimated + v.steps_estimated, "
                "reached_at = greatest(line.reached_at, v.reached) "
                f"FROM ({source}) AS v(distance_m, activities, active_days, steps, "
                "steps_estimated, reached, id) WHERE line.id = v.id",
                params,
            )
    elif updates:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET distance_m = distance_m + %s, "
                "activities = activities + %s, active_days = active_days + %s, "
                "steps = steps + %s, steps_estimated = steps_estimated + %s, "
                "reached_at = max(coalesce(reached_at, ''), %s) WHERE id = %s",
                updates,
            )
    if created:
        Standing.objects.bulk_create(created)


def refresh_many(registration_ids: Iterable[int]) -> None:
    for registration_id in registration_ids:
        refresh(registration_id)
