"""The faults drill: under a light load of uploads and donation callbacks, a worker is
killed mid-upload, Redis and PostgreSQL are restarted and a web node is killed; then
every upload must have been processed exactly once and every paid donation counted once.

    bench/faults.py [--port 8350] [--redis-port 8390] [--pg-port 8391] [--keep] [--note TEXT]

The stack (scripts/production.py: nginx, two web nodes, --workers huey workers) runs on
a PostgreSQL cluster and a Redis server of its own, started here (initdb and pg_ctl from
/usr/lib/postgresql/*/bin, as the postgres user when run by root, data under --run-dir;
redis-server with the append-only file, as docs/deployment.md configures it), so that
restarting them touches nobody else. The campaign is bench/surge.py's
(bench/_stack.py), 2,000 participants.

The load, from loopback with the bench's asyncio client: a participant's upload every
second (real GPX files moved to the last hour, each by another person), alternately
through the upload page (queued, read by a worker) and the API (read by the web node); a
signed VNPay or MoMo IPN every second, a fifth of them sent twice; a few anonymous page
views. Like the recorder app and the gateways, a client sends again (the same bytes, the
same callback) what got no answer or a 5xx, every 2 s, up to 15 times.

The faults, 15 s apart: `kill -9` of the worker (its process group) while an upload is
being read, started again 5 s later; Redis shut down and started again 3 s later;
PostgreSQL stopped (fast) and started again 3 s later; `kill -9` of a web node under
load, started again 5 s later. Then the queue drains. An upload a killed worker had in
hand waits for the sweep (activities.tasks.resume_stale_uploads: every 5 minutes, for
uploads left unfinished 10 minutes); the drill runs that sweep's query itself as of
then, instead of waiting, and says how many it took up.

Checks, from the database: each upload sent is one stored file, one activity, at most
one verdict in the campaign, finished; each person's line grew by exactly their accepted
credits; the rebuild's check (standings.rebuild.rebuild_campaign(fix=False)) finds no
drift anywhere; each paid donation is paid once and the ledger's sum is what was paid.
Prints JSON lines; figures in bench/results/faults-*.jsonl.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import importlib.util
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _stack
from _http import Connection, HttpError, latency_ms

RETRIES = 15
RETRY_EVERY = 2.0
GAP = 15.0  # seconds between two faults
DRAIN_TIMEOUT = 120.0


def production_module():
    spec = importlib.util.spec_from_file_location(
        "production", _stack.ROOT / "scripts" / "production.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- A PostgreSQL cluster and a Redis server of the drill's own ---------------------


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    def __init__(self, root: Path, port: int):
        self.bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        self.data, self.port, self.log = root / "pg", port, root / "pg.log"
        self.socket = root / "pgsock"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/"

    def _run(self, *args: str) -> None:
        subprocess.run(
            _as_postgres([str(self.bin / args[0]), *args[1:]]),
            check=True,
            capture_output=True,
            timeout=120,
        )

    def init(self) -> None:
        shutil.rmtree(self.data, ignore_errors=True)
        for path in (self.data, self.socket):
            path.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(path, "postgres", "postgres")
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.log, "postgres", "postgres")
            shutil.chown(self.data.parent, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


class PrivateRedis:
    def __init__(self, root: Path, port: int):
        self.dir, self.port = root / "redis", port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        log = (self.dir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
                "--maxmemory-policy",
                "noeviction",
                "--daemonize",
                "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        import redis

        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(redis.exceptions.ConnectionError):
                if redis.Redis.from_url(self.url).ping():
                    return
            if time.monotonic() > deadline:
                raise SystemExit("the drill's Redis did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        """A clean shutdown (the append-only file written), as `systemctl restart` does."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


# --- The drill ------------------------------------------------------------------


