"""Running the same thing in several threads at once, for the tests of what two
workers or two taps do at the same moment.

On PostgreSQL the threads' transactions truly overlap. SQLite lets one writer in at
a time; its test database lives in shared-cache memory, which answers "table is
locked" at once where a file database would wait for its busy timeout, so
`waiting_for_sqlite` waits and retries as the file database would."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import OperationalError, connection


def waiting_for_sqlite(call: Callable, *args, **kwargs):
    for _ in range(250):
        try:
            return call(*args, **kwargs)
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.02)
    raise AssertionError("the SQLite lock was never released")


def at_once(calls: list[Callable[[], object]], timeout: float = 60) -> list[object]:
    """Start every call in a thread of its own at the same moment and wait for all;
    each call's result, or the exception it raised, in the order of `calls`."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = calls[index]()
        except BaseException as exc:  # handed to the test to assert on
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
