"""A GPS glitch is not a vehicle: real recordings with a point thrown off the path,
judged as the pipeline judges them (docs/rules.md, "GPS jumps")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from activities import track as tr
from activities.facts import facts_from_track, judged_track
from activities.rules import ACCEPTED, FLAGGED, REJECTED, JudgingContext, judge
from activities.track_checks import remove_gps_jumps
from campaigns.rules import merged_rules

from .test_parsers import read
from .test_reading_rules import one, replace_points

# Two real runs: a Garmin watch writing a point every ~15 s, an Amazfit one every second.
RUNS = ["mapbox-togeojson__run.gpx", "sports-lib__amazfit.gpx"]
CAR = "gpxpy__around-visnjan-with-car.gpx"  # a walk with a car ride in it (gpxpy's tests)


def _point(text: bytes) -> tuple[float, float, datetime]:
    lat = float(re.search(rb'lat="([^"]+)"', text).group(1))
    lon = float(re.search(rb'lon="([^"]+)"', text).group(1))
    when = re.search(rb"<time>([^<]+)</time>", text).group(1).decode()
    return lat, lon, datetime.fromisoformat(when.replace("Z", "+00:00"))


def _moved(text: bytes, lat: float, lon: float, when: datetime) -> bytes:
    text = re.sub(rb'lat="[^"]+"', b'lat="%.8f"' % lat, text)
    text = re.sub(rb'lon="[^"]+"', b'lon="%.8f"' % lon, text)
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return re.sub(rb"<time>[^<]+</time>", stamp.encode().join((b"<time>", b"</time>")), text)


def with_glitch(data: bytes, at: int, metres_north: float = 300) -> bytes:
    """The file with one point inserted after point `at`, halfway in time to the next,
    `metres_north` north of it: a GPS glitch out and back."""
    points = re.findall(rb"<trkpt.*?</trkpt>", data, re.S)
    (lat, lon, t0), (_lat, _lon, t1) = _point(points[at]), _point(points[at + 1])
    glitch = _moved(points[at], lat + metres_north / 111_320, lon, t0 + (t1 - t0) / 2)
    return replace_points(data, lambda i, text: text + glitch if i == at else text)


def context_for(track: tr.Track) -> JudgingContext:
    start = datetime.fromtimestamp(track.t[0], tz=UTC)
    return JudgingContext(
        campaign_starts_at=start - timedelta(days=1),
        campaign_ends_at=start + timedelta(days=1),
        sports=["run", "walk"],
        rules=merged_rules(None),
    )


def verdict_of(track: tr.Track, sport: str):
    facts = facts_from_track(track, tr.summarise(track), sport)
    return facts, judge(facts, context_for(track))


@pytest.mark.parametrize("name", RUNS)
def test_one_glitch_point_300_m_away_does_not_reject_an_honest_run(name):
    clean = one(read(name))
    glitched = one(with_glitch(read(name), at=len(clean) // 2))
    # Summed as recorded, the glitch adds some 600 m, out and back.
    assert tr.summarise(glitched).distance_m > tr.summarise(clean).distance_m + 550

    facts, verdict = verdict_of(glitched, "run")

    assert verdict.status == FLAGGED
    assert verdict.codes == ["gps_jump"]
    assert facts.vehicle_segments == ()
    assert facts.distance_m == pytest.approx(tr.summarise(clean).distance_m, abs=2)
    assert verdict.credited_m == facts.distance_m
    (jump,) = facts.gps_jumps
    assert jump.points == 1
    assert jump.distance_m == pytest.approx(600, rel=0.05)
    assert jump.index == len(clean) // 2 + 1
    assert verdict.reasons[0].evidence["excluded_m"] == round(jump.distance_m)


@pytest.mark.parametrize("name", RUNS)
def test_splits_and_pace_are_those_of_the_run_without_its_glitch(name):
    clean = tr.summarise(one(read(name)))
    glitched = one(with_glitch(read(name), at=40))
    judged = judged_track(glitched, "run").summary
    assert len(judged.splits_s) == len(clean.splits_s)
    assert judged.splits_s == pytest.approx(clean.splits_s, abs=1.0)
    assert judged.avg_pace_s_per_km == pytest.approx(clean.avg_pace_s_per_km, rel=0.002)
    assert judged.points == clean.points


def test_without_the_glitch_the_run_is_accepted_as_before():
    facts, verdict = verdict_of(one(read(RUNS[0])), "run")
    assert (verdict.status, facts.gps_jumps) == (ACCEPTED, ())


def test_a_step_to_somewhere_else_faster_than_any_vehicle_is_left_out_of_the_distance():
    data = read(RUNS[0])
    clean = one(data)
    half = len(clean) // 2

    # From the middle on, the points are 2 km further north: the GPS lost its place
    # and did not come back. No vehicle moves 2 km in 15 s.
    def shifted(i: int, text: bytes) -> bytes:
        if i <= half:
            return text
        lat, lon, when = _point(text)
        return _moved(text, lat + 2000 / 111_320, lon, when)

    track = one(replace_points(data, shifted))
    facts, verdict = verdict_of(track, "run")
    (jump,) = facts.gps_jumps
    assert jump.points == 0 and jump.distance_m > 1900
    assert verdict.status == FLAGGED
    # Each half is measured as recorded; the 2 km between them is not counted.
    assert facts.distance_m == pytest.approx(tr.summarise(clean).distance_m, abs=60)


def test_a_real_car_ride_is_still_a_vehicle_and_rejected():
    track = one(read(CAR))
    facts, verdict = verdict_of(track, "walk")
    assert verdict.status == REJECTED
    assert "vehicle_speed" in verdict.codes
    assert facts.gps_jumps == ()
    # Several consecutive points at a car's speed, not one glitch.
    assert max(seg.end_index - seg.start_index for seg in facts.vehicle_segments) >= 3


def test_several_consecutive_points_at_a_cars_speed_are_a_vehicle_not_jumps():
    data = read(RUNS[1])  # one point a second
    clean = one(data)
    first = 600

    # 60 s at 20 m/s (72 km/h) in the middle of the run: every later point moves on.
    def driven(i: int, text: bytes) -> bytes:
        if i <= first:
            return text
        lat, lon, when = _point(text)
        return _moved(text, lat + min(i - first, 60) * 20 / 111_320, lon, when)

    track = one(replace_points(data, driven))
    facts, verdict = verdict_of(track, "run")
    assert verdict.status == REJECTED
    assert facts.gps_jumps == ()
    assert sum(seg.distance_m for seg in facts.vehicle_segments) == pytest.approx(1200, rel=0.1)
    # Nothing is taken out as a glitch: the ride is in the distance, and judged.
    assert facts.distance_m == tr.summarise(track).distance_m > tr.summarise(clean).distance_m


def test_a_clean_track_is_returned_unchanged():
    track = one(read(RUNS[0]))
    clean, jumps = remove_gps_jumps(track, "run")
    assert clean is track and jumps == []


@pytest.mark.django_db
def test_the_upload_stores_the_run_without_its_glitch(participant):
    from activities.models import Activity
    from activities.pipeline import process_upload, receive

    glitched = with_glitch(read(RUNS[0]), at=100)
    process_upload(receive(participant, glitched, "glitch.gpx", process=False).pk)
    activity = Activity.objects.get()
    assert activity.distance_m == pytest.approx(tr.summarise(one(read(RUNS[0]))).distance_m, abs=2)
    assert [jump["points"] for jump in activity.gps_jumps] == [1]
