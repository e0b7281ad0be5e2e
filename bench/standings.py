"""How fast the standings keep up and answer on a campaign of a million participants.

On PostgreSQL only. The data set (bench/_standings_data.py) is generated into a
database of its own, `kindsteps_bench_standings_<participants>` on the server
of BENCH_DATABASE_URL (else DATABASE_URL if it is PostgreSQL, else
postgres://postgres@127.0.0.1:5432/), when that database does not exist yet.
A database this script created is dropped at the end unless
BENCH_STANDINGS_KEEP=1; one that existed is reused and kept.

BENCH_STANDINGS_REBUILD=0 skips the rebuild (to measure the rest again on a kept
data set). Size: BENCH_STANDINGS_FULL=1 for the issue's data set (1,000,000 participants,
20,000 teams, 12,000 units, about 10,000,000 activities: some 15 GB and half an
hour to load on two cores); otherwise BENCH_SCALE (default 0.02, i.e. 20,000
participants and 200,000 activities, a couple of minutes in all). Every JSON
object says how many participants it was measured on.

Measures, one JSON object per line:
- rebuild: the standings tables emptied (TRUNCATE: the database holds this
  campaign alone), then `rebuild_campaign(fix=True)` from the verdicts, i.e. a
  first build of every line, person-day, total and rank bucket; and a check
  (`fix=False`) of the result, which recomputes everything, must find no drift
  and is what a routine `manage.py rebuild_standings` costs;
- crediting, twice: two worker processes for BENCH_CREDIT_SECONDS (default 20)
  each, repeatedly creating activities with their accepted verdicts for random
  participants and adding them with `standings.services.add_credits` in the same
  transaction, as `activities.judging` does with new accepted verdicts; first one
  activity per transaction (a single upload, `measure: credit`), then
  CREDIT_BATCH per transaction (the files of a tracker's export judged together,
  `measure: credit_batched`); activities per second in total and the time of a
  transaction;
- reads, p50/p95 over BENCH_SAMPLES (default 300) calls each: `board_page`
  (top 50), `my_standing` and `rank_of_distance` for random participants,
  `unit_board(within=<a random district>)`, and the baseline: a plain
  `SELECT count(*) … WHERE campaign_id = %s AND distance_m > %s` over the
  (campaign, distance) index. Ranks are checked against the baseline count.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"
# Activities credited per transaction by a bulk import (a ZIP of a tracker's export).
CREDIT_BATCH = 50
TARGETS = {
    "top_page_p95_ms": 5.0,
    "my_rank_p95_ms": 10.0,
    "my_rank_speedup": 10.0,
    "credits_per_s": 1000.0,
    "rebuild_s": 180.0,
}


def data_module():
    """bench/_standings_data.py, imported by its path."""
    import importlib.util

    if "_standings_data" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "_standings_data", HERE / "_standings_data.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["_standings_data"] = module
        spec.loader.exec_module(module)
    return sys.modules["_standings_data"]


def scale() -> float:
    if os.environ.get("BENCH_STANDINGS_FULL") == "1":
        return 1.0
    return float(os.environ.get("BENCH_SCALE", "0.02"))


def database_url(participants: int) -> str:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = DEFAULT_SERVER
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/kindsteps_bench_standings_{participants}"))


def admin(url: str, sql: str) -> bool:
    """Run one statement on the server's `postgres` database; whether it found rows."""
    import psycopg

    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        cursor = conn.execute(sql)
        return bool(cursor.description and cursor.fetchall())


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kindsteps.settings"
    # This file's folder first on the path would make `standings` this script.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ms(seconds: list[float]) -> dict:
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49] * 1000, 3), "p95_ms": round(cuts[94] * 1000, 3)}


def timed(call, samples) -> list[float]:
    out = []
    for sample in samples:
        began = time.perf_counter()
        call(sample)
        out.append(time.perf_counter() - began)
    return out


def emit(**fields) -> None:
    print(json.dumps({"bench": "standings", **fields}, ensure_ascii=False), flush=True)


# Crediting: each worker is this script run with
# `credit <url> <seed> <start> <seconds> <batch>`.


