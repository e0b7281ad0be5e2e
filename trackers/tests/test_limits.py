"""The shared rate budget: never more calls in a window than Strava allows, limits
read from Strava's headers (https://developers.strava.com/docs/rate-limits), a
backlog spread over the windows it needs."""

from trackers.limits import Budget, Limits, MemoryStore


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def budget(clock, short=10, daily=30, margin=0.0):
    return Budget(
        store=MemoryStore(),
        short_s=900,
        day_s=86400,
        defaults=Limits(short, daily),
        margin=margin,
        clock=clock,
    )


def test_a_full_window_turns_calls_away_until_the_next_one():
    clock = Clock(900 * 1000 + 100)
    rate = budget(clock)

    taken = [rate.take() for _ in range(12)]

    assert taken[:10] == [0.0] * 10
    assert 799 < taken[10] <= 800.01  # until :15 of the next window
    clock.now += 800.01
    assert rate.take() == 0.0


def test_the_limits_and_usage_follow_strava_headers():
    clock = Clock(900 * 1000)
    rate = budget(clock, short=100, daily=1000)

    rate.observe(
        {
            "X-RateLimit-Limit": "200,2000",
            "X-RateLimit-Usage": "10,100",
            "X-ReadRateLimit-Limit": "100,1000",
            "X-ReadRateLimit-Usage": "98,400",
        },
        200,
    )

    assert rate.limits() == Limits(100, 1000)  # the read limit binds
    assert [rate.take() for _ in range(3)][:2] == [0.0, 0.0]
    assert rate.take() > 0


def test_a_backlog_is_booked_over_the_windows_it_needs():
    clock = Clock(900 * 1000)
    rate = budget(clock, short=10, daily=25)

    delays = [rate.reserve(2) for _ in range(15)]

    assert delays[:5] == [0.0] * 5
    assert delays[5:10] == [900.0] * 5
    # 25 a day: the second day starts after 12 fetches of two calls.
    assert delays[12] >= 86400 - 900 * 1000 % 86400 - 1
