"""Garmin Training Center XML (TCX), including treadmill laps without positions."""

from __future__ import annotations

import numpy as np

from activities.parsers.base import (
    ParseError,
    build_track,
    distance_only_track,
    float_or_nan,
    local,
    parse_time,
    sport_hint,
    xml_root,
)
from activities.track import Track


def parse(data: bytes, filename: str) -> list[Track]:
    root = xml_root(data)
    if local(root.tag) != "TrainingCenterDatabase":
        raise ParseError("unknown_format")
    activities = [el for el in root.iter() if local(el.tag) == "Activity"]
    if not activities:
        raise ParseError("no_points")
    return [_activity(activity) for activity in activities]


def _text(el, name: str) -> str | None:
    for child in el:
        if local(child.tag) == name:
            return child.text
    return None


def _activity(activity) -> Track:
    sport = sport_hint(activity.get("Sport"))
    device = None
    for child in activity:
        if local(child.tag) == "Creator":
            device = (_text(child, "Name") or "").strip() or None
    rows = []
    no_gps: list[tuple[float, float]] = []
    laps = []
    for lap in activity:
        if local(lap.tag) != "Lap":
            continue
        laps.append(
            (
                parse_time(lap.get("StartTime")),
                float_or_nan(_text(lap, "TotalTimeSeconds")),
                float_or_nan(_text(lap, "DistanceMeters")),
            )
        )
        for tp in lap.iter():
            if local(tp.tag) != "Trackpoint":
                continue
            t = None
            lat = lon = ele = hr = cad = dist = np.nan
            for child in tp.iter():
                name = local(child.tag)
                if name == "Time":
                    t = parse_time(child.text)
                elif name == "LatitudeDegrees":
                    lat = float_or_nan(child.text)
                elif name == "LongitudeDegrees":
                    lon = float_or_nan(child.text)
                elif name == "AltitudeMeters":
                    ele = float_or_nan(child.text)
                elif name == "DistanceMeters":
                    dist = float_or_nan(child.text)
                elif name == "Value" and local(child.getparent().tag) == "HeartRateBpm":
                    hr = float_or_nan(child.text)
                elif name in ("Cadence", "RunCadence") and np.isnan(cad):
                    cad = float_or_nan(child.text)
            rows.append((t, lat, lon, ele, hr, cad, 0))
            if t is not None and np.isfinite(dist):
                no_gps.append((t, dist))
    if any(np.isfinite(r[1]) and np.isfinite(r[2]) for r in rows):
        return build_track(rows, source_format="tcx", sport=sport, device=device)
    return _treadmill(no_gps, laps, sport, device)


def _treadmill(
    samples: list[tuple[float, float]],
    laps: list[tuple[float | None, float, float]],
    sport: str | None,
    device: str | None,
) -> Track:
    """Distance-only laps (treadmill, indoor): keep duration and distance, no positions."""
    if len(samples) >= 2:
        arr = np.array(sorted(samples), dtype=np.float64)
        t, dist = arr[:, 0], arr[:, 1]
        total = float(np.nanmax(dist))
    else:
        timed = [lap for lap in laps if lap[0] is not None and np.isfinite(lap[1])]
        if not timed:
            raise ParseError("no_points" if not laps else "no_timestamps")
        start = min(lap[0] for lap in timed)
        end = max(lap[0] + lap[1] for lap in timed)
        total = float(np.nansum([lap[2] for lap in laps]))
        t = np.array([start, end])
        dist = np.array([0.0, total])
    return distance_only_track(t, dist, total, source_format="tcx", sport=sport, device=device)
