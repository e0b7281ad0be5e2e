"""How fast the target dashboard and a district's workbook come out on the
standings data set (12,000 units, 1,000,000 participants).

On PostgreSQL only. Runs on a database of its own,
`kindsteps_bench_dashboard_<participants>`: a copy of the standings benchmark's
database (`kindsteps_bench_standings_<participants>`, see bench/standings.py)
when that exists, else generated with bench/_standings_data.py at BENCH_SCALE
(default 0.02; BENCH_STANDINGS_FULL=1 for the full set) and its standings
rebuilt. It is migrated (the dashboards migration backfills the participation
history), then registrations are spread over 45 days with some withdrawals and
100 donations per 1,000 participants are added, and the history is recorded
again from those rows. The copy is kept for the next run
(BENCH_DASHBOARD_DROP=1 drops it at the end).

Measures, one JSON object per line:
- the dashboard page of the national root (HTTP through Django's test client,
  template included), today: p50/p95 over BENCH_SAMPLES (default 40), target
  p95 ≤ 200 ms — as visitors get it (the donation sums are kept 30 s) and
  cold (those sums computed for every request); a past day and a random
  district, cold;
- the XLSX workbook of a random district (participants, donations and every
  level): seconds per workbook over 5 districts, target ≤ 5 s.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
TARGETS = {"dashboard_p95_ms": 200.0, "xlsx_district_s": 5.0}


def standings_bench():
    import importlib.util

    spec = importlib.util.spec_from_file_location("_bench_standings", HERE / "standings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def emit(**fields) -> None:
    print(json.dumps({"bench": "dashboard", **fields}, ensure_ascii=False), flush=True)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> int:
    sb = standings_bench()
    size = sb.scale()
    data = sb.data_module()
    participants = max(100, round(data.PARTICIPANTS * size))
    source = sb.database_url(participants)
    url = urlunsplit(urlsplit(source)._replace(path=f"/kindsteps_bench_dashboard_{participants}"))
    name = urlsplit(url).path.lstrip("/")
    exists = sb.admin(url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
    copied = False
    if not exists:
        source_name = urlsplit(source).path.lstrip("/")
        if sb.admin(url, f"SELECT 1 FROM pg_database WHERE datname = '{source_name}'"):
            log(f"copying {source_name} (no one may be connected to it)")
            sb.admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{source_name}"')
            copied = True
        else:
            sb.admin(url, f'CREATE DATABASE "{name}"')
    sb.setup_django(url)
    try:
        prepare(sb, data, participants, fresh=not exists, copied=copied, scale=size)
        measure(participants)
    finally:
        if os.environ.get("BENCH_DASHBOARD_DROP") == "1":
            from django.db import connections

            connections.close_all()
            sb.admin(url, f'DROP DATABASE "{name}"')
    return 0


def prepare(sb, data, participants: int, *, fresh: bool, copied: bool, scale: float) -> None:
    from django.core.management import call_command
    from django.db import connection

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'django_migrations'"
        )
        migrated = cursor.fetchone()[0] and _dashboards_migrated(cursor)
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'orgs_unit'"
        )
        empty = not cursor.fetchone()[0]
    fresh = fresh or not migrated
    if empty:
        call_command("migrate", verbosity=0)
        campaign = data.generate(scale, log=log)
        from standings.rebuild import rebuild_campaign

        rebuild_campaign(campaign, fix=True)
    if fresh:
        with connection.cursor() as cursor:
            # Registrations over 45 days up to the third campaign day; 1 % withdrew later.
            cursor.execute("SELECT id FROM campaigns_campaign WHERE slug = %s", [data.SLUG])
            campaign_id = cursor.fetchone()[0]
            cursor.execute(
                "UPDATE campaigns_registration SET registered_at = %s - interval '42 days' "
                "+ (id %% 45) * interval '1 day' + (id %% 613) * interval '1 minute', "
                "withdrawn_at = CASE WHEN status = 'withdrawn' THEN %s + (id %% 20) "
                "* interval '1 day' END WHERE campaign_id = %s",
                [data.STARTS, data.STARTS, campaign_id],
            )
            cursor.execute(
                "UPDATE campaigns_campaign SET registration_opens_at = %s - interval '42 days' "
                "WHERE id = %s",
                [data.STARTS, campaign_id],
            )
    # The dashboards migration records the history of the registrations above.
    # Only the apps read here: the standings tables are the standings benchmark's.
    call_command("migrate", "donations", verbosity=0)
    call_command("migrate", "dashboards", verbosity=0)
    if not fresh:
        return
    from campaigns.models import Campaign, TargetRule
    from dashboards.history import backfill

    campaign = Campaign.objects.get(slug=data.SLUG)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO donations_donation (campaign_id, unit_id, amount, method, status,
                reference, donor_name, is_anonymous, message, email, provider_ref,
                provider_data, receipt_number, created_at, paid_at)
            SELECT %(campaign)s, 2 + floor(random() * (SELECT max(id) - 1 FROM orgs_unit)),
                (1 + floor(random() * 50)) * 10000, 'cash', 'paid', 'B' || lpad(g::text, 11, '0'),
                'Nhà hảo tâm ' || g, random() < 0.2, '', '', '', '{}', '', %(starts)s,
                %(starts)s + random() * interval '30 days'
            FROM generate_series(1, %(n)s) g
            """,
            {"campaign": campaign.pk, "starts": data.STARTS, "n": participants // 10},
        )
    for kind, target in (("province", 10000), ("district", 1300), ("commune", 60)):
        TargetRule.objects.get_or_create(
            campaign=campaign, unit=None, unit_kind=kind, defaults={"participants": target}
        )
    TargetRule.objects.get_or_create(
        campaign=campaign, unit_id=1, unit_kind="", defaults={"participants": 900_000}
    )
    added = backfill(campaign)  # rows generated after the migration (a fresh data set)
    with connection.cursor() as cursor:
        for table in (
            "dashboards_participationchange",
            "dashboards_participationday",
            "donations_donation",
            "campaigns_registration",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    log(f"prepared in {time.perf_counter() - began:.0f} s ({added} changes added)")


def _dashboards_migrated(cursor) -> bool:
    cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'dashboards'")
    return bool(cursor.fetchone()[0])


def ms(seconds: list[float]) -> dict:
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49] * 1000, 1), "p95_ms": round(cuts[94] * 1000, 1)}


