"""Strava's rate limits, shared by every worker of the deployment.

Strava limits an application per 15 minutes (windows starting at :00, :15, :30, :45)
and per UTC day, and reports both with every answer: `X-RateLimit-Limit`/`-Usage`
(overall) and `X-ReadRateLimit-Limit`/`-Usage` (reads, which is all we do), each
"15-minute,daily" (https://developers.strava.com/docs/rate-limits). A worker asks the
budget before each call; the budget counts calls per window in a shared store (the
cache: Redis in production), follows what the headers say (other apps of the same
client id, or usage we did not see), and when the window is full answers how long
to wait, so the job is put back in the queue for the next window instead of calling
into a 429. A 429 closes the window at once.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass
class Limits:
    short: int
    daily: int


def parse_pair(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    try:
        first, second = (int(part.strip()) for part in value.split(",")[:2])
    except ValueError:
        return None
    return first, second


class MemoryStore:
    """The store of one process (the benchmark, a test): a dict behind a lock."""

    def __init__(self) -> None:
        self._data: dict[str, int] = {}
        self._lock = threading.Lock()

    def incr(self, key: str, amount: int, ttl: float) -> int:
        with self._lock:
            self._data[key] = self._data.get(key, 0) + amount
            return self._data[key]

    def raise_to(self, key: str, value: int, ttl: float) -> None:
        with self._lock:
            self._data[key] = max(self._data.get(key, 0), value)

    def get(self, key: str, default: int | None = None) -> int | None:
        with self._lock:
            return self._data.get(key, default)

    def set(self, key: str, value: int, ttl: float) -> None:
        with self._lock:
            self._data[key] = value


class CacheStore:
    """The Django cache (Redis when REDIS_URL is set), for every worker at once."""

    def incr(self, key: str, amount: int, ttl: float) -> int:
        cache.add(key, 0, timeout=math.ceil(ttl))
        try:
            return cache.incr(key, amount)
        except ValueError:  # expired between add and incr
            cache.set(key, amount, timeout=math.ceil(ttl))
            return amount

    def raise_to(self, key: str, value: int, ttl: float) -> None:
        current = cache.get(key, 0)
        if value > current:
            self.incr(key, value - current, ttl)

    def get(self, key: str, default: int | None = None) -> int | None:
        return cache.get(key, default)

    def set(self, key: str, value: int, ttl: float) -> None:
        cache.set(key, value, timeout=math.ceil(ttl))


class Budget:
    """How many calls may go out now. `take` answers 0 (go) or the seconds to wait."""

    def __init__(
        self,
        *,
        store=None,
        short_s: float | None = None,
        day_s: float | None = None,
        defaults: Limits | None = None,
        margin: float | None = None,
        clock: Callable[[], float] = time.time,
        prefix: str = "trackers:strava:rate",
    ) -> None:
        self.store = store if store is not None else CacheStore()
        self.short_s = short_s or settings.STRAVA_RATE_WINDOW_S
        self.day_s = day_s or settings.STRAVA_RATE_DAY_S
        self.defaults = defaults or Limits(*settings.STRAVA_RATE_LIMITS)
        # Keep a little of each window for the participants who press "sync now".
        self.margin = settings.STRAVA_RATE_MARGIN if margin is None else margin
        self.clock = clock
        self.prefix = prefix

    def _windows(self, now: float) -> tuple[int, int]:
        return int(now // self.short_s), int(now // self.day_s)

    def limits(self) -> Limits:
        short = self.store.get(f"{self.prefix}:limit:short") or self.defaults.short
        daily = self.store.get(f"{self.prefix}:limit:daily") or self.defaults.daily
        return Limits(short, daily)

    def _usable(self, limit: int) -> int:
        return max(1, int(limit * (1 - self.margin)))

    def take(self, calls: int = 1) -> float:
        """Count `calls` in this window and day if they fit, and answer 0; otherwise
        count nothing and answer the seconds until the window (or day) that has room."""
        now = self.clock()
        short_w, day_w = self._windows(now)
        limits = self.limits()
        short_key = f"{self.prefix}:short:{short_w}"
        day_key = f"{self.prefix}:day:{day_w}"
        short = self.store.incr(short_key, calls, self.short_s * 2)
        if short > self._usable(limits.short):
            self.store.incr(short_key, -calls, self.short_s * 2)
            return (short_w + 1) * self.short_s - now + 0.001
        day = self.store.incr(day_key, calls, self.day_s * 2)
        if day > self._usable(limits.daily):
            self.store.incr(day_key, -calls, self.day_s * 2)
            self.store.incr(short_key, -calls, self.short_s * 2)
            return (day_w + 1) * self.day_s - now + 0.001
        return 0.0

    def reserve(self, calls: int = 1) -> float:
        """An appointment for `calls`: the seconds from now to the first window with
        room (0: this one). Booked, so a backfill of thousands of activities is spread
        over the windows it needs instead of crowding the first; `take` still holds
        the real count when the appointment comes."""
        now = self.clock()
        short_w, _day_w = self._windows(now)
        limits = self.limits()
        cursor_key = f"{self.prefix}:cursor"
        window = max(short_w, self.store.get(cursor_key) or 0)
        usable_short, usable_day = self._usable(limits.short), self._usable(limits.daily)
        for _step in range(100_000):
            start = window * self.short_s
            day = int(start // self.day_s)
            ttl = max(start - now, 0) + self.day_s * 2
            booked = self.store.incr(f"{self.prefix}:booked:{window}", calls, ttl)
            if booked <= usable_short:
                booked_day = self.store.incr(f"{self.prefix}:booked-day:{day}", calls, ttl)
                if booked_day <= usable_day:
                    return max(0.0, start - now)
                self.store.incr(f"{self.prefix}:booked-day:{day}", -calls, ttl)
                self.store.incr(f"{self.prefix}:booked:{window}", -calls, ttl)
                window = int((day + 1) * self.day_s // self.short_s)
            else:
                self.store.incr(f"{self.prefix}:booked:{window}", -calls, ttl)
                window += 1
            self.store.raise_to(cursor_key, window, self.day_s * 2)
        return self.day_s

    def observe(self, headers: Mapping[str, str], status: int) -> None:
        """Follow what Strava said: its limits, its count of our usage, a 429."""
        pairs = [
            (
                parse_pair(headers.get(f"X-{kind}RateLimit-Limit")),
                parse_pair(headers.get(f"X-{kind}RateLimit-Usage")),
            )
            for kind in ("", "Read")
        ]
        known = [(limit, usage) for limit, usage in pairs if limit and usage]
        if not known:
            if status == 429:
                self.close_window()
            return
        # The tighter of the overall and read limits is the one that binds.
        limit, usage = min(
            known, key=lambda pair: (pair[0][0] - pair[1][0], pair[0][1] - pair[1][1])
        )
        ttl = self.day_s * 2
        self.store.set(f"{self.prefix}:limit:short", limit[0], ttl)
        self.store.set(f"{self.prefix}:limit:daily", limit[1], ttl)
        short_w, day_w = self._windows(self.clock())
        self.store.raise_to(f"{self.prefix}:short:{short_w}", usage[0], self.short_s * 2)
        self.store.raise_to(f"{self.prefix}:day:{day_w}", usage[1], self.day_s * 2)
        if status == 429:
            self.close_window(daily=usage[1] >= limit[1])

    def close_window(self, *, daily: bool = False) -> None:
        short_w, day_w = self._windows(self.clock())
        limits = self.limits()
        self.store.raise_to(f"{self.prefix}:short:{short_w}", limits.short, self.short_s * 2)
        if daily:
            self.store.raise_to(f"{self.prefix}:day:{day_w}", limits.daily, self.day_s * 2)

    def wait_after_429(self) -> float:
        now = self.clock()
        return (int(now // self.short_s) + 1) * self.short_s - now + 0.001
