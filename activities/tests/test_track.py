import numpy as np
import pytest

from activities import track as tr
from activities.tests.geodesy import track_length, vincenty
from activities.track import Track

T0 = 1_700_000_000.0


def line_on_equator(metres_per_step: float, seconds_per_step: float, steps: int) -> Track:
    """A straight line on the equator, where the geodesic length is exactly a·Δλ."""
    i = np.arange(steps + 1, dtype=np.float64)
    lon = np.degrees(i * metres_per_step / tr.WGS84_A)
    return Track(
        t=T0 + i * seconds_per_step,
        lat=np.zeros_like(i),
        lon=lon,
        ele=np.full_like(i, np.nan),
        sport="run",
        source_format="test",
    )


def from_speeds(speeds_mps: list[float], dt: float = 1.0, lat: float = 21.03) -> Track:
    """A north-going track at Hà Nội's latitude with a given speed for each second."""
    steps = np.asarray(speeds_mps, dtype=np.float64) * dt
    # Meridian radius of curvature: metres to degrees of latitude for small steps.
    phi = np.radians(lat)
    e2 = tr.WGS84_F * (2 - tr.WGS84_F)
    m = tr.WGS84_A * (1 - e2) / (1 - e2 * np.sin(phi) ** 2) ** 1.5
    lats = lat + np.degrees(np.concatenate(([0.0], np.cumsum(steps))) / m)
    n = lats.size
    return Track(
        t=T0 + np.arange(n) * dt,
        lat=lats,
        lon=np.full(n, 105.85),
        ele=np.full(n, np.nan),
        source_format="test",
    )


SEGMENTS = [
    (21.0285, 105.8542, 21.0286, 105.8543),  # a few metres in Hà Nội
    (10.7769, 106.7009, 10.7770, 106.7009),
    (0.0, 0.0, 0.0, 0.001),
    (0.0, 0.0, 0.001, 0.0),
    (45.0, 7.0, 45.0009, 7.0013),
    (59.9, 10.7, 59.91, 10.75),
    (-33.86, 151.2, -33.87, 151.21),
    (78.2, 15.6, 78.21, 15.7),
    (51.5, -0.12, 48.85, 2.35),  # London–Paris
    (21.0285, 105.8542, 10.7769, 106.7009),  # Hà Nội–Sài Gòn
]


def test_geodesic_distance_agrees_with_vincenty_within_a_thousandth():
    lat1, lon1, lat2, lon2 = (np.array(c) for c in zip(*SEGMENTS, strict=True))
    ours = np.array(
        [
            tr.geodesic_distances(np.array([a, c]), np.array([b, d]))[0]
            for a, b, c, d in zip(lat1, lon1, lat2, lon2, strict=True)
        ]
    )
    reference = np.array([vincenty(*s) for s in SEGMENTS])
    relative = np.abs(ours - reference) / reference
    assert relative.max() < 1e-3
    # In practice Andoyer–Lambert is far better than the requirement.
    assert relative.max() < 1e-5


def test_geodesic_distance_of_identical_points_is_zero():
    d = tr.geodesic_distances(np.array([21.0, 21.0]), np.array([105.8, 105.8]))
    assert d.tolist() == [0.0]


def test_straight_line_at_known_speed_gives_exact_distance_pace_and_splits():
    # 10 km in 5 m steps every 2 s: 2.5 m/s, 400 s per km.
    track = line_on_equator(5.0, 2.0, 2000)
    summary = tr.summarise(track)
    assert summary.distance_m == 10_000
    assert summary.elapsed_s == 4000
    assert summary.moving_s == 4000
    assert summary.avg_pace_s_per_km == 400.0
    assert summary.splits_s == [400.0] * 10
    assert summary.max_speed_mps == 2.5
    assert summary.points == 2001
    assert summary.start.isoformat() == "2023-11-14T22:13:20+00:00"


def test_distance_matches_vincenty_on_a_constructed_track():
    track = from_speeds([3.0] * 600)
    ours = tr.total_distance_m(track)
    assert ours == pytest.approx(track_length(list(track.lat), list(track.lon)), abs=1)
    assert ours == pytest.approx(1800, abs=1)


def test_splits_are_interpolated_at_each_kilometre_boundary():
    # First km at 2.5 m/s (400 s), second at 5 m/s (200 s), then 300 m more.
    track = from_speeds([2.5] * 400 + [5.0] * 200 + [3.0] * 100)
    assert tr.splits_s(track) == pytest.approx([400.0, 200.0], abs=0.2)


def test_no_split_before_the_first_completed_kilometre():
    assert tr.splits_s(from_speeds([3.0] * 300)) == []


def test_moving_time_excludes_standing_still_and_long_gaps():
    track = from_speeds([3.0] * 100 + [0.1] * 60 + [3.0] * 100)
    assert tr.moving_s(track) == 200
    assert tr.elapsed_s(track) == 260
    # A 40 s gap between two points counts as stopped even if the distance is plausible.
    gap = from_speeds([3.0] * 50)
    gap.t[25:] += 40
    assert tr.moving_s(gap) == 49


