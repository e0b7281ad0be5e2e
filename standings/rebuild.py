"""Every total recomputed from the credits (accepted verdicts), and the drift between
what was kept and what should be. `manage.py rebuild_standings` runs it.

Works set-wise. On PostgreSQL the whole recomputation is a handful of grouped
queries into temporary tables, compared with what was kept by joins, and a fix
writes only the rows that differ: a campaign of a million participants and ten
million activities is recomputed and compared in under two minutes on two cores
(bench/results/standings-*.md). Elsewhere (SQLite, in tests) the
same figures are computed in Python from a few grouped reads.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction

from activities.models import Verdict, VerdictStatus
from campaigns.models import Registration, RegistrationStatus
from campaigns.rules import merged_rules
from orgs.models import Unit
from orgs.tree import chain_from
from standings.lines import (
    BUCKET_M,
    COARSE_BUCKET_M,
    CREDIT_FIELDS,
    DEFAULT_STRIDE_M,
    SHARDS,
    Line,
    buckets_of,
    shard_of,
    stride_for,
)
from standings.models import PersonDay, Scope, ScoreBucket, Standing, Total


@dataclass
class Drift:
    """How many kept rows differed from the recomputation, per table."""

    standings: int = 0
    days: int = 0
    totals: int = 0
    buckets: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.standings + self.days + self.totals + self.buckets

    def as_dict(self) -> dict:
        return {
            "standings": self.standings,
            "days": self.days,
            "totals": self.totals,
            "buckets": self.buckets,
            "examples": self.examples[:10],
        }


def _expected_lines(campaign) -> tuple[dict, dict]:
    """registration id → figures, and (registration id, day) → [metres, count, reached,
    steps, steps estimated]."""
    tz = zoneinfo.ZoneInfo(campaign.time_zone)
    rules = merged_rules(campaign.rules)
    active = set(
        Registration.objects.filter(
            campaign=campaign, status=RegistrationStatus.ACTIVE
        ).values_list("pk", flat=True)
    )
    people: dict[int, Line] = {}
    credits = (
        Verdict.objects.filter(campaign=campaign, status=VerdictStatus.ACCEPTED, credited_m__gt=0)
        .values_list("registration_id", *CREDIT_FIELDS)
        .order_by()
    )
    strides = {sport: stride_for(rules, sport) for sport in ("walk", "run", "other")}
    for reg_id, credited, started, ended, steps, distance, sport in credits.iterator(
        chunk_size=20000
    ):
        if reg_id in active:
            stride = strides.get(sport) or stride_for(rules, sport)
            people.setdefault(reg_id, Line()).add(
                credited, started, ended, steps, distance, stride, tz
            )
    lines = {
        reg_id: {
            "distance_m": line.distance_m,
            "activities": line.activities,
            "steps": line.steps,
            "steps_estimated": line.steps_estimated,
            "reached_at": line.reached_at,
            "active_days": line.active_days,
        }
        for reg_id, line in people.items()
    }
    days = {
        (reg_id, day): entry for reg_id, line in people.items() for day, entry in line.days.items()
    }
    return lines, days


def rebuild_campaign(campaign, *, fix: bool = True) -> Drift:
    """Recompute one campaign's standings; with fix, replace what was kept."""
    if connection.vendor == "postgresql":
        return _rebuild_in_sql(campaign, fix=fix)
    drift = Drift()
    lines, days = _expected_lines(campaign)
    zero = {"distance_m": 0, "activities": 0, "steps": 0, "steps_estimated": 0, "reached_at": None}
    zero["active_days"] = 0

    registrations = Registration.objects.filter(campaign=campaign).select_related("user")
    kept = {s.registration_id: s for s in Standing.objects.filter(campaign=campaign)}
    unit_paths = dict(Unit.objects.values_list("pk", "path"))
    path_ids = {path: pk for pk, path in unit_paths.items()}

    new_standings = []
    totals: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0])
    buckets: dict[tuple, int] = defaultdict(int)
    for registration in registrations.iterator(chunk_size=20000):
        line = lines.get(registration.pk, zero)
        is_active = registration.status == RegistrationStatus.ACTIVE
        if registration.pk not in kept and not line["distance_m"]:
            continue  # a line exists once a person has been credited (as `refresh` makes it)
        standing = Standing(
            campaign_id=campaign.pk,
            registration_id=registration.pk,
            user_id=registration.user_id,
            bib=registration.bib,
            team_id=registration.team_id,
            unit_id=registration.unit_id,
            category_id=registration.category_id,
            gender=registration.user.gender or "",
            is_active=is_active,
            **line,
        )
        old = kept.get(registration.pk)
        missing = old is None and line["distance_m"] > 0
        if missing or (old is not None and _differs(old, standing)):
            drift.standings += 1
            drift.examples.append(f"standing of registration {registration.pk}")
        new_standings.append(standing)
        if not is_active:
            continue
        shard = shard_of(registration.pk)
        figures = (
            line["distance_m"],
            line["activities"],
            line["steps"],
            int(line["distance_m"] > 0),
        )
        keys = [(Scope.CAMPAIGN, 0)]
        if registration.team_id:
            keys.append((Scope.TEAM, registration.team_id))
        path = unit_paths.get(registration.unit_id)
        if path:
            keys += [(Scope.UNIT, unit_id) for unit_id in chain_from(path_ids, path)]
        for scope, key in keys:
            total = totals[(scope, key, shard)]
            for i, value in enumerate(figures):
                total[i] += value
        for bucket in buckets_of(line["distance_m"]):
            buckets[(bucket, shard)] += 1
    for (reg_id, day), (metres, count, *_rest) in days.items():
        total = totals[(Scope.DAY, day.toordinal(), shard_of(reg_id))]
        total[0] += metres
        total[1] += count
        total[3] += int(metres > 0)

    # Compare what was kept with what should be.
    kept_days = {
        (d.registration_id, d.day): [
            d.distance_m,
            d.activities,
            d.reached_at,
            d.steps,
            d.steps_estimated,
        ]
        for d in PersonDay.objects.filter(campaign=campaign)
    }
    drift.days = sum(1 for key in set(kept_days) | set(days) if kept_days.get(key) != days.get(key))
    kept_totals: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0])
    for t in Total.objects.filter(campaign=campaign):
        kept_totals[(t.scope, t.key, t.shard)] = [
            t.distance_m,
            t.activities,
            t.steps,
            t.participants,
        ]
    drift.totals = _count_differences(kept_totals, totals, [0, 0, 0, 0])
    kept_buckets = {
        (b.bucket, b.shard): b.count for b in ScoreBucket.objects.filter(campaign=campaign)
    }
    drift.buckets = _count_differences(kept_buckets, buckets, 0)
    if drift.days:
        drift.examples.append(f"{drift.days} person-days")
    if drift.totals:
        drift.examples.append(f"{drift.totals} totals")
    if drift.buckets:
        drift.examples.append(f"{drift.buckets} rank buckets")

    if fix and drift.total:
        with transaction.atomic():
            Standing.objects.filter(campaign=campaign).delete()
            Standing.objects.bulk_create(new_standings, batch_size=5000)
            PersonDay.objects.filter(campaign=campaign).delete()
            PersonDay.objects.bulk_create(
                (
                    PersonDay(
                        campaign_id=campaign.pk,
                        registration_id=reg_id,
                        day=day,
                        distance_m=metres,
                        activities=count,
                        steps=steps,
                        steps_estimated=estimated,
                        reached_at=reached,
                    )
                    for (reg_id, day), (metres, count, reached, steps, estimated) in days.items()
                ),
                batch_size=5000,
            )
            Total.objects.filter(campaign=campaign).delete()
            Total.objects.bulk_create(
                (
                    Total(
                        campaign_id=campaign.pk,
                        scope=scope,
                        key=key,
                        shard=shard,
                        distance_m=v[0],
                        activities=v[1],
                        steps=v[2],
                        participants=v[3],
                    )
                    for (scope, key, shard), v in totals.items()
                    if any(v)
                ),
                batch_size=5000,
            )
            ScoreBucket.objects.filter(campaign=campaign).delete()
            ScoreBucket.objects.bulk_create(
                (
                    ScoreBucket(campaign_id=campaign.pk, bucket=bucket, shard=shard, count=count)
                    for (bucket, shard), count in buckets.items()
                    if count
                ),
                batch_size=5000,
            )
    return drift


