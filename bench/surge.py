"""The final evening's surge, over HTTP, on the production stack of this machine.

    bench/surge.py [--scale 1] [--duration 60] [--port 8300] [--keep] [--note TEXT]

Starts the stack (scripts/production.py: nginx, --web gunicorn nodes, --workers huey
workers) on a database of its own (BENCH_DATABASE_URL's server, default
postgres://postgres@127.0.0.1:5432/, database --database, dropped and made again)
and a Redis database number of its own (--redis-url; flushed first). Seeds a live
campaign of --participants people (bench/_standings_data.py: teams, a unit tree, a
month of activities ending yesterday, the standings built), then drives it for
--duration seconds from loopback with a bounded asyncio client (bench/_http.py:
keep-alive connections, a fixed number per kind of traffic, each paced to its share of
the rate; a slower stack gets fewer requests, never an unbounded queue):

- public: anonymous campaign page, the boards (people, teams, units, further pages) and
  the API's board — most of the traffic (target 550 /s at scale 1);
- signed in: "my rank" over the API and the campaign page, with a session cookie got by
  signing in through the login form (20 /s);
- uploads: real GPX files (the test fixtures, moved to the last hour) posted to
  POST /api/v1/activities with each uploader's API token, then "my rank" polled until
  the km are there (2 /s);
- donations: VNPay and MoMo IPNs signed with the campaign's keys, a fifth of them sent
  twice, as gateways do (2 /s).

--scale multiplies every rate and the number of connections (0.1: the baseline, ten
times lighter). Prints JSON lines: the data, each kind's requests/s and latency, errors
by status, the uploads (sent, credited, refused with a reason, lost, upload-to-credit
latency), the donations (paid once, ledger sum against what was paid), the peaks of
PostgreSQL's and Redis's connections against their limits, and the targets met. The
stack and the database are stopped and dropped at the end unless --keep.

Figures: bench/results/surge-*.jsonl; docs/deployment.md, "Measured figures".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _stack
from _http import Connection, HttpError, latency_ms

TARGETS = {
    "public_rps": 500,
    "public_p95_ms": 100,
    "upload_to_credit_p95_s": 10,
    "errors": 0,
    "lost_uploads": 0,
}
# Requests per second and connections at scale 1.
RATES = {"public": 550, "signed_in": 20, "upload": 2, "donation": 2}
CONNECTIONS = {"public": 48, "signed_in": 6, "upload": 4, "donation": 2}
REPLAYED = 0.2  # of the donation callbacks sent again later
POLL_EVERY = 0.25  # seconds between two looks at "my rank" after an upload
CREDIT_TIMEOUT = 60  # seconds an upload may take to show on the board before it counts lost


class SignInFailed(Exception):
    pass


class Load:
    def __init__(self, url: str, plan: dict, scale: float, duration: float):
        host, port = url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.plan, self.scale, self.duration = plan, scale, duration
        self.slug = plan["campaign"]
        self.latency: dict[str, list[float]] = {k: [] for k in RATES}
        self.statuses: dict[str, Counter] = {k: Counter() for k in RATES}
        self.errors: Counter = Counter()
        self.uploads: list[dict] = []
        self.donations_sent: list[dict] = []
        self.sessions: list[dict] = []
        self.rng = random.Random(11)
        self.recordings = _stack.Recordings()
        self.upload_queue = list(plan["uploaders"])
        self.donation_queue = list(plan["donations"])
        self.replays: list[dict] = []
        self.transaction = 10_000_000
        self.sign_in_retries = 0

    def connection(self) -> Connection:
        return Connection(self.host, self.port)

    def public_path(self) -> str:
        roll = self.rng.random()
        slug = self.slug
        if roll < 0.30:
            return f"/c/{slug}/"
        if roll < 0.60:
            return f"/c/{slug}/standings/"
        if roll < 0.72:
            return f"/c/{slug}/standings/teams/"
        if roll < 0.84:
            return f"/c/{slug}/standings/units/"
        if roll < 0.92:
            return f"/c/{slug}/standings/?page={self.rng.randint(2, 10)}"
        return f"/api/v1/campaigns/{slug}/leaderboard?page={self.rng.randint(1, 5)}"

    def public_paths(self) -> list[str]:
        """Every public address the crowd asks for (public_path's choices)."""
        slug = self.slug
        return [
            f"/c/{slug}/",
            f"/c/{slug}/standings/",
            f"/c/{slug}/standings/teams/",
            f"/c/{slug}/standings/units/",
            *(f"/c/{slug}/standings/?page={page}" for page in range(2, 11)),
            *(f"/api/v1/campaigns/{slug}/leaderboard?page={page}" for page in range(1, 6)),
        ]

    async def warm(self) -> None:
        """The evening's first visitors: each public page asked for once before the
        measured run, as a campaign's pages are long before its last evening (not counted)."""
        conn = self.connection()
        for path in self.public_paths():
            await conn.request("GET", path)
        conn.close()

    def count(self, kind: str, status: int | str, expected: tuple, seconds: float | None):
        self.statuses[kind][status] += 1
        if status not in expected:
            self.errors[f"{kind}:{status}"] += 1
        elif seconds is not None:
            self.latency[kind].append(seconds)

    async def sign_in(self, person: dict) -> dict:
        conn = self.connection()
        page = await conn.request("GET", "/accounts/login/")
        csrf = conn.cookies.get("csrftoken", "")
        body = (
            f"login={person['email'].replace('@', '%40')}&password={_stack.PASSWORD}"
            f"&csrfmiddlewaretoken={csrf}"
        ).encode()
        answer = await conn.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}/accounts/login/",
            },
        )
        if answer.status != 302 or "sessionid" not in conn.cookies:
            import re

            Path("/tmp/ks-surge/login-failed.html").write_bytes(answer.body)
            said = re.findall(rb'class="[^"]*error[^"]*"[^>]*>(.*?)<', answer.body, re.S)
            raise SignInFailed(f"signing in failed: {page.status} {answer.status} {said[:3]}")
        conn.close()
        return {"sessionid": conn.cookies["sessionid"], "csrftoken": csrf}

    async def paced(self, kind: str, index: int, step, deadline: float) -> None:
        """One client of `kind`: calls `step` at its share of the kind's rate."""
        clients = max(1, round(CONNECTIONS[kind] * self.scale))
        interval = clients / (RATES[kind] * self.scale)
        conn = self.connection()
        await asyncio.sleep(self.rng.random() * interval)  # spread the clients' starts
        next_at = time.monotonic()
        while time.monotonic() < deadline:
            try:
                more = await step(conn, index)
            except HttpError:
                self.count(kind, "no_answer", (), None)
                conn.close()
                more = True
            if more is False:
                break
            next_at = max(next_at + interval, time.monotonic() - interval)
            delay = next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        conn.close()

    async def public(self, conn: Connection, index: int):
        response = await conn.request("GET", self.public_path())
        self.count("public", response.status, (200,), response.seconds)

    async def signed_in(self, conn: Connection, index: int):
        session = self.sessions[index % len(self.sessions)]
        conn.cookies = dict(session)
        if self.rng.random() < 0.5:
            path = f"/api/v1/campaigns/{self.slug}/leaderboard/me"
            response = await conn.request("GET", path)
            expected = (200, 404)  # 404 not_ranked: no credited km yet
            if response.status == 404 and b"not_ranked" not in response.body:
                expected = (200,)
        else:
            response = await conn.request("GET", f"/c/{self.slug}/")
            expected = (200,)
        self.count("signed_in", response.status, expected, response.seconds)

    async def upload(self, conn: Connection, index: int):
        if not self.upload_queue:
            return False
        person = self.upload_queue.pop(0)
        name, data = self.recordings.next()
        record = {"user": person["user"], "filename": name, "sent_at": time.monotonic()}
        self.uploads.append(record)
        auth = {"Authorization": f"Bearer {person['token']}"}
        response = await conn.request(
            "POST",
            "/api/v1/activities",
            params={"filename": name},
            body=data,
            headers={**auth, "Content-Type": "application/octet-stream"},
        )
        record["status"] = response.status
        self.count("upload", response.status, (201, 202), response.seconds)
        if response.status not in (201, 202):
            return True
        credited, refused = 0, []
        for upload in response.json():
            for result in upload["files"]:
                if not result["ok"]:
                    refused.append(result["error"])
                for activity in result["activities"]:
                    for verdict in activity["verdicts"]:
                        if verdict["campaign"] != self.slug:
                            continue
                        if verdict["status"] == "accepted":
                            credited += verdict["credited_m"]
                        else:
                            refused += [r["code"] for r in verdict["reasons"]] or [
                                verdict["status"]
                            ]
        record.update(credited_m=credited, refused=refused)
        if credited:
            asyncio.get_running_loop().create_task(self.wait_for_credit(person, record, auth))
        return True

    async def wait_for_credit(self, person: dict, record: dict, auth: dict) -> None:
        conn = self.connection()
        goal = person["before_m"] + record["credited_m"]
        try:
            while time.monotonic() - record["sent_at"] < CREDIT_TIMEOUT:
                response = await conn.request(
                    "GET", f"/api/v1/campaigns/{self.slug}/leaderboard/me", headers=auth
                )
                if response.status == 200 and response.json()["distance_m"] >= goal:
                    record["credit_s"] = time.monotonic() - record["sent_at"]
                    return
                if response.status not in (200, 404):
                    self.errors[f"credit_poll:{response.status}"] += 1
                await asyncio.sleep(POLL_EVERY)
        except HttpError:
            self.errors["credit_poll:no_answer"] += 1
        finally:
            conn.close()

    async def donation(self, conn: Connection, index: int):
        if self.replays and (not self.donation_queue or self.rng.random() < REPLAYED):
            donation, replay = self.replays.pop(0), True
        elif self.donation_queue:
            donation, replay = self.donation_queue.pop(0), False
            self.transaction += 1
            donation["transaction"] = str(self.transaction)
        else:
            return False
        method, path, headers, body = _stack.ipn_request(donation, donation["transaction"])
        response = await conn.request(method, path, headers=headers, body=body)
        taken = _stack.ipn_taken(donation, response.status, response.body)
        self.count(
            "donation",
            response.status if taken else f"refused-{response.status}",
            (200, 204),
            response.seconds,
        )
        if taken and not replay:
            self.donations_sent.append(donation)
            if self.rng.random() < REPLAYED * 1.5:
                self.replays.append(donation)
        return True

    async def run(self) -> float:
        gate = asyncio.Semaphore(4)

        async def sign_in(person: dict) -> dict:
            async with gate:
                for attempt in range(3):
                    try:
                        return await self.sign_in(person)
                    except SignInFailed:
                        self.sign_in_retries += 1
                        if attempt == 2:
                            raise
                        await asyncio.sleep(2)
            raise AssertionError

        sessions = await asyncio.gather(*(sign_in(p) for p in self.plan["signed_in"]))
        self.sessions = list(sessions)
        await self.warm()
        began = time.monotonic()
        deadline = began + self.duration
        steps = {
            "public": self.public,
            "signed_in": self.signed_in,
            "upload": self.upload,
            "donation": self.donation,
        }
        tasks = [
            self.paced(kind, i, step, deadline)
            for kind, step in steps.items()
            for i in range(max(1, round(CONNECTIONS[kind] * self.scale)))
        ]
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - began
        # The uploads' credit polls still running.
        while any(
            r.get("credited_m")
            and "credit_s" not in r
            and time.monotonic() - r["sent_at"] < CREDIT_TIMEOUT
            for r in self.uploads
        ):
            await asyncio.sleep(0.2)
        return elapsed