def test_moving_thresholds_are_documented_constants():
    assert tr.MOVING_MIN_SPEED_MPS == 0.5
    assert tr.MOVING_MAX_GAP_S == 30.0


def test_splits_account_for_the_clock_time_up_to_the_last_full_kilometre():
    track = from_speeds([3.0] * 400 + [0.0] * 120 + [3.0] * 700)
    splits = tr.splits_s(track)
    cum = tr.cumulative_distance(track)
    t_last = np.interp(len(splits) * 1000, cum, track.t)
    assert sum(splits) == pytest.approx(t_last - track.t[0], abs=0.5)
    assert sum(splits) <= tr.elapsed_s(track)
    assert sum(splits) >= tr.moving_s(track) * len(splits) * 1000 / cum[-1] - 1


def _gain_reference(ele: list[float], w: float) -> float:
    y = ele[0]
    gain = 0.0
    for x in ele[1:]:
        new = min(max(y, x - w), x + w)
        gain += max(new - y, 0.0)
        y = new
    return gain


def test_elevation_gain_ignores_noise_smaller_than_the_hysteresis():
    track = from_speeds([3.0] * 200)
    track.ele = 100 + np.where(np.arange(track.t.size) % 2, 1.2, -1.2)
    # At most the half-width of the band on the very first sample, never growing with noise.
    assert tr.elevation_gain_m(track) <= tr.ELEVATION_HYSTERESIS_M / 2


def test_elevation_gain_counts_a_real_climb():
    track = from_speeds([3.0] * 200)
    track.ele = np.linspace(10.0, 110.0, track.t.size)
    gain = tr.elevation_gain_m(track)
    assert 100 - tr.ELEVATION_HYSTERESIS_M / 2 <= gain <= 100


def test_elevation_gain_scan_equals_the_sequential_play_operator():
    rng = np.random.default_rng(4)
    ele = np.cumsum(rng.normal(0, 1.5, 5000)) + 200
    track = from_speeds([3.0] * 4999)
    track.ele = ele.copy()
    track.ele[::97] = np.nan  # missing samples are skipped
    expected = _gain_reference(list(ele[np.isfinite(track.ele)]), tr.ELEVATION_HYSTERESIS_M / 2)
    assert tr.elevation_gain_m(track) == pytest.approx(expected, abs=0.1)


def test_max_speed_is_averaged_over_a_short_window():
    track = from_speeds([2.5] * 60 + [10.0] * 5 + [2.5] * 60)
    assert tr.max_speed_mps(track) == pytest.approx((5 * 10.0 + 5 * 2.5) / 10, abs=0.01)


def test_simplified_track_keeps_ends_and_at_most_300_points():
    rng = np.random.default_rng(1)
    track = from_speeds(list(rng.uniform(2, 4, 5000)))
    track.lon = track.lon + np.cumsum(rng.normal(0, 2e-5, track.t.size))
    simple = tr.simplify(track)
    assert 2 < len(simple) <= 300
    assert simple.t[0] == track.t[0] and simple.t[-1] == track.t[-1]
    assert np.isin(simple.t, track.t).all()


def test_simplified_straight_line_is_two_points():
    assert len(tr.simplify(line_on_equator(5.0, 2.0, 1000))) == 2


def test_privacy_trim_hides_the_first_and_last_200_metres():
    track = line_on_equator(5.0, 2.0, 400)  # 2 km
    trimmed = tr.privacy_trim(track)
    cum = tr.cumulative_distance(track)
    start = np.searchsorted(track.t, trimmed.t[0])
    end = np.searchsorted(track.t, trimmed.t[-1])
    assert cum[start] >= 200 and cum[end] <= cum[-1] - 200
    assert cum[start] == pytest.approx(200, abs=5)
    assert cum[-1] - cum[end] == pytest.approx(200, abs=5)


def test_privacy_trim_of_a_short_track_shows_nothing():
    assert len(tr.privacy_trim(line_on_equator(5.0, 2.0, 70))) == 0


def test_no_distance_is_credited_across_a_recording_break():
    track = line_on_equator(5.0, 2.0, 200)
    track.segment = np.where(np.arange(201) < 100, 0, 1)
    track.lon[100:] += 0.1  # the recorder was off while the athlete moved 11 km
    assert tr.total_distance_m(track) == 995


def test_track_without_gps_uses_the_device_distance():
    t = T0 + np.arange(0, 1801, 60, dtype=np.float64)
    nan = np.full(t.size, np.nan)
    track = Track(
        t=t,
        lat=nan,
        lon=nan,
        ele=nan,
        has_gps=False,
        dist=np.linspace(0, 5000, t.size),
        device_distance_m=5000.0,
    )
    summary = tr.summarise(track)
    assert summary.distance_m == 5000
    assert summary.elapsed_s == 1800
    assert summary.splits_s == pytest.approx([360.0] * 5)
    assert summary.avg_pace_s_per_km == pytest.approx(360.0, abs=30)
    assert not summary.has_gps