FIELDS = (
    "team_id",
    "unit_id",
    "category_id",
    "gender",
    "is_active",
    "distance_m",
    "activities",
    "active_days",
    "steps",
    "steps_estimated",
    "reached_at",
)


def _differs(old: Standing, new: Standing) -> bool:
    return any(getattr(old, name) != getattr(new, name) for name in FIELDS)


def _count_differences(kept: dict, expected: dict, empty) -> int:
    return sum(
        1 for key in set(kept) | set(expected) if kept.get(key, empty) != expected.get(key, empty)
    )


# On PostgreSQL: the same recomputation as grouped queries into temporary tables.
# Steps are rounded as Python rounds (half to even: round() of a float8 is rint()).
_EXPECTED_DAYS = """
CREATE TEMP TABLE rebuild_days ON COMMIT DROP AS
SELECT v.registration_id AS reg, (a.started_at AT TIME ZONE %(tz)s)::date AS day,
    sum(v.credited_m)::bigint AS metres, count(*)::int AS n, max(a.ended_at) AS reached,
    sum(CASE WHEN a.steps > 0 AND a.distance_m > 0
        THEN round(a.steps::float8 * least(1.0::float8, v.credited_m::float8 / a.distance_m))
        ELSE round(v.credited_m::float8 / ({stride})) END)::bigint AS steps,
    sum(CASE WHEN a.steps > 0 AND a.distance_m > 0 THEN 0
        ELSE round(v.credited_m::float8 / ({stride})) END)::bigint AS estimated
FROM activities_verdict v
JOIN activities_activity a ON a.id = v.activity_id
WHERE v.campaign_id = %(campaign)s AND v.status = %(accepted)s AND v.credited_m > 0
    AND v.registration_id NOT IN (
        SELECT id FROM campaigns_registration
        WHERE campaign_id = %(campaign)s AND status <> %(active)s)
GROUP BY 1, 2
"""

