"""How fast certificates are made: a sample of real certificates (PDF and PNG, with
their QR codes, written to the media storage and marked made, through
results.issuing.make, as the background jobs do) by as many worker processes as
the machine has cores, and the time that rate gives for a 100,000-participant
campaign, target ≤ 30 minutes. Beside the wall-clock rate, which other work on a
shared machine slows down, the processor time per certificate and the time the
cores would take if they ran nothing else (``projected_minutes_on_idle_cores``).

Runs on a database of its own (SQLite in a temporary directory, or
BENCH_DATABASE_URL for PostgreSQL), with BENCH_CERTIFICATES (default 2,000)
participants in a frozen campaign (100000 makes the whole 100,000-participant
campaign, about 4.5 GB of files in the temporary directory). BENCH_WORKERS sets
the processes (default: the cores). One JSON object per line on stdout; the
figures are also appended to bench/results/certificates-<date>.jsonl, with
BENCH_NOTE (the conditions of the run) as their "note" when it is set.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_PARTICIPANTS = 100_000
TARGET_MINUTES = 30.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def setup_django(var_dir: str, database_url: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["KINDSTEPS_VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "kindsteps.settings"
    os.environ.setdefault("HUEY_IMMEDIATE", "1")
    os.environ.pop("REDIS_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def seed(count: int) -> int:
    """A frozen campaign with ``count`` ranked participants; the certificates planned."""
    from django.core.management import call_command

    from accounts.models import User
    from campaigns.models import Campaign, Registration
    from orgs.models import Unit, UnitKind
    from results import issuing
    from results.models import Line, LineKind, Results

    call_command("migrate", verbosity=0)
    root = Unit.objects.add_root(
        {"code": "VN", "name": "Trung ương Hội Chữ thập đỏ", "kind": UnitKind.NATIONAL}
    )
    school = Unit.objects.add_child(
        root, {"code": "VN-S", "name": "Hội CTĐ Trường THPT Cần Đước", "kind": UnitKind.SCHOOL}
    )
    ends = datetime(2026, 4, 22, 17, tzinfo=UTC)
    campaign = Campaign.objects.create(
        slug="bench-certificates",
        title_vi="Triệu bước chân nhân ái 2026",
        title_en="A Million Steps of Compassion 2026",
        organiser_unit=root,
        starts_at=ends - timedelta(days=56),
        ends_at=ends,
        registration_opens_at=ends - timedelta(days=70),
        registration_closes_at=ends,
        sports=["walk", "run"],
    )
    family = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Đặng", "Bùi", "Đỗ"]
    given = ["Thị Ánh Tuyết", "Văn Hùng", "Ngọc Hương", "Quốc Bảo", "Thu Trang", "Đức Trí"]
    users = User.objects.bulk_create(
        [
            User(
                email=f"p{i}@bench.example",
                full_name=f"{family[i % 10]} {given[i % 6]}",
                password="!",
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    registrations = Registration.objects.bulk_create(
        [
            Registration(
                campaign=campaign, user=user, bib=i + 1, unit=school, rules_accepted_at=ends
            )
            for i, user in enumerate(users)
        ],
        batch_size=1000,
    )
    results = Results.objects.create(campaign=campaign, frozen_at=ends + timedelta(days=2))
    Line.objects.bulk_create(
        [
            Line(
                results=results,
                kind=LineKind.PERSON,
                key=reg.pk,
                rank=i + 1,
                position=i + 1,
                name=user.full_name,
                bib=reg.bib,
                unit_name=school.name,
                # From 250 km down to 1 km, whatever the count.
                distance_m=(metres := 1_000 + (count - i) * 249_000 // count),
                steps=metres * 4 // 3,
                converted=metres,
            )
            for i, (reg, user) in enumerate(zip(registrations, users, strict=True))
        ],
        batch_size=1000,
    )
    return len(issuing.plan(results))


def _worker(args: tuple[str, str | None, list[int]]) -> tuple[int, float]:
    var_dir, database_url, ids = args
    setup_django(var_dir, database_url)
    from results import issuing

    began, cpu = time.perf_counter(), time.process_time()
    made = issuing.make(ids)
    return made, time.perf_counter() - began, time.process_time() - cpu


def main() -> int:
    count = int(os.environ.get("BENCH_CERTIFICATES", "2000"))
    workers = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 1)))
    database_url = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="ks-bench-certificates-") as var_dir:
        setup_django(var_dir, database_url)
        from django.db import connection, connections

        from results import certificates
        from results.models import Certificate

        began = time.perf_counter()
        planned = seed(count)
        log(f"{planned} certificates planned in {time.perf_counter() - began:.1f} s")
        certificates._subset_font("")  # made once per installation, not per certificate
        ids = list(Certificate.objects.order_by("pk").values_list("pk", flat=True))
        vendor = connection.vendor
        connections.close_all()
        # Interleaved slices: every worker gets names of every length.
        slices = [(var_dir, database_url, ids[index::workers]) for index in range(workers)]
        began = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            done = pool.map(_worker, slices)
        elapsed = time.perf_counter() - began
        made = sum(n for n, _seconds, _cpu in done)
        sample = Certificate.objects.exclude(made_at=None).order_by("pk").first()
        pdf_bytes = sample.pdf.size if sample else 0
        png_bytes = sample.png.size if sample else 0
    rate = made / elapsed
    projected_min = TARGET_PARTICIPANTS / rate / 60
    # The processor time a certificate takes, which other work on the machine changes
    # far less than the wall-clock rate: what the cores would do if they were ours.
    cpu_s = sum(cpu for _n, _seconds, cpu in done) / made
    own_cores_min = TARGET_PARTICIPANTS * cpu_s / workers / 60
    figures = {
        "bench": "certificates",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": vendor,
        "certificates": made,
        "workers": workers,
        "cores": os.cpu_count(),
        # Other work on the machine slows the sample down: read the rate beside it.
        "load_average_1m": round(os.getloadavg()[0], 2),
        "seconds": round(elapsed, 2),
        "per_second": round(rate, 1),
        "ms_per_certificate_per_worker": round(1000 * sum(s for _n, s, _c in done) / made, 1),
        "cpu_ms_per_certificate": round(1000 * cpu_s, 1),
        "pdf_bytes": pdf_bytes,
        "png_bytes": png_bytes,
        "projected_participants": TARGET_PARTICIPANTS,
        "projected_minutes": round(projected_min, 1),
        "target_minutes": TARGET_MINUTES,
        "meets_target": projected_min <= TARGET_MINUTES,
        "projected_minutes_on_idle_cores": round(own_cores_min, 1),
        "meets_target_on_idle_cores": own_cores_min <= TARGET_MINUTES,
    }
    if os.environ.get("BENCH_NOTE"):
        figures["note"] = os.environ["BENCH_NOTE"]
    line = json.dumps(figures, ensure_ascii=False)
    print(line, flush=True)
    out = HERE / "results" / f"certificates-{datetime.now(UTC):%Y-%m-%d}.jsonl"
    with out.open("a", encoding="utf-8") as file:
        file.write(line + "\n")
    return 0 if made == count else 1


if __name__ == "__main__":
    sys.exit(main())
