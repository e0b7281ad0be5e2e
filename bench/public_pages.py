"""The public pages with and without their shared copy (core/public_pages.py): N
anonymous requests in a row, through Django's test client (no server, no network), to
the seeded demo's campaign page and its board, first with PUBLIC_PAGE_CACHE_SECONDS=0
(each visitor's page built for them: as before the cache), then with the default 30 s.

    .venv/bin/python bench/public_pages.py [N]

Runs on a throwaway SQLite database under a temporary KINDSTEPS_VAR_DIR, seeded by
``seed_demo``; prints one JSON line per page and setting (requests/s, p50, p95 in ms,
database queries per request)."""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(n: int) -> None:
    os.environ["KINDSTEPS_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-public-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kindsteps.settings")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["KINDSTEPS_TESTING"] = "1"  # static files by name, without collectstatic
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from campaigns.models import Campaign

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    campaign = Campaign.objects.filter(is_published=True).order_by("-starts_at").first()
    pages = {
        "campaign page": f"/c/{campaign.slug}/",
        "board": f"/c/{campaign.slug}/standings/",
    }
    for seconds in (0, 30):
        with override_settings(PUBLIC_PAGE_CACHE_SECONDS=seconds):
            for name, url in pages.items():
                Client().get(url)  # warm: templates compiled, the copy built
                times = []
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    for _ in range(n):
                        t0 = time.perf_counter()
                        response = Client().get(url)
                        times.append((time.perf_counter() - t0) * 1000)
                        assert response.status_code == 200
                    elapsed = time.perf_counter() - started
                times.sort()
                print(
                    json.dumps(
                        {
                            "bench": "public_pages",
                            "page": name,
                            "cache_seconds": seconds,
                            "requests": n,
                            "requests_per_s": round(n / elapsed, 1),
                            "p50_ms": round(statistics.median(times), 2),
                            "p95_ms": round(times[int(0.95 * (n - 1))], 2),
                            "queries_per_request": round(len(queries) / n, 1),
                            "load_average": os.getloadavg()[0],
                        }
                    ),
                    flush=True,
                )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