def credit_worker(url: str, seed: int, start_at: float, seconds: float, batch: int) -> None:
    setup_django(url)
    from datetime import timedelta

    from django.db import connection, transaction

    data = data_module()
    DAYS, SLUG, STARTS = data.DAYS, data.SLUG, data.STARTS
    from activities.models import Activity, Verdict, VerdictStatus
    from campaigns.models import Campaign
    from standings import services

    campaign = Campaign.objects.get(slug=SLUG)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, user_id FROM campaigns_registration "
            "WHERE campaign_id = %s AND status = 'active'",
            [campaign.pk],
        )
        people = cursor.fetchall()
    rng = random.Random(seed)
    durations = []
    while time.time() < start_at:
        time.sleep(0.01)
    deadline = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < deadline:
        began = time.perf_counter()
        with transaction.atomic():
            activities, owners = [], []
            for _ in range(batch):
                registration_id, user_id = rng.choice(people)
                distance = rng.randint(1000, 12000)
                started = STARTS + timedelta(seconds=rng.randrange(DAYS * 86400))
                activity = Activity(
                    user_id=user_id,
                    source="bench",
                    external_id=f"credit-{seed}-{n}-{time.time_ns()}",
                    sport="walk",
                    started_at=started,
                    ended_at=started + timedelta(seconds=distance),
                    elapsed_s=distance,
                    moving_s=distance,
                    distance_m=distance,
                )
                if batch == 1:
                    activity.save()
                activities.append(activity)
                owners.append(registration_id)
                n += 1
            if batch > 1:
                Activity.objects.bulk_create(activities)
            verdicts = [
                Verdict(
                    activity=activity,
                    campaign=campaign,
                    registration_id=registration_id,
                    status=VerdictStatus.ACCEPTED,
                    credited_m=activity.distance_m,
                )
                for activity, registration_id in zip(activities, owners, strict=True)
            ]
            if batch == 1:
                verdicts[0].save()
            else:
                Verdict.objects.bulk_create(verdicts)
            services.add_credits(services.Credit.of(verdict) for verdict in verdicts)
        durations.append(time.perf_counter() - began)
    print(json.dumps({"credits": n, "durations": durations}))