_EXPECTED_STANDINGS = """
CREATE TEMP TABLE rebuild_standings ON COMMIT DROP AS
SELECT r.id AS registration_id, r.user_id, r.bib, r.team_id, r.unit_id, r.category_id,
    u.gender, r.status = %(active)s AS is_active,
    coalesce(l.distance_m, 0)::bigint AS distance_m, coalesce(l.activities, 0)::int AS activities,
    coalesce(l.active_days, 0)::int AS active_days, coalesce(l.steps, 0)::bigint AS steps,
    coalesce(l.steps_estimated, 0)::bigint AS steps_estimated, l.reached_at
FROM campaigns_registration r
JOIN accounts_user u ON u.id = r.user_id
LEFT JOIN (
    SELECT reg, sum(metres) AS distance_m, sum(n) AS activities,
        count(*) FILTER (WHERE metres > 0) AS active_days, sum(steps) AS steps,
        sum(estimated) AS steps_estimated, max(reached) AS reached_at
    FROM rebuild_days GROUP BY reg
) l ON l.reg = r.id
WHERE r.campaign_id = %(campaign)s AND (l.distance_m > 0 OR EXISTS (
    SELECT 1 FROM standings_standing s WHERE s.registration_id = r.id))
"""

_EXPECTED_TOTALS = """
CREATE TEMP TABLE rebuild_totals ON COMMIT DROP AS
WITH s AS (
    SELECT mod(registration_id, %(shards)s) AS shard, team_id, unit_id, distance_m, activities,
        steps, (distance_m > 0)::int AS people
    FROM rebuild_standings WHERE is_active
), per_unit AS (
    SELECT unit_id, shard, sum(distance_m) AS d, sum(activities) AS a, sum(steps) AS st,
        sum(people) AS p
    FROM s WHERE unit_id IS NOT NULL GROUP BY 1, 2
)
SELECT %(campaign_scope)s::varchar AS scope, 0::bigint AS key, shard,
    sum(distance_m)::bigint AS distance_m, sum(activities)::bigint AS activities,
    sum(steps)::bigint AS steps, sum(people)::bigint AS participants
FROM s GROUP BY shard
UNION ALL
SELECT %(team_scope)s, team_id, shard, sum(distance_m), sum(activities), sum(steps), sum(people)
FROM s WHERE team_id IS NOT NULL GROUP BY team_id, shard
UNION ALL
SELECT %(unit_scope)s, above.id, x.shard, sum(x.d), sum(x.a), sum(x.st), sum(x.p)
FROM per_unit x
JOIN orgs_unit u ON u.id = x.unit_id
CROSS JOIN LATERAL generate_series(1, length(u.path) / %(steplen)s) AS level
JOIN orgs_unit above ON above.path = substr(u.path, 1, %(steplen)s * level)
GROUP BY above.id, x.shard
UNION ALL
SELECT %(day_scope)s, day - DATE '0001-01-01' + 1, mod(reg, %(shards)s), sum(metres), sum(n), 0,
    count(*) FILTER (WHERE metres > 0)
FROM rebuild_days GROUP BY 2, 3
"""