class Drill:
    def __init__(self, url: str, plan: dict, sessions: dict[int, dict]):
        host, port = url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.plan, self.sessions = plan, sessions
        self.slug = plan["campaign"]
        self.recordings = _stack.Recordings(seed=5)
        self.uploaders = list(plan["uploaders"])
        self.donations = list(plan["donations"])
        self.uploads: list[dict] = []
        self.paid: list[dict] = []
        self.replays: list[dict] = []
        self.statuses: Counter = Counter()
        self.latency: list[float] = []
        self.events: list[dict] = []
        self.began = time.monotonic()
        self.stopping = asyncio.Event()
        self.rng = random.Random(13)
        self.transaction = 20_000_000

    def now(self) -> float:
        return round(time.monotonic() - self.began, 1)

    def note(self, kind: str, status) -> None:
        self.statuses[f"{kind}:{status}"] += 1

    async def send(self, kind: str, build) -> tuple[int | None, bytes, int]:
        """Send until answered without a 5xx, as the app and the gateways do."""
        conn = Connection(self.host, self.port, timeout=30)
        try:
            for attempt in range(1, RETRIES + 1):
                method, path, headers, body = build()
                try:
                    response = await conn.request(method, path, headers=headers, body=body)
                except HttpError:
                    self.note(kind, "no_answer")
                    conn.close()
                else:
                    self.note(kind, response.status)
                    if response.status < 500:
                        self.latency.append(response.seconds)
                        return response.status, response.body, attempt
                await asyncio.sleep(RETRY_EVERY)
            return None, b"", RETRIES
        finally:
            conn.close()

    async def upload_loop(self) -> None:
        index = 0
        while not self.stopping.is_set() and self.uploaders:
            person = self.uploaders.pop(0)
            via = "page" if index % 2 == 0 else "api"
            index += 1
            asyncio.get_running_loop().create_task(self.upload(person, via))
            await asyncio.sleep(1.0)

    async def upload(self, person: dict, via: str) -> None:
        name, data = self.recordings.next()
        record = {
            "user": person["user"],
            "registration": person["registration"],
            "before_m": person["before_m"],
            "filename": name,
            "via": via,
            "sha256": hashlib.sha256(data).hexdigest(),
            "sent_at": self.now(),
        }
        self.uploads.append(record)
        if via == "api":

            def build():
                return (
                    "POST",
                    f"/api/v1/activities?filename={name}",
                    {
                        "Authorization": f"Bearer {person['token']}",
                        "Content-Type": "application/octet-stream",
                    },
                    data,
                )
        else:
            session = self.sessions[person["user"]]
            boundary = secrets.token_hex(12)
            body = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"'
                    f"\r\n\r\n{session['csrftoken']}\r\n--{boundary}\r\nContent-Disposition: "
                    f'form-data; name="files"; filename="{name}"\r\nContent-Type: '
                    f"application/gpx+xml\r\n\r\n"
                ).encode()
                + data
                + f"\r\n--{boundary}--\r\n".encode()
            )
            headers = {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": f"sessionid={session['sessionid']}; csrftoken={session['csrftoken']}",
                "X-KindSteps-Upload": "1",
                "Referer": f"http://{self.host}:{self.port}/activities/upload/",
            }

            def build():
                return "POST", "/activities/upload/", headers, body

        status, _body, attempts = await self.send(f"upload_{via}", build)
        record.update(status=status, attempts=attempts)

    async def donation_loop(self) -> None:
        while not self.stopping.is_set():
            if self.replays and self.rng.random() < 0.2:
                donation, replay = self.replays.pop(0), True
            elif self.donations:
                donation, replay = self.donations.pop(0), False
                self.transaction += 1
                donation["transaction"] = str(self.transaction)
            else:
                break
            asyncio.get_running_loop().create_task(self.donate(donation, replay))
            await asyncio.sleep(1.0)

    async def donate(self, donation: dict, replay: bool) -> None:
        def build():
            return _stack.ipn_request(donation, donation["transaction"])

        status, body, _attempts = await self.send("ipn", build)
        if status is not None and _stack.ipn_taken(donation, status, body):
            if not replay:
                self.paid.append(donation)
                if self.rng.random() < 0.3:
                    self.replays.append(donation)
        elif not replay:
            self.note("ipn", "never_taken")
            donation["never_taken"] = True
            self.paid.append(donation)  # the gateway took the money: it must count

    async def public_loop(self) -> None:
        conn = Connection(self.host, self.port, timeout=30)
        paths = [f"/c/{self.slug}/", f"/c/{self.slug}/standings/", "/healthz"]
        while not self.stopping.is_set():
            try:
                response = await conn.request("GET", self.rng.choice(paths))
                self.note("public", response.status)
            except HttpError:
                self.note("public", "no_answer")
                conn.close()
            await asyncio.sleep(0.5)
        conn.close()


