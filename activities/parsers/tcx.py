"""Garmin Training Center XML (TCX), including treadmill laps without positions.

Each `Activity` of a file stands or falls alone: an empty indoor activity beside two
runs leaves the runs readable, with a note that it was left out.
"""

from __future__ import annotations

import numpy as np

from activities.parsers.base import (
    ParseError,
    float_or_nan,
    local,
    note,
    parse_time,
    sport_hint,
    xml_root,
)
from activities.parsers.points import build_track_columns
from activities.track import Track


def parse(data: bytes, filename: str) -> list[Track]:
    root = xml_root(data)
    if local(root.tag) != "TrainingCenterDatabase":
        raise ParseError("unknown_format")
    activities = [el for el in root.iter() if local(el.tag) == "Activity"]
    if not activities:
        raise ParseError("no_points")
    return stand_alone([lambda a=a: _activity(a) for a in activities])


def stand_alone(readers: list) -> list[Track]:
    """The tracks of those of a file's activities that can be read, each with a note of
    the ones that could not; the most telling error when none can."""
    tracks: list[Track] = []
    errors: list[ParseError] = []
    for read in readers:
        try:
            tracks.append(read())
        except ParseError as error:
            errors.append(error)
    if not tracks:
        if len(errors) > 1 and all(e.code == "no_points" for e in errors):
            raise ParseError("no_points", params={"detail": "no_points", "activities": len(errors)})
        # A count-bearing error says more than a bare one.
        raise max(errors, key=lambda e: (e.code != "no_points", bool(e.params)))
    if errors:
        first = errors[0]
        skipped = note(
            "skipped",
            count=len(errors),
            total=len(readers),
            reason=first.code,
            reason_params=first.params,
        )
        for track in tracks:
            track.notes.append(skipped)
    return tracks


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
    times, lats, lons, eles, hrs, cads, dists = [], [], [], [], [], [], []
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
            times.append(np.nan if t is None else t)
            lats.append(lat)
            lons.append(lon)
            eles.append(ele)
            hrs.append(hr)
            cads.append(cad)
            dists.append(dist)
    lap_total = float(np.nansum([lap[2] for lap in laps])) if laps else 0.0
    if not _timed_points(times, lats, dists) and laps:
        return _from_laps(laps, sport, device)
    columns = [np.array(c, dtype=np.float64) for c in (times, lats, lons, eles, hrs, cads)]
    return build_track_columns(
        *columns,
        np.zeros(len(times)),
        source_format="tcx",
        sport=sport,
        device=device,
        dist=np.array(dists, dtype=np.float64),
        summary_distance=lap_total or None,
    )


def _timed_points(times: list, lats: list, dists: list) -> bool:
    """Whether at least two trackpoints have a time and either a position or a distance."""
    usable = 0
    for t, lat, dist in zip(times, lats, dists, strict=True):
        if np.isfinite(t) and (np.isfinite(lat) or np.isfinite(dist)):
            usable += 1
            if usable >= 2:
                return True
    return False


def _from_laps(laps: list[tuple[float | None, float, float]], sport, device) -> Track:
    """Distance-only laps (treadmill, indoor): keep duration and distance, no positions."""
    timed = [lap for lap in laps if lap[0] is not None and np.isfinite(lap[1])]
    total = float(np.nansum([lap[2] for lap in laps]))
    if not timed or total <= 0:
        raise ParseError("no_points")
    start = min(lap[0] for lap in timed)
    end = max(lap[0] + lap[1] for lap in timed)
    if end - start < 1.0:
        raise ParseError("no_timestamps", params={"detail": "same_time", "total": len(laps)})
    nan = np.full(2, np.nan)
    return Track(
        t=np.array([start, end]),
        lat=nan,
        lon=nan.copy(),
        ele=nan.copy(),
        sport=sport,
        device=device,
        source_format="tcx",
        has_gps=False,
        device_distance_m=total,
    )
