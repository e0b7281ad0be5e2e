"""Track checks: GPS jumps and vehicle segments in a recorded track.

Pure numpy over seconds since start and cumulative metres per point, so it
runs on any parsed track before judging. `activities.rules` turns what is
found here into reasons; docs/rules.md explains the thresholds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

# Track thresholds. campaigns/rules.py does not carry them yet, so a campaign
# overrides them by storing the same keys (top level, or per sport for the
# vehicle speed); these are the values used when it does not.
GPS_JUMP_SPEED_MPS = 12.0  # faster than any walker or runner between two points
VEHICLE_SPEED_MPS = {"run": 7.0, "walk": 3.5}  # sustained: 2:23/km, 4:46/km
VEHICLE_SPEED_OTHER_MPS = 7.0  # a sport without its own value
VEHICLE_MIN_S = 60  # a vehicle segment lasts at least this long…
VEHICLE_MIN_M = 500  # …or covers at least this far
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
}


class GpsJump(NamedTuple):
    """An implausibly fast step between two consecutive points."""

    index: int  # of the point the jump lands on
    speed_mps: float
    distance_m: float = 0.0


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

    A vehicle segment is a run of consecutive steps at or above the sport's
    vehicle speed lasting VEHICLE_MIN_S or covering VEHICLE_MIN_M. A jump is a
    single step faster than GPS_JUMP_SPEED_MPS outside any vehicle segment:
    a car on a highway is one vehicle segment, not a hundred jumps.
    """
    limits = track_limits(rules or {}, sport)
    t = np.asarray(times_s, dtype=float)
    d = np.asarray(cumulative_m, dtype=float)
    if t.size < 2:
        return [], []
    dt = np.diff(t)
    dd = np.diff(d)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(dt > 0, dd / dt, np.where(dd > 0, np.inf, 0.0))

    fast = speed >= limits["vehicle_speed_mps"]
    segments: list[VehicleSegment] = []
    in_vehicle = np.zeros(speed.size, dtype=bool)
    # Boundaries of runs of True in `fast`: step i covers points i → i+1.
    edges = np.diff(np.concatenate(([0], fast.astype(np.int8), [0])))
    for first, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
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
    jump_steps = np.flatnonzero((speed > limits["gps_jump_speed_mps"]) & ~in_vehicle)
    jumps = [GpsJump(int(i) + 1, float(speed[i]), float(dd[i])) for i in jump_steps]
    return jumps, segments
