"""Strava at a campaign's start: a backfill of ATHLETES × ACTIVITIES and a burst of
webhook events, against a local stand-in Strava with its real rate-limit headers and
429 answers, its windows shortened (15 minutes → WINDOW_S seconds, a day → 96 of
them), through KindSteps' own Strava client and shared rate budget (trackers/strava.py,
trackers/limits.py) and a queue that does what the huey jobs do: book the two calls
of each fetch in the first window with room, put back what the budget or a 429 turns
away. The pipeline behind the fetch is measured by bench/activities.py.

Reports the requests Strava accepted per window (never above the limit), the 429s,
events lost (0), and each phase scaled back to Strava's real windows. One JSON line.

    python bench/trackers.py [--athletes 2000] [--activities 20] [--events 1000]
        [--limit 70] [--daily 100000] [--window 0.5]
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kindsteps.settings")
os.environ.setdefault("KINDSTEPS_VAR_DIR", "/tmp/ks-bench-trackers")

import django  # noqa: E402

PORT = 8220
DETAIL = b'{"id":1,"sport_type":"Walk","elapsed_time":10,"start_date":"2026-03-10T00:00:00Z"}'
# Strava's 429 body (https://developers.strava.com/docs/rate-limits).
RATE_LIMITED = (
    b'{"message":"Rate Limit Exceeded","errors":'
    b'[{"resource":"Application","field":"rate limit","code":"exceeded"}]}'
)
REAL_WINDOW_S = 900
WINDOWS_PER_DAY = 96


class StandIn:
    """Strava's limits as it applies them: per window and per day, a 429 beyond either,
    and every request, refused or not, counted toward the day."""

    def __init__(self, limit: int, daily: int, window_s: float):
        self.limit, self.daily, self.window_s = limit, daily, window_s
        self.lock = threading.Lock()
        self.accepted: Counter = Counter()
        self.seen: Counter = Counter()
        self.day_seen: Counter = Counter()
        self.refused = 0

    def admit(self) -> tuple[bool, int, int]:
        now = time.time()
        window = int(now // self.window_s)
        day = window // WINDOWS_PER_DAY
        with self.lock:
            self.seen[window] += 1
            self.day_seen[day] += 1
            ok = self.accepted[window] < self.limit and self.day_seen[day] <= self.daily
            if ok:
                self.accepted[window] += 1
            else:
                self.refused += 1
            return ok, self.seen[window], self.day_seen[day]


def handler_for(standin: StandIn, per_athlete: int):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            ok, short, day = standin.admit()
            if not ok:
                body = RATE_LIMITED
                status = 429
            elif self.path.startswith("/api/v3/athlete/activities"):
                owner = int(self.headers.get("Authorization", "Bearer 0").split()[-1])
                ids = [owner * 1000 + i for i in range(per_athlete)]
                body = json.dumps(
                    [{"id": i, "sport_type": "Walk", "private": False} for i in ids]
                ).encode()
                status = 200
            elif self.path.endswith("/streams") or "/streams?" in self.path:
                body = b'{"time":{"data":[0,5,10]},"distance":{"data":[0,7,14]}}'
                status = 200
            else:
                body = DETAIL
                status = 200
            limits = f"{standin.limit},{standin.daily}"
            usage = f"{short},{day}"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for kind in ("", "Read"):
                self.send_header(f"X-{kind}RateLimit-Limit", limits)
                self.send_header(f"X-{kind}RateLimit-Usage", usage)
            self.end_headers()
            self.wfile.write(body)

    return Handler


class Queue:
    """Jobs due at a time, as huey's schedule holds them."""

    def __init__(self):
        self.heap: list = []
        self.lock = threading.Condition()
        self.count = 0
        self.pending = 0

    def put(self, due: float, job: tuple) -> None:
        with self.lock:
            self.count += 1
            self.pending += 1
            heapq.heappush(self.heap, (due, self.count, job))
            self.lock.notify()

    def get(self):
        with self.lock:
            while True:
                if not self.pending:
                    return None
                if self.heap and self.heap[0][0] <= time.time():
                    return heapq.heappop(self.heap)[2]
                wait = self.heap[0][0] - time.time() if self.heap else 0.05
                self.lock.wait(max(0.001, min(wait, 0.05)))

    def done(self) -> None:
        with self.lock:
            self.pending -= 1
            self.lock.notify_all()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--athletes", type=int, default=2000)
    parser.add_argument("--activities", type=int, default=20)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=70, help="requests per 15 minutes")
    parser.add_argument("--daily", type=int, default=100000, help="requests per day")
    parser.add_argument("--window", type=float, default=0.5, help="seconds standing for 15 minutes")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    os.environ["STRAVA_API_URL"] = f"http://127.0.0.1:{PORT}/api/v3"
    django.setup()
    import requests

    from trackers import strava
    from trackers.errors import RateLimited
    from trackers.limits import Budget, Limits, MemoryStore

    standin = StandIn(args.limit, args.daily, args.window)
    server = ThreadingHTTPServer(("127.0.0.1", PORT), handler_for(standin, args.activities))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    store = MemoryStore()
    day_s = args.window * WINDOWS_PER_DAY
    # The limits Strava granted, as STRAVA_RATE_LIMIT_15MIN and _DAY configure them.
    budget = Budget(
        store=store,
        short_s=args.window,
        day_s=day_s,
        defaults=Limits(args.limit, args.daily),
        margin=0.05,
    )
    queue = Queue()
    fetched: set[int] = set()
    fetched_lock = threading.Lock()
    put_back = Counter()
    event_ids = []
    latencies = []
    started = time.time()

    def run(job, client):
        kind = job[0]
        try:
            if kind == "list":
                athlete = job[1]
                for summary in client.activities(str(athlete), after=0, before=1, page=1):
                    queue.put(time.time() + budget.reserve(2), ("fetch", summary["id"], None))
            else:
                _kind, activity_id, queued_at = job
                client.hold(2)
                client.activity("t", str(activity_id))
                client.streams("t", str(activity_id))
                with fetched_lock:
                    fetched.add(activity_id)
                    if queued_at is not None:
                        latencies.append(time.time() - queued_at)
        except RateLimited as limited:
            # As fetch_task: booked again in the first window with room.
            put_back[kind] += 1
            rebooked = budget.reserve(1 if kind == "list" else 2)
            queue.put(time.time() + max(limited.retry_after, rebooked), job)

    def worker():
        client = strava.Client(budget, session=requests.Session())
        while True:
            job = queue.get()
            if job is None:
                return
            run(job, client)
            queue.done()

    for athlete in range(1, args.athletes + 1):
        queue.put(time.time() + budget.reserve(1), ("list", athlete))

    def burst():
        # The burst comes while the backfill is under way: acknowledged, booked, fetched.
        time.sleep(args.window * 3)
        for n in range(args.events):
            activity_id = 10**9 + n
            event_ids.append(activity_id)
            queue.put(time.time() + budget.reserve(2), ("fetch", activity_id, time.time()))
        queue.done()

    queue.pending += 1  # the burst is still to come
    threading.Thread(target=burst, daemon=True).start()
    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.time() - started
    server.shutdown()

    windows = sorted(standin.accepted)
    per_window = [standin.accepted[w] for w in windows]
    backfill_ids = {
        a * 1000 + i for a in range(1, args.athletes + 1) for i in range(args.activities)
    }
    calls = args.athletes + 2 * (len(backfill_ids) + args.events)
    scale = REAL_WINDOW_S / args.window
    real_s = len(windows) * REAL_WINDOW_S
    default_days = calls / 1000
    print(
        json.dumps(
            {
                "bench": "trackers",
                "athletes": args.athletes,
                "activities_each": args.activities,
                "webhook_events": args.events,
                "limit_per_15min": args.limit,
                "limit_per_day": args.daily,
                "window_s": args.window,
                "requests_accepted": sum(per_window),
                "requests_needed": calls,
                "max_requests_in_a_window": max(per_window),
                "mean_requests_per_window": round(sum(per_window) / len(per_window), 1),
                "windows_used": len(windows),
                "http_429": standin.refused,
                "put_back_by_budget_or_429": dict(put_back),
                "backfill_activities_lost": len(backfill_ids - fetched),
                "events_lost": len(set(event_ids) - fetched),
                "event_fetch_p50_real_h": round(
                    sorted(latencies)[len(latencies) // 2] * scale / 3600, 2
                )
                if latencies
                else None,
                "run_s": round(elapsed, 1),
                "real_time_h": round(real_s / 3600, 1),
                "real_time_at_default_limits_days": round(default_days, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
