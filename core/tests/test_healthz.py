"""`/healthz` for load balancers: 200 and every check's figures when the node can serve,
503 naming the failing part when it cannot (database, Redis, the queue's lag, disk)."""

import time

import pytest

from core.health import HEARTBEAT_EVERY, queue_lag, record_heartbeat


@pytest.fixture(autouse=True)
def no_heartbeat():
    from huey.contrib.djhuey import HUEY

    HUEY.get("kindsteps:queue-heartbeat")  # reading it takes it away
    yield
    # Nor one after: a late heartbeat left here would fail the next test's /healthz.
    HUEY.get("kindsteps:queue-heartbeat")


def test_a_healthy_node_answers_200_with_each_check(client, db):
    record_heartbeat(time.time() - 2)
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "queue", "disk"}
    assert body["checks"]["queue"]["lag_seconds"] == pytest.approx(2, abs=1)
    assert body["checks"]["disk"]["free_mib"]["media"] > 0
    assert response["Cache-Control"].startswith("max-age=0")


def test_an_unreachable_redis_fails_the_node(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    redis = response.json()["checks"]["redis"]
    assert response.status_code == 503 and response.json()["status"] == "failing"
    assert redis["ok"] is False and "ConnectionError" in redis["error"]


def test_a_queue_far_behind_fails_the_node(client, db, settings):
    settings.HEALTHZ_MAX_QUEUE_LAG = 300
    record_heartbeat(time.time() - 400)  # a job waited 400 s for a worker
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"]["lag_seconds"] >= 400


def test_a_heartbeat_that_stopped_coming_counts_as_lag():
    record_heartbeat(sent_at=1000.0, now=1001.0)
    assert queue_lag(now=1001.0 + HEARTBEAT_EVERY + 500) == 500


def test_no_heartbeat_yet_is_not_a_failure(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["queue"]["lag_seconds"] is None


def test_a_full_disk_fails_the_node(client, db, settings):
    settings.HEALTHZ_MIN_FREE_DISK = 10**12  # MiB: more than any disk holds
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["disk"]["ok"] is False


def test_healthz_answers_only_get(client, db):
    assert client.post("/healthz").status_code == 405