def measure(participants: int) -> None:
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from campaigns.models import Campaign
    from dashboards import data, reports
    from orgs.models import Unit

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # Django's test client
    # The static files' manifest exists after `collectstatic` only, which `make bench` skips.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    campaign = Campaign.objects.get(slug=standings_bench().data_module().SLUG)
    admin = User.objects.filter(email="bench-admin@bench.invalid").first()
    if admin is None:
        admin = User.objects.create_superuser("bench-admin@bench.invalid", "x")
    client = Client()
    client.force_login(admin)
    root = Unit.objects.get(depth=1)
    districts = list(Unit.objects.filter(kind="district").values_list("code", flat=True))
    rng = random.Random(7)
    samples = int(os.environ.get("BENCH_SAMPLES", "40"))
    units = Unit.objects.count()
    last = data.last_day(campaign)
    past = (last - (last - data.first_day(campaign)) / 2).isoformat()

    from django.core.cache import cache

    def page(code: str, cold: bool = False, **query) -> float:
        if cold:
            cache.clear()  # the donation sums computed again, as every 30 s
        began = time.perf_counter()
        response = client.get(reverse("dashboards:unit", args=[campaign.slug, code]), query)
        took = time.perf_counter() - began
        assert response.status_code == 200, response.status_code
        return took

    for label, codes, query in (
        ("national_today", [root.code], {}),
        ("national_today_cold", [root.code], {"cold": True}),
        ("national_past_day", [root.code], {"as_of": past, "cold": True}),
        ("district_today", districts, {"cold": True}),
    ):
        page(codes[0], **query)  # warm up
        # A past day sums the person-days: slower, and not what the target is about.
        count = min(samples, 8) if "as_of" in query else samples
        times = [page(rng.choice(codes), **query) for _ in range(count)]
        figures = ms(times)
        met = figures["p95_ms"] <= TARGETS["dashboard_p95_ms"]
        emit(
            measure=f"dashboard_{label}",
            participants=participants,
            units=units,
            samples=count,
            **figures,
            target_p95_ms=TARGETS["dashboard_p95_ms"],
            met=met if label != "national_past_day" else None,
        )

    day = data.default_day(campaign)
    times, sizes = [], []
    for code in rng.sample(districts, 5):
        unit = Unit.objects.get(code=code)
        began = time.perf_counter()
        body = reports.workbook_bytes(campaign, unit, day, contacts=True)
        times.append(time.perf_counter() - began)
        sizes.append(len(body))
    emit(
        measure="xlsx_district",
        participants=participants,
        districts=5,
        max_s=round(max(times), 2),
        mean_s=round(statistics.mean(times), 2),
        mean_kb=round(statistics.mean(sizes) / 1024),
        target_s=TARGETS["xlsx_district_s"],
        met=max(times) <= TARGETS["xlsx_district_s"],
    )


if __name__ == "__main__":
    sys.exit(main())
