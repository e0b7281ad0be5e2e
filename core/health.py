"""``/healthz``: can this node serve? The database, Redis (when configured), the job
queue's lag and the free disk, as JSON; 200 when every check passes, 503 otherwise, so a
load balancer takes a sick node out (docs/deployment.md, "Health and metrics")."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from huey.contrib.djhuey import HUEY

# Where core.tasks.queue_heartbeat leaves its last run, in huey's own key-value store
# (Redis in production, the SQLite file otherwise): shared by every node and worker.
HEARTBEAT_KEY = "kindsteps:queue-heartbeat"
HEARTBEAT_EVERY = 60  # seconds: the heartbeat is a periodic job, once a minute


def record_heartbeat(sent_at: float, now: float | None = None) -> float:
    """Store when a heartbeat queued at ``sent_at`` ran, and how long it waited in the
    queue behind the other jobs: the queue's lag."""
    now = time.time() if now is None else now
    lag = max(now - sent_at, 0.0)
    HUEY.put(HEARTBEAT_KEY, {"at": now, "lag": lag})
    return lag


def queue_lag(now: float | None = None) -> float | None:
    """Seconds a job waits in the queue, or None before the first heartbeat. A heartbeat
    missing for longer than its period means the queue is at least that late."""
    beat = HUEY.get(HEARTBEAT_KEY, peek=True)
    if not beat:
        return None
    now = time.time() if now is None else now
    return round(max(beat["lag"], now - beat["at"] - HEARTBEAT_EVERY, 0.0), 1)


def queue_depth() -> int:
    return HUEY.pending_count()


def _database() -> dict[str, object]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _redis() -> dict[str, object]:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False}
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True, "configured": True}


def _queue() -> dict[str, object]:
    lag = queue_lag()
    return {
        "ok": lag is None or lag <= settings.HEALTHZ_MAX_QUEUE_LAG,
        "pending": queue_depth(),
        "lag_seconds": lag,
        "max_lag_seconds": settings.HEALTHZ_MAX_QUEUE_LAG,
    }


def _disk() -> dict[str, object]:
    places = {"media": Path(settings.MEDIA_ROOT), "var": Path(settings.VAR_DIR)}
    free = {}
    for name, place in places.items():
        while not place.exists() and place != place.parent:
            place = place.parent
        free[name] = shutil.disk_usage(place).free // (1024 * 1024)
    return {
        "ok": min(free.values()) >= settings.HEALTHZ_MIN_FREE_DISK,
        "free_mib": free,
        "min_free_mib": settings.HEALTHZ_MIN_FREE_DISK,
    }


CHECKS = {"database": _database, "redis": _redis, "queue": _queue, "disk": _disk}


def run_checks() -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # whatever breaks a dependency is what /healthz reports
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return results


@never_cache
@require_GET
def healthz(request):
    checks = run_checks()
    healthy = all(result["ok"] for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": checks},
        status=200 if healthy else 503,
    )
