"""Adding new accepted credits — by far the commonest change — to their people's
lines, days and every total they feed, without reading anyone's other
activities: a fixed handful of statements however many credits come together
and whatever the people's history (docs/standings.md).
"""

from __future__ import annotations

import functools
import json
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction

from accounts.models import User
from activities.signals import Credit
from campaigns.models import Campaign, Registration
from campaigns.rules import merged_rules
from core.counters import many_rows, upsert
from orgs.models import Unit
from orgs.tree import chains_by_path
from standings.lines import Line, buckets_of, shard_of, stride_for
from standings.models import PersonDay, Scope, Standing
from standings.recount import DAY_COLUMNS, refresh
from standings.totals import add_to_buckets, add_to_totals


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


DAYS_PER_STATEMENT = 500
# The PostgreSQL types of recount.DAY_COLUMNS.
DAY_TYPES = (*("bigint", "bigint", "date", "bigint", "integer"), "bigint", "bigint", "timestamptz")


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
        chains = chains_by_path({contexts[r]["unit_path"] for r in lines} - {None})
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
            for day, (metres, count, *_rest) in line.days.items():
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
        add_to_buckets((*key, delta) for key, delta in buckets.items())
        add_to_totals((*key, *figures) for key, figures in totals.items())


def _add(into: list[int], figures: tuple) -> None:
    for i, value in enumerate(figures):
        into[i] += value


def _add_to_days(contexts: dict, lines: dict[int, Line]) -> dict[tuple, int]:
    """Add the credits to each person's days; (registration, day) → 1 where the day
    had nothing credited until now, else 0."""
    ops = connection.ops
    rows = [
        (
            contexts[registration_id]["campaign_id"],
            registration_id,
            ops.adapt_datefield_value(day),
            metres,
            count,
            steps,
            estimated,
            ops.adapt_datetimefield_value(reached),
        )
        for registration_id, line in sorted(lines.items())
        for day, (metres, count, reached, steps, estimated) in sorted(line.days.items())
    ]
    added = {(row[1], row[2]): row[4] for row in rows}
    new_days = {}
    for start in range(0, len(rows), DAYS_PER_STATEMENT):
        written = upsert(
            PersonDay._meta.db_table,
            DAY_COLUMNS,
            rows[start : start + DAYS_PER_STATEMENT],
            key=("registration_id", "day"),
            add=("distance_m", "activities", "steps", "steps_estimated"),
            latest=("reached_at",),
            types=DAY_TYPES,
            returning=("registration_id", "day", "activities"),
        )
        for registration_id, day, activities in written:
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
        source, params = many_rows(updates, types)
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
