"""Time the import of a 12,000-unit tree (national → 34 provinces → communes →
schools, health stations and enterprises) into a fresh database.

DATABASE_URL picks the database (default: SQLite in a temporary directory). A
PostgreSQL database named in DATABASE_URL is created for the run and dropped
after it. Prints one JSON object."""

import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
UNITS = 12_000
PROVINCES = 34
COMMUNES_PER_PROVINCE = 88
LEAF_KINDS = ("school", "health", "enterprise")


def tree_rows() -> list[list[str]]:
    rows = [["VN", "Trung ương Hội Chữ thập đỏ Việt Nam", "national", ""]]
    for p in range(1, PROVINCES + 1):
        province = f"P{p:02}"
        rows.append([province, f"Tỉnh hội {p}", "province", "VN"])
        for c in range(1, COMMUNES_PER_PROVINCE + 1):
            commune = f"{province}-C{c:03}"
            rows.append([commune, f"Hội CTĐ xã {c}, tỉnh {p}", "commune", province])
            for kind in LEAF_KINDS:
                rows.append(
                    [f"{commune}-{kind[0].upper()}", f"Chi hội {kind} xã {c}", kind, commune]
                )
    # Keep parents of every kept row: leaves are last within each commune, so
    # dropping from the end only drops leaves.
    rows = rows[:UNITS]
    random.Random(7).shuffle(rows)  # the order of rows in a file does not matter
    return rows


def write_file(directory: Path) -> Path:
    path = directory / "units.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "name", "kind", "parent_code"])
        writer.writerows(tree_rows())
    return path


def postgres_admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="kindsteps-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kindsteps.settings"
    os.environ["KINDSTEPS_VAR_DIR"] = str(work / "var")
    url = os.environ.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
    postgres = url.startswith(("postgres://", "postgresql://"))
    if postgres:
        name = urlsplit(url).path.lstrip("/")
        postgres_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
        postgres_admin(url, f'CREATE DATABASE "{name}"')
    sys.path.insert(0, str(ROOT))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        from orgs.importing import import_units
        from orgs.models import Unit

        call_command("migrate", verbosity=0)
        data = write_file(work).read_bytes()
        started = time.perf_counter()
        result = import_units(data, "units.csv")
        seconds = time.perf_counter() - started
        assert result.created == UNITS, result
        assert Unit.objects.find_problems() == ([], [], [], [], [])
        vendor = connection.vendor
        connections.close_all()
    finally:
        if postgres:
            postgres_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    print(
        json.dumps(
            {
                "benchmark": "import_units",
                "units": UNITS,
                "seconds": round(seconds, 2),
                "database": "postgresql" if vendor == "postgresql" else vendor,
            }
        )
    )


if __name__ == "__main__":
    main()
