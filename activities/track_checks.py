"""Track checks: GPS jumps and vehicle segments in a recorded track.

`remove_gps_jumps` takes the isolated jumps out of a parsed track (a point thrown
hundreds of metres away and back, a step faster than any vehicle) before its
distance, splits and pace are computed; `find_track_anomalies` then finds, in
numpy over seconds since start and cumulative metres per point, the vehicle
segments: several consecutive steps at a speed a vehicle holds, for long enough.
`activities.rules` turns what is found here into reasons; docs/rules.md explains
the thresholds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np

from activities.track import Track, fix_steps, geodesic_distances

# Track thresholds. campaigns/rules.py does not carry them yet, so a campaign
# overrides them by storing the same keys (top level, or per sport for the
# vehicle speed); these are the values used when it does not.
GPS_JUMP_SPEED_MPS = 12.0  # faster than any walker or runner between two points
VEHICLE_SPEED_MPS = {"run": 7.0, "walk": 3.5}  # sustained: 2:23/km, 4:46/km
VEHICLE_SPEED_OTHER_MPS = 7.0  # a sport without its own value
VEHICLE_MIN_S = 60  # a vehicle segment lasts at least this long…
VEHICLE_MIN_M = 500  # …or covers at least this far…
VEHICLE_MIN_STEPS = 3  # …in at least this many consecutive steps between points
# No vehicle a participant could be in holds this (306 km/h): a faster step is the GPS.
VEHICLE_MAX_SPEED_MPS = 85.0
# Each GPS position is off by some metres: a step is a jump only when it is longer than
# gps_jump_speed_mps allows in its time by more than this (two positions' error).
GPS_STEP_ERROR_M = 20.0
# A jump out and back of up to this many points is one GPS jump, its points left out.
GPS_JUMP_MAX_POINTS = 5
# GPS jumps and vehicle segments flag an activity for review while they are a
# small part of it, and reject it once they cover this share of its distance.
SUSPECT_REJECT_SHARE = 0.10
# More isolated jumps than this reject the activity whatever their distance.
GPS_JUMP_MAX_COUNT = 5

TRACK_DEFAULTS: dict[str, Any] = {
    "gps_jump_speed_mps": GPS_JUMP_SPEED_MPS,
    "vehicle_min_s": VEHICLE_MIN_S,
    "vehicle_min_m": VEHICLE_MIN_M,
    "suspect_reject_share": SUSPECT_REJECT_SHARE,
    "gps_jump_max_count": GPS_JUMP_MAX_COUNT,
    "vehicle_min_steps": VEHICLE_MIN_STEPS,
    "vehicle_max_speed_mps": VEHICLE_MAX_SPEED_MPS,
    "gps_step_error_m": GPS_STEP_ERROR_M,
}


class GpsJump(NamedTuple):
    """An implausibly fast step between two consecutive points, left out of the distance."""

    index: int  # of the point the jump lands on, in the track as recorded
    speed_mps: float
    distance_m: float = 0.0  # what the jump would have added to the distance
    # Points thrown off the path and back, left out of the track (0: a one-way jump,
    # whose step alone is left out of the distance).
    points: int = 0


class VehicleSegment(NamedTuple):
    """Consecutive points at a sustained speed no walker or runner reaches."""

    start_index: int
    end_index: int
    duration_s: float
    distance_m: float
    speed_mps: float  # average over the segment


def track_limits(rules: Mapping[str, Any], sport: str) -> dict[str, Any]:
    """The track thresholds for a sport: module defaults overlaid by the campaign's rules."""
    limits = {key: rules.get(key, default) for key, default in TRACK_DEFAULTS.items()}
    sport_rules = (rules.get("sports") or {}).get(sport) or {}
    limits["vehicle_speed_mps"] = sport_rules.get(
        "vehicle_speed_mps",
        rules.get("vehicle_speed_mps", VEHICLE_SPEED_MPS.get(sport, VEHICLE_SPEED_OTHER_MPS)),
    )
    return limits


def find_track_anomalies(
    times_s: Sequence[float] | np.ndarray,
    cumulative_m: Sequence[float] | np.ndarray,
    sport: str,
    rules: Mapping[str, Any] | None = None,
) -> tuple[list[GpsJump], list[VehicleSegment]]:
    """GPS jumps and vehicle segments of a track given as seconds since start
    and cumulative distance per point.

    A vehicle segment is a run of at least VEHICLE_MIN_STEPS consecutive steps
    at or above the sport's vehicle speed (and at most VEHICLE_MAX_SPEED_MPS)
    lasting VEHICLE_MIN_S or covering VEHICLE_MIN_M. A jump is a single step
    faster than GPS_JUMP_SPEED_MPS outside any vehicle segment: a car on a
    highway is one vehicle segment, not a hundred jumps. On a track that
    `remove_gps_jumps` has cleaned, no jump is left.
    """
    limits = track_limits(rules or {}, sport)
    t = np.asarray(times_s, dtype=float)
    d = np.asarray(cumulative_m, dtype=float)
    if t.size < 2:
        return [], []
    dt = np.diff(t)
    dd = np.diff(d)
    speed = _step_speeds(dt, dd)

    segments, in_vehicle = _vehicle_segments(dt, dd, speed, limits)
    jump_steps = np.flatnonzero(_too_far(dt, dd, limits) & ~in_vehicle)
    jumps = [GpsJump(int(i) + 1, float(speed[i]), float(dd[i])) for i in jump_steps]
    return jumps, segments