def processing_uploads(database_url: str) -> list[int]:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        return [
            row[0]
            for row in conn.execute(
                "SELECT id FROM activities_upload WHERE status = 'processing'"
            ).fetchall()
        ]


def unfinished_uploads(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM activities_upload WHERE status IN ('pending', 'processing')"
        ).fetchone()[0]


class Stack:
    """The running stack's processes, to kill one and start it again as `up` did."""

    def __init__(self, env: dict, run_dir: Path, port: int):
        self.production = production_module()
        self.run_dir, self.port = run_dir, port
        # What `up` adds to the environment (scripts/production.py stack_env): without it
        # a node started again refuses every request (ALLOWED_HOSTS is empty off DEBUG).
        saved = dict(os.environ)
        try:
            os.environ.clear()
            os.environ.update(env)
            options = argparse.Namespace(env_file=None, port=port, s3=False)
            self.env = self.production.stack_env(options, run_dir)
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def state(self) -> dict:
        return json.loads((self.run_dir / "state.json").read_text())

    def process(self, name: str) -> dict:
        return next(p for p in self.state()["processes"] if p["name"] == name)

    def kill(self, name: str) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process(name)["pid"], signal.SIGKILL)

    def respawn(self, name: str) -> None:
        p = self.production
        if name.startswith("web"):
            i = int(name[3:])
            env = {**self.env, "PROMETHEUS_MULTIPROC_DIR": str(self.run_dir / f"prometheus-{name}")}
            command = [
                str(p.BIN / "gunicorn"),
                "--config",
                str(p.ROOT / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.port + i}",
                "kindsteps.wsgi",
            ]
        else:
            env = self.env
            command = [str(p.PYTHON), "manage.py", "run_huey"]
            if name != "worker1":
                command.append("--no-periodic")
        started = p.spawn(name, command, env, self.run_dir)
        state = self.state()
        state["processes"] = [started if q["name"] == name else q for q in state["processes"]]
        (self.run_dir / "state.json").write_text(json.dumps(state))


async def faults(
    drill: Drill, stack: Stack, pg: PrivatePostgres, rds: PrivateRedis, database_url: str
) -> None:
    def event(fault: str, **figures) -> None:
        drill.events.append({"fault": fault, "at_s": drill.now(), **figures})
        _stack.log(f"{drill.now()} s: {fault} {figures}")

    await asyncio.sleep(10)
    # 1. A worker killed while it reads an upload.
    deadline = time.monotonic() + 30
    in_hand: list[int] = []
    while time.monotonic() < deadline and not in_hand:
        in_hand = await asyncio.to_thread(processing_uploads, database_url)
        if not in_hand:
            await asyncio.sleep(0.05)
    stack.kill("worker1")
    event("worker_killed", uploads_in_hand=in_hand)
    await asyncio.sleep(5)
    await asyncio.to_thread(stack.respawn, "worker1")
    event("worker_started")
    await asyncio.sleep(GAP)
    # 2. Redis restarted.
    down = time.monotonic()
    await asyncio.to_thread(rds.stop)
    await asyncio.sleep(3)
    await asyncio.to_thread(rds.start)
    event("redis_restarted", down_s=round(time.monotonic() - down, 1))
    await asyncio.sleep(GAP)
    # 3. PostgreSQL restarted.
    down = time.monotonic()
    await asyncio.to_thread(pg.stop)
    await asyncio.sleep(3)
    await asyncio.to_thread(pg.start)
    event("postgres_restarted", down_s=round(time.monotonic() - down, 1))
    await asyncio.sleep(GAP)
    # 4. A web node killed under load.
    stack.kill("web1")
    event("web_node_killed")
    await asyncio.sleep(5)
    await asyncio.to_thread(stack.respawn, "web1")
    event("web_node_started")
    await asyncio.sleep(GAP)
    drill.stopping.set()