_EXPECTED_BUCKETS = """
CREATE TEMP TABLE rebuild_buckets ON COMMIT DROP AS
SELECT bucket, shard, count(*)::bigint AS count FROM (
    SELECT (distance_m / %(bucket_m)s)::int AS bucket, mod(registration_id, %(shards)s) AS shard
    FROM rebuild_standings WHERE is_active
    UNION ALL
    SELECT (-1 - distance_m / %(coarse_bucket_m)s)::int, mod(registration_id, %(shards)s)
    FROM rebuild_standings WHERE is_active
) AS buckets GROUP BY 1, 2
"""

_STANDING_COLUMNS = (
    "user_id",
    "bib",
    *FIELDS,
)
_KEPT = "SELECT * FROM {table} WHERE campaign_id = %(campaign)s"
_TOTAL_FIGURES = ("distance_m", "activities", "steps", "participants")


def _tuple(alias: str, columns, zero: bool = False) -> str:
    if zero:
        return "(" + ", ".join(f"coalesce({alias}.{c}, 0)" for c in columns) + ")"
    return "(" + ", ".join(f"{alias}.{c}" for c in columns) + ")"


def _stride_case(rules: dict, params: dict) -> str:
    """A CASE giving `stride_for(rules, a.sport)` in SQL."""
    strides = {**DEFAULT_STRIDE_M, **(rules.get("stride_m") or {})}
    whens = []
    for index, sport in enumerate(sorted(strides)):
        params[f"sport_{index}"] = sport
        params[f"stride_{index}"] = stride_for(rules, sport)
        whens.append(f"WHEN %(sport_{index})s THEN %(stride_{index})s::float8")
    params["stride_other"] = float(DEFAULT_STRIDE_M["other"])
    return f"CASE a.sport {' '.join(whens)} ELSE %(stride_other)s::float8 END"