def _too_far(dt: np.ndarray, dd: np.ndarray, limits: Mapping[str, Any]) -> np.ndarray:
    """Steps longer than gps_jump_speed_mps allows in their time, beyond the GPS error."""
    return dd > limits["gps_jump_speed_mps"] * np.maximum(dt, 0.0) + limits["gps_step_error_m"]


def _step_speeds(dt: np.ndarray, dd: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(dt > 0, dd / dt, np.where(dd > 0, np.inf, 0.0))


def _vehicle_segments(
    dt: np.ndarray, dd: np.ndarray, speed: np.ndarray, limits: Mapping[str, Any]
) -> tuple[list[VehicleSegment], np.ndarray]:
    """Runs of at least VEHICLE_MIN_STEPS consecutive steps at a speed a vehicle holds
    (the sport's vehicle speed up to VEHICLE_MAX_SPEED_MPS), lasting vehicle_min_s or
    covering vehicle_min_m; and which steps they cover."""
    fast = (speed >= limits["vehicle_speed_mps"]) & (speed <= limits["vehicle_max_speed_mps"])
    segments: list[VehicleSegment] = []
    in_vehicle = np.zeros(speed.size, dtype=bool)
    # Boundaries of runs of True in `fast`: step i covers points i → i+1.
    edges = np.diff(np.concatenate(([0], fast.astype(np.int8), [0])))
    for first, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if stop - first < limits["vehicle_min_steps"]:
            continue
        duration = float(dt[first:stop].sum())
        distance = float(dd[first:stop].sum())
        if duration >= limits["vehicle_min_s"] or distance >= limits["vehicle_min_m"]:
            in_vehicle[first:stop] = True
            segments.append(
                VehicleSegment(
                    start_index=int(first),
                    end_index=int(stop),
                    duration_s=duration,
                    distance_m=distance,
                    speed_mps=distance / duration if duration > 0 else math.inf,
                )
            )
    return segments, in_vehicle


def remove_gps_jumps(
    track: Track, sport: str, rules: Mapping[str, Any] | None = None
) -> tuple[Track, list[GpsJump]]:
    """The track without its isolated GPS jumps, and those jumps.

    A jump is a step faster than gps_jump_speed_mps that is not part of a vehicle
    segment. When the path comes back within GPS_JUMP_MAX_POINTS points to where a
    walker could be (the step from before the jump to there is not a jump), the points
    thrown off are left out; otherwise the jump's step is a break in the path, with no
    distance. Either way the rest of the track is kept as it was recorded.
    """
    if not track.has_gps or len(track) < 3:
        return track, []
    limits = track_limits(rules or {}, sport)
    at, dd = fix_steps(track)  # computed once for the summary as well
    if at.size < 3:
        return track, []
    t, lat, lon = track.t[at], track.lat[at], track.lon[at]
    if track.segment is not None:  # no step across a break in the recording
        dd = np.where(np.diff(track.segment[at]) != 0, 0.0, dd)
    dt = np.diff(t)
    speed = _step_speeds(dt, dd)
    too_fast = _too_far(dt, dd, limits)
    if not too_fast.any():
        return track, []
    _segments, in_vehicle = _vehicle_segments(dt, dd, speed, limits)
    steps = np.flatnonzero(too_fast & ~in_vehicle)
    if steps.size == 0:
        return track, []

    drop = np.zeros(at.size, dtype=bool)
    breaks: list[int] = []  # steps (between fixes a and a + 1) left without distance
    jumps: list[GpsJump] = []
    is_jump = np.zeros(speed.size, dtype=bool)
    is_jump[steps] = True
    done = -1
    for a in steps.tolist():
        if a < done:
            continue  # inside an excursion already left out
        back = _return_point(a, t, lat, lon, is_jump, limits)
        if back is None:
            breaks.append(a)
            jumps.append(GpsJump(int(at[a + 1]), float(speed[a]), float(dd[a])))
            done = a + 1
            continue
        drop[a + 1 : back] = True
        bridge = float(geodesic_distances(lat[[a, back]], lon[[a, back]])[0])
        jumps.append(
            GpsJump(
                int(at[a + 1]),
                float(speed[a:back].max()),
                max(float(dd[a:back].sum()) - bridge, 0.0),
                int(back - a - 1),
            )
        )
        done = back
    return _without(track, at, drop, breaks), jumps


def _return_point(
    a: int,
    t: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    is_jump: np.ndarray,
    limits: Mapping[str, Any],
) -> int | None:
    """The first fix after a jump at step `a` where the path is back within reach of
    fix `a`: reached by a jump step, with a plausible step from `a`."""
    last = min(a + 1 + GPS_JUMP_MAX_POINTS, t.size - 1)
    for back in range(a + 2, last + 1):
        if not is_jump[back - 1]:
            continue
        bridge = geodesic_distances(lat[[a, back]], lon[[a, back]])
        if not _too_far(t[[back]] - t[[a]], bridge, limits)[0]:
            return back
    return None


def _without(track: Track, at: np.ndarray, drop: np.ndarray, breaks: list[int]) -> Track:
    if breaks:
        segment = np.zeros(len(track), dtype=np.int64) if track.segment is None else track.segment
        bump = np.zeros(len(track), dtype=np.int64)
        bump[at[np.asarray(breaks) + 1]] = 1
        track = _with_segment(track, segment + np.cumsum(bump))
    if drop.any():
        keep = np.ones(len(track), dtype=bool)
        keep[at[drop]] = False
        track = track.subset(keep)
    return track


def _with_segment(track: Track, segment: np.ndarray) -> Track:
    return replace(track, segment=segment)
