"""The test suite's clock: one fixed "now", and local times around it.

Every test runs with the clock set to ``NOW`` (the ``fixed_clock`` fixture of the
root conftest.py), whatever the hour the suite is run at, unless it is marked
``real_clock``; browser tests always run on the real clock. Factories and tests
build their moments from ``NOW`` and ``local_at()`` rather than from the current
time, so that which local day a moment falls on is written in the test.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=VIETNAM)
"""Wednesday 11 March 2026, noon in Vietnam (05:00 UTC): twelve hours from either
midnight, so that "a few hours ago" and "in a few hours" fall on the same local day,
on an ordinary working day (no Tết, no public holiday)."""

TODAY: date = NOW.date()


def local_at(days: int = 0, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    """Vietnam's wall-clock time ``hour:minute:second`` on the day ``days`` after
    ``NOW``'s (before it when negative): ``local_at(-1, 23, 30)`` is 23:30 the evening
    before, ``local_at(1, 0)`` the coming midnight."""
    day = TODAY + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=VIETNAM)
