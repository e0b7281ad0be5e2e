"""Jobs through real queues: Redis (as in production) and SQLite (the default
without REDIS_URL). Each test builds its own huey on a fresh queue and works it
with huey's own worker calls, so the order and the retries are huey's."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey
from huey.exceptions import TaskException
from huey.utils import utcnow

from core.tasks import send_email

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(params=[pytest.param("redis", marks=pytest.mark.redis), "sqlite"])
def queue(request, tmp_path):
    name = f"kindsteps-test-{uuid.uuid4().hex}"
    if request.param == "redis":
        huey = RedisHuey(name, url=REDIS_TEST_URL)
    else:
        huey = SqliteHuey(name, filename=str(tmp_path / "huey.sqlite3"))
    yield huey
    huey.flush()


def work(huey, timestamp=None) -> None:
    """What a worker does: take each waiting task and run it."""
    while huey.pending_count():
        huey.execute(huey.dequeue(), timestamp)


def test_queue_runs_tasks_in_the_order_they_were_enqueued(queue):
    ran: list[int] = []

    @queue.task()
    def record(number: int) -> int:
        ran.append(number)
        return number * 10

    results = [record(n) for n in range(1, 6)]
    assert ran == []  # nothing runs until a worker takes it
    assert queue.pending_count() == 5

    work(queue)

    assert ran == [1, 2, 3, 4, 5]
    assert [r.get() for r in results] == [10, 20, 30, 40, 50]
    assert queue.pending_count() == 0


def test_failing_task_is_retried_the_configured_number_of_times_a_minute_apart(queue):
    attempts: list[int] = []

    # The retry policy of the site's mail job, on a job whose server is down.
    @queue.task(retries=send_email.retries, retry_delay=send_email.retry_delay)
    def flaky() -> None:
        attempts.append(1)
        raise ConnectionRefusedError("mail server unreachable")

    result = flaky()
    work(queue)
    assert len(attempts) == 1

    for _retry in range(send_email.retries):
        # Not due before the delay has passed ...
        assert queue.read_schedule(utcnow() + timedelta(seconds=30)) == []
        # ... due once it has.
        later = utcnow() + timedelta(seconds=send_email.retry_delay + 1)
        due = queue.read_schedule(later)
        assert len(due) == 1
        queue.execute(due[0], later)

    assert len(attempts) == 1 + 3
    assert queue.scheduled_count() == 0
    assert queue.pending_count() == 0
    with pytest.raises(TaskException, match="mail server unreachable"):
        result.get()


def huey_from_settings(tmp_path: Path, **env: str) -> str:
    """Load the real settings the way ``run_huey`` does and describe the queue."""
    script = (
        "import django; django.setup()\n"
        "from huey.contrib.djhuey import HUEY\n"
        "storage = HUEY.storage\n"
        "print(type(HUEY).__name__, HUEY.name, HUEY.immediate)\n"
        "if type(HUEY).__name__ == 'RedisHuey':\n"
        "    kwargs = storage.conn.connection_pool.connection_kwargs\n"
        "    print(kwargs['host'], kwargs['port'], kwargs['db'], storage.conn.ping())\n"
        "else:\n"
        "    print(storage.filename)\n"
    )
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "HUEY_IMMEDIATE", "DATABASE_URL"}
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="kindsteps.settings",
        KINDSTEPS_VAR_DIR=str(tmp_path),
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_settings_queue_jobs_in_sqlite_under_var_dir_by_default(tmp_path):
    assert huey_from_settings(tmp_path).split() == [
        "SqliteHuey",
        "kindsteps",
        "False",
        str(tmp_path / "huey.sqlite3"),
    ]


@pytest.mark.redis
def test_settings_queue_jobs_in_redis_when_redis_url_is_set(tmp_path):
    assert huey_from_settings(tmp_path, REDIS_URL=REDIS_TEST_URL).split() == [
        "RedisHuey",
        "kindsteps",
        "False",
        "127.0.0.1",
        "6379",
        REDIS_TEST_URL.rsplit("/", 1)[1],
        "True",
    ]
