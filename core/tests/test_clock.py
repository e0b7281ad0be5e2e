"""The suite's clock (kindsteps/testing/clock.py and the root conftest's
``fixed_clock``): every test starts at the fixed noon in Vietnam, whatever the hour
it runs at, and the clock ticks on from there; ``real_clock`` tests escape it."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from kindsteps.testing.clock import NOW, TODAY, VIETNAM, local_at


def test_a_test_starts_at_noon_on_the_fixed_day_in_vietnam():
    now = timezone.localtime()
    assert (now.tzinfo, now.date(), now.hour) == (VIETNAM, TODAY, 12)
    assert timedelta(0) <= timezone.now() - NOW < timedelta(seconds=30)


def test_the_fixed_clock_ticks():
    first = timezone.now()
    time.sleep(0.01)
    assert timezone.now() > first


def test_a_test_moves_the_clock_through_the_time_machine_fixture(time_machine):
    time_machine.move_to(local_at(-1, 23, 59, 59), tick=False)
    assert timezone.localtime().strftime("%d/%m/%Y %H:%M:%S") == "10/03/2026 23:59:59"
    time_machine.shift(timedelta(seconds=2))
    assert timezone.localtime().strftime("%d/%m/%Y %H:%M:%S") == "11/03/2026 00:00:01"


def test_local_builds_vietnam_wall_clock_times_around_the_fixed_day():
    assert local_at() == NOW
    assert local_at(-1, 23, 30).isoformat() == "2026-03-10T23:30:00+07:00"
    assert local_at(1, 0) - local_at(0, 0) == timedelta(days=1)


@pytest.mark.real_clock
def test_a_real_clock_test_reads_the_wall_clock():
    assert not time_machine.escape_hatch.is_travelling()