def measure_crediting(url: str, participants: int, seconds: float, batch: int) -> None:
    start_at = time.time() + 8  # both workers set up first
    command = [sys.executable, __file__, "credit", url]
    workers = [
        subprocess.Popen(
            [*command, str(seed), str(start_at), str(seconds), str(batch)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for seed in (batch, batch + 1000)
    ]
    results = []
    for worker in workers:
        out, _err = worker.communicate()
        if worker.returncode:
            raise RuntimeError("a crediting worker failed")
        results.append(json.loads(out.strip().splitlines()[-1]))
    credits = sum(r["credits"] for r in results)
    rate = credits / seconds
    emit(
        measure="credit" if batch == 1 else "credit_batched",
        participants=participants,
        workers=len(workers),
        activities_per_transaction=batch,
        seconds=seconds,
        activities=credits,
        activities_per_s=round(rate, 1),
        per_transaction=ms([d for r in results for d in r["durations"]]),
        target_per_s=TARGETS["credits_per_s"],
        met=rate >= TARGETS["credits_per_s"],
    )


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "credit":
        url, seed, start_at, seconds, batch = sys.argv[2:7]
        credit_worker(url, int(seed), float(start_at), float(seconds), int(batch))
        return 0

    size = scale()
    participants = max(100, round(data_module().PARTICIPANTS * size))
    url = database_url(participants)
    name = urlsplit(url).path.lstrip("/")
    exists = admin(url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
    created = not exists
    keep = exists or os.environ.get("BENCH_STANDINGS_KEEP") == "1"
    if created:
        admin(url, f'CREATE DATABASE "{name}"')
    try:
        setup_django(url)
        run(url, participants, generate=created, scale=size)
    finally:
        if not keep:
            from django.db import connections

            connections.close_all()
            admin(url, f'DROP DATABASE "{name}"')
    return 0


def run(url: str, participants: int, *, generate: bool, scale: float) -> None:
    from django.core.management import call_command
    from django.db import connection

    from campaigns.models import Campaign
    from orgs.models import Unit
    from standings.rebuild import rebuild_campaign

    data = data_module()

    if generate:
        call_command("migrate", verbosity=0)
        began = time.perf_counter()
        data.generate(scale, log=lambda message: print(message, file=sys.stderr))
        load_s = time.perf_counter() - began
    campaign = Campaign.objects.get(slug=data.SLUG)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM activities_verdict WHERE campaign_id = %s", [campaign.pk]
        )
        activities = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM teams_team WHERE campaign_id = %s", [campaign.pk])
        teams = cursor.fetchone()[0]
    units = Unit.objects.count()
    emit(
        measure="data",
        participants=participants,
        teams=teams,
        units=units,
        activities=activities,
        load_s=round(load_s, 1) if generate else None,
    )

    if os.environ.get("BENCH_STANDINGS_REBUILD") != "0":
        rebuild(campaign, participants, activities)
    reads(campaign, participants)
    seconds = float(os.environ.get("BENCH_CREDIT_SECONDS", "20"))
    measure_crediting(url, participants, seconds, batch=1)
    measure_crediting(url, participants, seconds, batch=CREDIT_BATCH)
    began = time.perf_counter()
    drift = rebuild_campaign(campaign, fix=False)
    emit(
        measure="drift_after_crediting",
        participants=participants,
        drift=drift.total,
        check_s=round(time.perf_counter() - began, 2),
    )


def rebuild(campaign, participants: int, activities: int) -> None:
    from django.db import connection

    from standings.rebuild import rebuild_campaign

    # A full rebuild from nothing but the verdicts, then a check of it. The
    # database holds this campaign alone: emptied at once, without dead rows.
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE standings_personday, standings_total, standings_scorebucket, "
            "standings_standing"
        )
    began = time.perf_counter()
    rebuild_campaign(campaign, fix=True)
    rebuild_s = time.perf_counter() - began
    began = time.perf_counter()
    drift = rebuild_campaign(campaign, fix=False)
    check_s = time.perf_counter() - began
    with connection.cursor() as cursor:
        for table in (
            "standings_standing",
            "standings_personday",
            "standings_total",
            "standings_scorebucket",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    emit(
        measure="rebuild",
        participants=participants,
        activities=activities,
        rebuild_s=round(rebuild_s, 2),
        check_s=round(check_s, 2),
        drift_after=drift.total,
        target_s=TARGETS["rebuild_s"],
        met=rebuild_s <= TARGETS["rebuild_s"] and drift.total == 0,
    )


def reads(campaign, participants: int) -> None:
    from django.db import connection

    from campaigns.models import Registration
    from orgs.models import Unit
    from standings import queries

    samples = int(os.environ.get("BENCH_SAMPLES", "300"))
    rng = random.Random(5)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT registration_id, distance_m FROM standings_standing "
            "WHERE campaign_id = %s AND is_active AND distance_m > 0",
            [campaign.pk],
        )
        people = rng.sample(cursor.fetchall(), samples)
    registrations = {r.pk: r for r in Registration.objects.filter(pk__in=[pk for pk, _d in people])}
    districts = list(Unit.objects.filter(kind="district"))

    # Baseline: count the people ahead over the (campaign, distance) index.
    baseline_sql = (
        "SELECT count(*) FROM standings_standing WHERE campaign_id = %s AND distance_m > %s"
    )
    counts = {}

    def baseline(person):
        with connection.cursor() as cursor:
            cursor.execute(baseline_sql, [campaign.pk, person[1]])
            counts[person[0]] = cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + baseline_sql, [campaign.pk, people[0][1]])
        plan = " / ".join(row[0].strip() for row in cursor.fetchall()[:2])
    timed(baseline, people[:20])  # warm the caches for every reader alike
    baseline_s = timed(baseline, people)
    ranks = {}

    def rank(person):
        ranks[person[0]] = queries.rank_of_distance(campaign, person[1])

    timed(rank, people[:20])
    rank_s = timed(rank, people)
    exact = all(ranks[pk] == counts[pk] + 1 for pk, _d in people)

    def mine(person):
        queries.my_standing(campaign, registrations[person[0]])

    timed(mine, people[:20])
    mine_s = timed(mine, people)

    def top(_):
        queries.board_page(campaign, page=1)

    timed(top, range(20))
    top_s = timed(top, range(samples))

    def district(unit):
        queries.unit_board(campaign, within=unit)

    picks = [rng.choice(districts) for _ in range(samples)]
    timed(district, picks[:20])
    district_s = timed(district, picks)

    base = ms(baseline_s)
    emit(measure="baseline_count_ahead", participants=participants, plan=plan, **base)
    emit(
        measure="top_page",
        participants=participants,
        size=queries.PAGE_SIZE,
        **ms(top_s),
        target_p95_ms=TARGETS["top_page_p95_ms"],
        met=ms(top_s)["p95_ms"] <= TARGETS["top_page_p95_ms"],
    )
    for label, seconds in (("rank_of_distance", rank_s), ("my_standing", mine_s)):
        figures = ms(seconds)
        speedup = base["p50_ms"] / figures["p50_ms"]
        emit(
            measure=label,
            participants=participants,
            **figures,
            speedup_over_baseline_p50=round(speedup, 1),
            speedup_over_baseline_p95=round(base["p95_ms"] / figures["p95_ms"], 1),
            exact=exact,
            target_p95_ms=TARGETS["my_rank_p95_ms"],
            met=figures["p95_ms"] <= TARGETS["my_rank_p95_ms"]
            and speedup >= TARGETS["my_rank_speedup"]
            and exact,
        )
    emit(measure="unit_board_district", participants=participants, **ms(district_s))


if __name__ == "__main__":
    sys.exit(main())