def _rebuild_in_sql(campaign, *, fix: bool) -> Drift:
    params = {
        "campaign": campaign.pk,
        "tz": campaign.time_zone,
        "accepted": VerdictStatus.ACCEPTED.value,
        "active": RegistrationStatus.ACTIVE.value,
        "shards": SHARDS,
        "bucket_m": BUCKET_M,
        "coarse_bucket_m": COARSE_BUCKET_M,
        "steplen": Unit.steplen,
        "campaign_scope": Scope.CAMPAIGN.value,
        "team_scope": Scope.TEAM.value,
        "unit_scope": Scope.UNIT.value,
        "day_scope": Scope.DAY.value,
    }
    stride = _stride_case(merged_rules(campaign.rules), params)
    standing = Standing._meta.db_table
    day_table = PersonDay._meta.db_table
    total = Total._meta.db_table
    bucket = ScoreBucket._meta.db_table
    drift = Drift()
    outermost = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:
            # Every statement reads the same snapshot: credits committed meanwhile
            # are not drift (and a fix that would overwrite them fails instead).
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

        def scalar(sql: str) -> int:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

        # One big grouping: sort in memory; compiling it would cost more than it saves.
        cursor.execute("SET LOCAL work_mem = '1GB'")
        cursor.execute("SET LOCAL jit = off")
        # Dropped at commit; inside a caller's longer transaction, left from a call before.
        cursor.execute(
            "DROP TABLE IF EXISTS rebuild_days, rebuild_standings, rebuild_totals, rebuild_buckets"
        )
        cursor.execute(_EXPECTED_DAYS.format(stride=stride), params)
        cursor.execute("ANALYZE rebuild_days")
        cursor.execute(_EXPECTED_STANDINGS, params)
        cursor.execute("CREATE UNIQUE INDEX ON rebuild_standings (registration_id)")
        cursor.execute("ANALYZE rebuild_standings")
        cursor.execute(_EXPECTED_TOTALS, params)
        cursor.execute(_EXPECTED_BUCKETS, params)

        differs = (
            f"{_tuple('k', _STANDING_COLUMNS)} IS DISTINCT FROM {_tuple('e', _STANDING_COLUMNS)}"
        )
        cursor.execute(
            f"SELECT e.registration_id FROM rebuild_standings e "
            f"LEFT JOIN {standing} k ON k.registration_id = e.registration_id "
            f"WHERE k.id IS NULL OR {differs} ORDER BY e.registration_id",
            params,
        )
        drifted = [row[0] for row in cursor.fetchall()]
        drift.standings = len(drifted)
        drift.examples += [f"standing of registration {pk}" for pk in drifted[:10]]
        day_key = "k.registration_id = e.reg AND k.day = e.day"
        same_day = (
            "(k.distance_m, k.activities, k.steps, k.steps_estimated, k.reached_at) "
            "IS NOT DISTINCT FROM (e.metres, e.n, e.steps, e.estimated, e.reached)"
        )
        drift.days = scalar(
            f"SELECT count(*) FROM rebuild_days e FULL JOIN "
            f"({_KEPT.format(table=day_table)}) k ON {day_key} WHERE NOT ({same_day})"
        )
        total_key = "k.scope = e.scope AND k.key = e.key AND k.shard = e.shard"
        same_total = (
            f"{_tuple('k', _TOTAL_FIGURES, zero=True)} = {_tuple('e', _TOTAL_FIGURES, zero=True)}"
        )
        drift.totals = scalar(
            f"SELECT count(*) FROM rebuild_totals e FULL JOIN "
            f"({_KEPT.format(table=total)}) k ON {total_key} WHERE NOT ({same_total})"
        )
        bucket_key = "k.bucket = e.bucket AND k.shard = e.shard"
        drift.buckets = scalar(
            f"SELECT count(*) FROM rebuild_buckets e FULL JOIN "
            f"({_KEPT.format(table=bucket)}) k ON {bucket_key} "
            f"WHERE coalesce(k.count, 0) <> coalesce(e.count, 0)"
        )
        if drift.days:
            drift.examples.append(f"{drift.days} person-days")
        if drift.totals:
            drift.examples.append(f"{drift.totals} totals")
        if drift.buckets:
            drift.examples.append(f"{drift.buckets} rank buckets")
        if not (fix and drift.total):
            return drift

        # Write only what differs (standings keep their ids); from nothing (a first
        # build), plain inserts.
        kept = scalar(f"SELECT EXISTS ({_KEPT.format(table=standing)})")
        if kept:
            cursor.execute(
                f"DELETE FROM {standing} k WHERE k.campaign_id = %(campaign)s AND NOT EXISTS "
                f"(SELECT 1 FROM rebuild_standings e WHERE e.registration_id = k.registration_id)",
                params,
            )
            assignments = ", ".join(f"{c} = e.{c}" for c in _STANDING_COLUMNS)
            cursor.execute(
                f"UPDATE {standing} k SET {assignments} FROM rebuild_standings e "
                f"WHERE e.registration_id = k.registration_id AND {differs}",
                params,
            )
        columns = ", ".join(_STANDING_COLUMNS)
        missing = (
            f"WHERE NOT EXISTS (SELECT 1 FROM {standing} k "
            "WHERE k.registration_id = e.registration_id) "
        )
        cursor.execute(
            f"INSERT INTO {standing} (campaign_id, registration_id, {columns}) "
            f"SELECT %(campaign)s, e.registration_id, {_tuple('e', _STANDING_COLUMNS)[1:-1]} "
            f"FROM rebuild_standings e {missing if kept else ''}ORDER BY e.registration_id",
            params,
        )
        if drift.days:
            # From nothing (a first build), a plain insert; else only what differs.
            kept = scalar(f"SELECT EXISTS ({_KEPT.format(table=day_table)})")
            if kept:
                cursor.execute(
                    f"DELETE FROM {day_table} k WHERE k.campaign_id = %(campaign)s AND NOT "
                    f"EXISTS (SELECT 1 FROM rebuild_days e WHERE {day_key} AND {same_day})",
                    params,
                )
            missing = f"WHERE NOT EXISTS (SELECT 1 FROM {day_table} k WHERE {day_key}) "
            cursor.execute(
                f"INSERT INTO {day_table} "
                "(campaign_id, registration_id, day, distance_m, activities, steps, "
                "steps_estimated, reached_at) SELECT %(campaign)s, e.reg, e.day, e.metres, e.n, "
                "e.steps, e.estimated, e.reached FROM rebuild_days e "
                f"{missing if kept else ''}ORDER BY e.reg, e.day",
                params,
            )
        if drift.totals:
            figures = ", ".join(_TOTAL_FIGURES)
            cursor.execute(
                f"DELETE FROM {total} k WHERE k.campaign_id = %(campaign)s AND NOT EXISTS "
                f"(SELECT 1 FROM rebuild_totals e WHERE {total_key} AND {same_total} "
                f"AND {_tuple('e', _TOTAL_FIGURES)} <> (0, 0, 0, 0))",
                params,
            )
            cursor.execute(
                f"INSERT INTO {total} (campaign_id, scope, key, shard, {figures}) "
                f"SELECT %(campaign)s, e.scope, e.key, e.shard, {figures} FROM rebuild_totals e "
                f"WHERE {_tuple('e', _TOTAL_FIGURES)} <> (0, 0, 0, 0) AND NOT EXISTS "
                f"(SELECT 1 FROM {total} k WHERE k.campaign_id = %(campaign)s AND {total_key})",
                params,
            )
        if drift.buckets:
            cursor.execute(
                f"DELETE FROM {bucket} k WHERE k.campaign_id = %(campaign)s AND NOT EXISTS "
                f"(SELECT 1 FROM rebuild_buckets e WHERE {bucket_key} AND e.count = k.count)",
                params,
            )
            cursor.execute(
                f"INSERT INTO {bucket} (campaign_id, bucket, shard, count) "
                f"SELECT %(campaign)s, e.bucket, e.shard, e.count FROM rebuild_buckets e "
                f"WHERE NOT EXISTS (SELECT 1 FROM {bucket} k "
                f"WHERE k.campaign_id = %(campaign)s AND {bucket_key})",
                params,
            )
    return drift
