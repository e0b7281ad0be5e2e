"""The production stack, end to end: `scripts/production up` starts nginx, gunicorn and
huey on PostgreSQL and Redis; a participant signs in, uploads a GPX through the API and
another through the upload page (which the workers read), finds the kilometres on the
board, and the stack stops. Once with one node of each, once with two web nodes and two
workers keeping the originals on a shared S3 store (moto's server as the stand-in)."""

import json
import os
import re
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import boto3
import httpx
import pytest
import redis
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone

from activities.models import StoredFile, Upload, UploadStatus
from activities.synthetic import gpx_track
from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from conftest import PASSWORD
from core import formatting
from standings.models import Standing

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.production,
    pytest.mark.real_clock,  # the stack's processes live on the real clock
    pytest.mark.django_db(transaction=True),  # they read what the test commits
]
STACKS = {
    # name: (nginx's port, web nodes, workers, S3)
    "one-node": (8200, 1, 1, False),
    "two-nodes-s3": (8205, 2, 2, True),
}
WORKER_TIMEOUT = 60  # seconds for a queued upload to be credited


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    return tmp_path_factory.mktemp("static")


@pytest.fixture(params=list(STACKS))
def stack(request, postgres_url, static_root, tmp_path):
    port, web, workers, s3 = STACKS[request.param]
    redis_url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    redis.Redis.from_url(redis_url).flushdb()  # no job or session of an earlier run
    run_dir = tmp_path / "run"
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "REDIS_URL": redis_url,
        "STATIC_ROOT": str(static_root),
        "KINDSTEPS_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "production-stack-test-" + "x" * 40,
        "HUEY_IMMEDIATE": "0",
    }
    env.pop("KINDSTEPS_TESTING", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [str(ROOT / "scripts" / "production"), "--run-dir", str(run_dir)]
    options = ["--port", str(port), "--web", str(web), "--workers", str(workers)]
    if s3:
        options.append("--s3")
    if (static_root / "staticfiles.json").exists():
        options.append("--skip-static")
    started = subprocess.run(
        [*command, "up", *options], env=env, capture_output=True, text=True, timeout=300
    )
    assert started.returncode == 0, started.stderr
    state = json.loads(started.stdout)
    state["s3"] = s3
    state["env"] = env
    try:
        yield state
    finally:
        stopped = subprocess.run(
            [*command, "down"], env=env, capture_output=True, text=True, timeout=120
        )
        assert stopped.returncode == 0, stopped.stderr
    assert not any(_alive(p["pid"]) for p in state["processes"])


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _logs(stack) -> str:
    """The end of each process's log, for an assertion's message."""
    return "\n".join(
        f"== {p['name']}\n{Path(p['log']).read_text()[-3000:]}" for p in stack["processes"]
    )


def _walk(hours_ago: float, km: float) -> bytes:
    start = timezone.now() - timedelta(hours=hours_ago)
    return gpx_track(start, km, 600, sport="walking")


def _sign_in(client: httpx.Client, user) -> None:
    # The suite hashes with MD5 for speed; the stack knows only the production hashers.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "stacksalt", iterations=1000)
    user.save(update_fields=["password"])
    email = user.email
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        data={
            "login": email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )
    assert response.status_code == 302, response.text[:2000]
    assert "sessionid" in client.cookies


def test_participant_uploads_and_finds_the_km_on_the_board(stack, tree, participant):
    now = timezone.now()
    campaign = CampaignFactory(
        organiser_unit=tree["LA"],
        starts_at=now - timedelta(days=3),
        ends_at=now + timedelta(days=30),
        registration_opens_at=now - timedelta(days=10),
        registration_closes_at=now + timedelta(days=30),
    )
    RegistrationFactory(campaign=campaign, user=participant, registered_at=now - timedelta(days=5))

    with httpx.Client(base_url=stack["url"], timeout=30) as client:
        _sign_in(client, participant)
        csrf = {"X-CSRFToken": client.cookies["csrftoken"]}

        # Through the API: a small file is read at once by the web node.
        response = client.post(
            "/api/v1/activities",
            params={"filename": "morning.gpx"},
            content=_walk(hours_ago=30, km=3.2),
            headers={**csrf, "Content-Type": "application/octet-stream"},
        )
        assert response.status_code == 201, _logs(stack)
        assert response.json()[0]["status"] == UploadStatus.DONE

        # Through the upload page: queued, read by a worker from the shared storage.
        response = client.post(
            "/activities/upload/",
            files={"files": ("evening.gpx", _walk(hours_ago=6, km=2.5), "application/gpx+xml")},
            data={"csrfmiddlewaretoken": client.cookies["csrftoken"]},
        )
        assert response.status_code == 200
        deadline = time.monotonic() + WORKER_TIMEOUT
        queued = Upload.objects.get(user=participant, filename="evening.gpx")
        while queued.status not in (UploadStatus.DONE, UploadStatus.FAILED):
            assert time.monotonic() < deadline, "the workers did not read the upload"
            time.sleep(0.5)
            queued.refresh_from_db()
        assert queued.status == UploadStatus.DONE, queued.results

        line = Standing.objects.get(registration__campaign=campaign)
        assert line.activities == 2 and 5500 <= line.distance_m <= 5900
        board = client.get(f"/c/{campaign.slug}/standings/")
        assert board.status_code == 200
        row = re.search(rf"{participant.full_name}.*?</tr>", board.text, re.S)
        assert row and f">{formatting.km(line.distance_m)}<" in row.group(0)

        # Signed in, the board is built for the participant, past nginx's cache.
        assert board.headers["Cache-Control"] == "private"
        assert board.headers.get("X-Cache-Status") in (None, "BYPASS")

        # Anonymous visitors share one copy: the second is nginx's, and a conditional GET
        # of it is answered 304.
        with httpx.Client(base_url=stack["url"], timeout=30) as visitor:
            first = visitor.get(f"/c/{campaign.slug}/standings/")
            second = visitor.get(f"/c/{campaign.slug}/standings/")
            again = visitor.get(
                f"/c/{campaign.slug}/standings/", headers={"If-None-Match": first.headers["ETag"]}
            )
        assert first.status_code == second.status_code == 200, _logs(stack)
        assert first.headers["Cache-Control"].startswith("public, max-age=")
        assert "set-cookie" not in first.headers
        assert second.headers["X-Cache-Status"] == "HIT"
        assert second.text == first.text and participant.full_name in second.text
        assert again.status_code == 304

        # What an operator watches, through the proxy from this machine.
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        metrics = client.get("/metrics").text
        assert 'kindsteps_upload_to_credit_seconds{quantile="0.95"}' in metrics
        assert "kindsteps_queue_depth" in metrics
        assert "django_http_requests_total_by_view_transport_method_total" in metrics

    originals = [f.content.name for f in StoredFile.objects.all()]
    assert len(originals) == 2
    media = Path(stack["env"]["KINDSTEPS_VAR_DIR"]) / "media"
    if stack["s3"]:
        env = stack["env"]
        bucket = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{int(stack['url'].rsplit(':', 1)[1]) + 10}",
            region_name="us-east-1",
            aws_access_key_id="kindsteps-local",
            aws_secret_access_key="kindsteps-local",
        ).list_objects_v2(Bucket=env.get("S3_BUCKET", "kindsteps"))
        assert sorted(o["Key"] for o in bucket["Contents"]) == sorted(originals)
        assert not (media / "originals").exists()
        # Both web nodes took requests from nginx.
        logs = [
            Path(p["log"]).read_text() for p in stack["processes"] if p["name"].startswith("web")
        ]
        assert len(logs) == 2 and all('"logger": "kindsteps.request"' in log for log in logs)
    else:
        assert sorted(
            str(p.relative_to(media)) for p in (media / "originals").rglob("*") if p.is_file()
        ) == sorted(originals)