def check_uploads(plan: dict, uploads: list[dict]) -> dict:
    """From the database: each upload sent is one activity credited once on its line,
    or refused with a reason."""
    from django.db.models import Sum

    from activities.models import Activity, Upload, Verdict
    from standings.models import Standing

    by_user = {p["user"]: p for p in plan["uploaders"]}
    credited = refused = lost = doubled = line_mismatch = 0
    reasons: Counter = Counter()
    for record in uploads:
        person = by_user[record["user"]]
        rows = list(Upload.objects.filter(user=record["user"], filename=record["filename"]))
        activities = list(Activity.objects.filter(upload__in=rows))
        verdicts = list(
            Verdict.objects.filter(activity__in=activities, campaign_id=plan["campaign_id"])
        )
        if len(activities) > 1 or len(verdicts) > 1:
            doubled += 1
        accepted = sum(v.credited_m for v in verdicts if v.status == "accepted")
        line = (
            Standing.objects.filter(registration_id=person["registration"])
            .values_list("distance_m", flat=True)
            .first()
            or 0
        )
        if accepted:
            credited += 1
            if line - person["before_m"] != accepted:
                line_mismatch += 1
        elif verdicts or any(r.status == "failed" for r in rows):
            refused += 1
            for verdict in verdicts:
                reasons.update(
                    [r.get("code", "?") if isinstance(r, dict) else str(r) for r in verdict.reasons]
                    or [verdict.status]
                )
            for row in rows:
                reasons.update(r["error"] for r in row.results if r.get("error"))
        else:
            lost += 1
    # Every line of the campaign against its verdicts: nothing counted twice anywhere.
    lines = (
        Standing.objects.filter(campaign_id=plan["campaign_id"]).aggregate(Sum("distance_m"))[
            "distance_m__sum"
        ]
        or 0
    )
    verdict_sum = (
        Verdict.objects.filter(
            campaign_id=plan["campaign_id"], status="accepted", registration__status="active"
        ).aggregate(Sum("credited_m"))["credited_m__sum"]
        or 0
    )
    return {
        "sent": len(uploads),
        "credited": credited,
        "refused_with_reason": refused,
        "refused_reasons": dict(reasons),
        "lost": lost,
        "doubled": doubled,
        "line_mismatch": line_mismatch,
        "board_sum_m": lines,
        "verdicts_sum_m": verdict_sum,
    }