def make_sessions(people: list[dict]) -> dict[int, dict]:
    """Signed-in sessions for the uploaders of the upload page, as a sign-in leaves them
    (the login form itself is measured by surge.py; its per-IP limit would refuse a
    hundred sign-ins from one address)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User

    engine = import_module(settings.SESSION_ENGINE)
    sessions = {}
    for person in people:
        user = User.objects.get(pk=person["user"])
        store = engine.SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions[user.pk] = {"sessionid": store.session_key, "csrftoken": secrets.token_hex(16)}
    return sessions


def check(plan: dict, drill: Drill) -> dict:
    from django.db.models import Count, Sum

    from activities.models import Activity, StoredFile, Upload, Verdict
    from campaigns.models import Campaign
    from donations.models import Donation, DonationStatus
    from standings.models import Standing
    from standings.rebuild import rebuild_campaign

    figures: Counter = Counter()
    problems = []
    for record in drill.uploads:
        stored = StoredFile.objects.filter(sha256=record["sha256"]).first()
        if stored is None:
            figures["not_received"] += 1
            problems.append(
                {
                    "upload": record["filename"],
                    "problem": "not received",
                    "status": record.get("status"),
                }
            )
            continue
        rows = list(Upload.objects.filter(stored_file=stored))
        figures["upload_rows"] += len(rows)
        figures["sent_again"] += len(rows) > 1
        if any(not r.is_finished for r in rows):
            figures["unfinished"] += 1
            problems.append({"upload": record["filename"], "problem": "unfinished"})
        activities = list(Activity.objects.filter(external_id__startswith=f"{stored.sha256}#"))
        verdicts = list(
            Verdict.objects.filter(activity__in=activities, campaign_id=plan["campaign_id"])
        )
        if len(activities) > 1 or len(verdicts) > 1:
            figures["doubled"] += 1
            problems.append(
                {
                    "upload": record["filename"],
                    "problem": "doubled",
                    "activities": len(activities),
                    "verdicts": len(verdicts),
                }
            )
        accepted = sum(v.credited_m for v in verdicts if v.status == "accepted")
        line = (
            Standing.objects.filter(registration_id=record["registration"])
            .values_list("distance_m", flat=True)
            .first()
            or 0
        )
        if accepted:
            figures["credited"] += 1
            if line - record["before_m"] != accepted:
                figures["line_mismatch"] += 1
                problems.append(
                    {
                        "upload": record["filename"],
                        "problem": "line",
                        "line_grew_m": line - record["before_m"],
                        "accepted_m": accepted,
                    }
                )
        elif verdicts or (rows and all(r.status == "failed" for r in rows)):
            figures["refused_with_reason"] += 1
        elif rows and all(r.is_finished for r in rows):
            figures["lost"] += 1
            problems.append(
                {
                    "upload": record["filename"],
                    "problem": "finished, no activity",
                    "results": [r.results for r in rows],
                }
            )
    campaign = Campaign.objects.get(pk=plan["campaign_id"])
    drift = rebuild_campaign(campaign, fix=False)
    paid_ids = [d["id"] for d in drill.paid]
    donations = Donation.objects.filter(campaign=campaign)
    ledger = donations.filter(status=DonationStatus.PAID).aggregate(n=Count("pk"), s=Sum("amount"))
    unpaid = donations.filter(pk__in=paid_ids).exclude(status=DonationStatus.PAID).count()
    extra = donations.filter(status=DonationStatus.PAID).exclude(pk__in=paid_ids).count()
    sent = len(drill.uploads)
    lost = sent - figures["credited"] - figures["refused_with_reason"]
    return {
        "uploads": {
            "sent": sent,
            "credited": figures["credited"],
            "refused_with_reason": figures["refused_with_reason"],
            "lost": lost,
            "doubled": figures["doubled"],
            "line_mismatch": figures["line_mismatch"],
            "unfinished": figures["unfinished"],
            "sent_again": figures["sent_again"],
            "upload_rows": figures["upload_rows"],
            "problems": problems[:20],
        },
        "standings_drift": drift.as_dict(),
        "donations": {
            "paid_at_gateway": len(paid_ids),
            "paid_sum_vnd": sum(d["amount"] for d in drill.paid),
            "ledger_paid": ledger["n"],
            "ledger_sum_vnd": ledger["s"] or 0,
            "paid_not_in_ledger": unpaid,
            "in_ledger_not_paid": extra,
            "counted_once": unpaid == 0
            and extra == 0
            and (ledger["s"] or 0) == sum(d["amount"] for d in drill.paid),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8350)
    parser.add_argument("--redis-port", type=int, default=8390)
    parser.add_argument("--pg-port", type=int, default=8391)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--run-dir", default="/tmp/ks-surge/faults")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)
    run_dir = Path(args.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    pg, rds = PrivatePostgres(run_dir, args.pg_port), PrivateRedis(run_dir, args.redis_port)
    shutil.rmtree(rds.dir, ignore_errors=True)
    pg.init()
    pg.start()
    rds.start()
    lines = []

    def emit(measure: str, **figures) -> None:
        line = {"bench": "faults", "measure": measure, **figures}
        if args.note:
            line["note"] = args.note
        lines.append(line)
        print(json.dumps(line), flush=True)

    env = None
    try:
        database_url = _stack.recreate_database(pg.url, "ks_faults")
        env = _stack.stack_env(database_url, rds.url, run_dir)
        _stack.setup_django(env)
        uploads = int(6 * GAP + 40) + 10
        plan = _stack.seed(args.participants, signed_in=0, uploaders=uploads, donations=uploads)
        sessions = make_sessions(plan["uploaders"])
        from django.db import connections

        connections.close_all()
        _stack.log("seeded; starting the stack…")
        state = _stack.stack_up(env, run_dir, args.port, 2, args.workers)
        stack = Stack(env, run_dir, args.port)
        drill = Drill(state["url"], plan, sessions)

        async def run() -> None:
            await asyncio.gather(
                drill.upload_loop(),
                drill.donation_loop(),
                drill.public_loop(),
                faults(drill, stack, pg, rds, database_url),
            )
            # The clients still sending again.
            while len(asyncio.all_tasks()) > 1:
                await asyncio.sleep(0.2)

        asyncio.run(run())
        load_s = drill.now()
        # The queue drains; what a killed worker had in hand waits for the sweep.
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while unfinished_uploads(database_url) and time.monotonic() < deadline:
            time.sleep(1)
        drained_s = drill.now()
        left = unfinished_uploads(database_url)
        swept = 0
        if left:
            from datetime import timedelta

            from django.utils import timezone

            from activities import pipeline
            from activities.tasks import process_upload_task

            # The sweep's own query, as it runs once the uploads are STALE_AFTER old.
            later = timezone.now() + pipeline.STALE_AFTER + timedelta(minutes=1)
            for upload_id in pipeline.stale_uploads(later).values_list("pk", flat=True):
                process_upload_task(upload_id)
                swept += 1
            deadline = time.monotonic() + DRAIN_TIMEOUT
            while unfinished_uploads(database_url) and time.monotonic() < deadline:
                time.sleep(1)
        connections.close_all()
        result = check(plan, drill)
        emit(
            "setup",
            participants=plan["participants"],
            web_nodes=2,
            workers=args.workers,
            postgres=f"private cluster on port {args.pg_port}",
            redis=f"private redis-server on port {args.redis_port}, appendonly",
        )
        for item in drill.events:
            emit("fault", **item)
        emit(
            "load",
            seconds=load_s,
            statuses=dict(drill.statuses),
            answered_latency=latency_ms(drill.latency),
        )
        emit(
            "recovery",
            drained_at_s=drained_s,
            unfinished_after_drain=left,
            taken_up_by_sweep=swept,
            unfinished_at_end=unfinished_uploads(database_url),
        )
        emit("uploads", **result["uploads"])
        emit("standings", drift=result["standings_drift"])
        emit("donations", **result["donations"])
        ok = (
            result["uploads"]["lost"] == 0
            and result["uploads"]["doubled"] == 0
            and result["uploads"]["line_mismatch"] == 0
            and result["uploads"]["unfinished"] == 0
            and result["standings_drift"]["standings"] + result["standings_drift"]["totals"] == 0
            and result["donations"]["counted_once"]
        )
        emit("verdict", exactly_once=ok)
    finally:
        if not args.keep:
            if env is not None and (run_dir / "state.json").exists():
                with contextlib.suppress(SystemExit):
                    _stack.stack_down(env, run_dir)
            rds.stop()
            with contextlib.suppress(subprocess.CalledProcessError):
                pg.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