def check_donations(plan: dict, sent: list[dict]) -> dict:
    from django.db.models import Count, Sum

    from donations.models import Donation, DonationStatus, PaymentEvent

    paid = Donation.objects.filter(campaign_id=plan["campaign_id"], status=DonationStatus.PAID)
    ledger = paid.aggregate(total=Sum("amount"), n=Count("pk"))
    events = PaymentEvent.objects.filter(donation__campaign_id=plan["campaign_id"])
    return {
        "callbacks_paid": len(sent),
        "paid_sum_vnd": sum(d["amount"] for d in sent),
        "ledger_paid": ledger["n"],
        "ledger_sum_vnd": ledger["total"] or 0,
        "payment_events": events.count(),
        "counted_once": ledger["n"] == len(sent)
        and (ledger["total"] or 0) == sum(d["amount"] for d in sent),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--web", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--database", default="ks_surge")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--run-dir", default="/tmp/ks-surge/surge")
    parser.add_argument("--keep", action="store_true", help="leave the stack and data running")
    parser.add_argument("--note", default="", help="added to every JSON line")
    args = parser.parse_args(argv)

    import os

    import redis

    server = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
    run_dir = Path(args.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    database_url = _stack.recreate_database(server, args.database)
    redis.Redis.from_url(args.redis_url).flushdb()
    env = _stack.stack_env(database_url, args.redis_url, run_dir)
    _stack.setup_django(env)
    uploads_needed = int(RATES["upload"] * args.scale * args.duration * 1.3) + 10
    donations_needed = int(RATES["donation"] * args.scale * args.duration * 1.3) + 10
    _stack.log("seeding…")
    plan = _stack.seed(
        args.participants,
        signed_in=max(2, round(20 * args.scale)),
        uploaders=uploads_needed,
        donations=donations_needed,
    )
    from django.db import connections

    connections.close_all()
    _stack.log(f"seeded in {plan['seed_s']} s; starting the stack…")
    started = time.monotonic()
    state = _stack.stack_up(env, run_dir, args.port, args.web, args.workers)
    startup_s = time.monotonic() - started
    lines = []

    def emit(measure: str, **figures) -> None:
        line = {"bench": "surge", "measure": measure, "scale": args.scale, **figures}
        if args.note:
            line["note"] = args.note
        lines.append(line)
        print(json.dumps(line), flush=True)

    try:
        monitor = _stack.Monitor(database_url, args.redis_url)
        monitor.start()
        load = Load(state["url"], plan, args.scale, args.duration)
        _stack.log("driving…")
        elapsed = asyncio.run(load.run())
        peaks = monitor.stop()
        connections.close_all()
        uploads = check_uploads(plan, load.uploads)
        donations = check_donations(plan, load.donations_sent)
    finally:
        if not args.keep:
            _stack.stack_down(env, run_dir)

    emit(
        "data",
        participants=plan["participants"],
        activities=plan["activities"],
        units=plan["units"],
        signed_in=len(plan["signed_in"]),
        sign_in_retries=load.sign_in_retries,
        web_nodes=args.web,
        workers=args.workers,
        duration_s=round(elapsed, 1),
        seed_s=plan["seed_s"],
        startup_s=round(startup_s, 1),
    )
    for kind in RATES:
        done = sum(load.statuses[kind].values())
        emit(
            kind,
            target_rps=round(RATES[kind] * args.scale, 2),
            rps=round(done / elapsed, 1),
            requests=done,
            connections=max(1, round(CONNECTIONS[kind] * args.scale)),
            statuses={str(k): v for k, v in load.statuses[kind].items()},
            **latency_ms(load.latency[kind]),
        )
    credit = [r["credit_s"] for r in load.uploads if "credit_s" in r]
    never = sum(1 for r in load.uploads if r.get("credited_m") and "credit_s" not in r)
    credit_latency = latency_ms(credit)
    emit(
        "uploads",
        **uploads,
        credit_not_seen_within_s={str(CREDIT_TIMEOUT): never},
        upload_to_credit={
            k.replace("_ms", "_s"): v and round(v / 1000, 2) for k, v in credit_latency.items()
        },
    )
    emit("donations", **donations)
    emit("connections", **peaks)
    public = next(line for line in lines if line["measure"] == "public")
    errors = sum(load.errors.values())
    p95_credit = credit_latency["p95_ms"]
    met = {
        "public_rps": public["rps"] >= TARGETS["public_rps"] * args.scale,
        "public_p95_ms": (public["p95_ms"] or 1e9) <= TARGETS["public_p95_ms"],
        "upload_to_credit_p95_s": p95_credit is not None
        and p95_credit / 1000 <= TARGETS["upload_to_credit_p95_s"],
        "errors": errors == 0,
        "lost_uploads": uploads["lost"] == 0 and uploads["doubled"] == 0,
        "donations_once": donations["counted_once"],
        "pg_within_limit": peaks["pg_server_connections_peak"] < (peaks["pg_max_connections"] or 0),
        "redis_within_limit": peaks["redis_server_clients_peak"] < (peaks["redis_maxclients"] or 0),
    }
    emit(
        "targets",
        errors=errors,
        errors_by_status=dict(load.errors),
        targets={**TARGETS, "public_rps": TARGETS["public_rps"] * args.scale},
        met=met,
        all_met=all(met.values()),
    )
    if not args.keep:
        _stack.admin_sql(server, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
