"""Garmin Training Center XML (TCX), including treadmill laps without positions.

Each `Activity` of a file stands or falls alone: an empty indoor activity beside two
runs leaves the runs readable, with a note that it was left out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from activities.parsers import gpx
from activities.parsers.base import (
    FloatArray,
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

if TYPE_CHECKING:
    from lxml import etree


def parse(data: bytes, filename: str) -> list[Track]:
    root = xml_root(data)
    if local(root.tag) != "TrainingCenterDatabase":
        raise ParseError("unknown_format")
    activities = list(root.iter("{*}Activity"))
    if not activities:
        raise ParseError("no_points")
    return stand_alone([functools.partial(_activity, a) for a in activities])


def stand_alone(readers: list[Callable[[], Track]]) -> list[Track]:
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


def _text(el: etree._Element, name: str) -> str | None:
    for child in el:
        if local(child.tag) == name:
            return child.text
    return None


def _activity(activity: etree._Element) -> Track:
    sport = sport_hint(activity.get("Sport"))
    device = None
    for child in activity:
        if local(child.tag) == "Creator":
            device = (_text(child, "Name") or "").strip() or None
    texts: dict[str, list[str | None]] = {field: [] for field in FIELDS}
    laps: list[tuple[float | None, float, float]] = []
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
    _trackpoints(activity, texts)
    times = gpx._epochs(texts["t"])
    lats, lons, dists = (gpx._floats(texts[k]) for k in ("lat", "lon", "dist"))
    lap_total = float(np.nansum([lap[2] for lap in laps])) if laps else 0.0
    if not _timed_points(times, lats, dists) and laps:
        return _from_laps(laps, sport, device)
    eles, hrs, cads = (gpx._floats(texts[k]) for k in ("ele", "hr", "cad"))
    return build_track_columns(
        times,
        lats,
        lons,
        eles,
        hrs,
        cads,
        np.zeros(len(times)),
        source_format="tcx",
        sport=sport,
        device=device,
        dist=dists,
        summary_distance=lap_total or None,
    )


def _timed_points(times: FloatArray, lats: FloatArray, dists: FloatArray) -> bool:
    """Whether at least two trackpoints have a time and either a position or a distance."""
    usable = np.isfinite(times) & (np.isfinite(lats) | np.isfinite(dists))
    return int(np.count_nonzero(usable)) >= 2


# What the elements of a trackpoint hold, by local name; lxml picks them out in C, in
# document order. In a lap, its own distance, cadence and heart rates come before its
# track (the schema's order), so they are told apart by where they stand: nothing
# counts from a lap's start to its first trackpoint.
_KINDS = {
    "Time": "t",
    "LatitudeDegrees": "lat",
    "LongitudeDegrees": "lon",
    "AltitudeMeters": "ele",
    "DistanceMeters": "dist",
    "Value": "hr",
    "Cadence": "cad",
    "RunCadence": "cad",
}
FIELDS = ("t", "lat", "lon", "ele", "dist", "hr", "cad")
_TAGS = ("{*}Lap", "{*}Trackpoint", *(f"{{*}}{name}" for name in _KINDS))


def _trackpoints(activity: etree._Element, texts: dict[str, list[str | None]]) -> None:
    """Append the texts of each trackpoint of the activity: of several, the last one
    counts, but the first readable cadence; a heart rate is a `Value` under
    `HeartRateBpm`.

    The texts are kept by point number, only for the points that have them, and put
    in lists once at the end: most of a file's points lack some field, and appending
    a None to every column for every point took a good part of the reading time."""
    kinds: dict[str, str] = {}  # tag → a column, "point" or "lap"
    found: dict[str, dict[int, str | None]] = {field: {} for field in FIELDS}
    cadence = found["cad"]
    heart_rate_parents: dict[str, bool] = {}  # a Value's parent tag → whether HeartRateBpm
    index = -1
    inside = False
    for element in activity.iter(_TAGS):
        tag = element.tag
        kind = kinds.get(tag)
        if kind is None:
            name = local(tag)
            kind = kinds[tag] = "point" if name == "Trackpoint" else _KINDS.get(name, "lap")
        if kind == "point":
            inside = True
            index += 1
        elif kind == "lap":
            inside = False
        elif not inside:
            continue
        elif kind == "cad":
            if not _number(cadence.get(index)):
                cadence[index] = element.text
        elif kind == "hr":
            parent = element.getparent().tag
            under = heart_rate_parents.get(parent)
            if under is None:
                under = heart_rate_parents[parent] = local(parent) == "HeartRateBpm"
            if under:
                found["hr"][index] = element.text
        else:
            found[kind][index] = element.text
    count = index + 1
    for field, by_point in found.items():
        column = texts[field]
        if len(by_point) == count:
            # Every point has one, set in point order (a later text replaces an
            # earlier one in its place).
            column.extend(by_point.values())
        else:
            start = len(column)
            column.extend([None] * count)
            for number, text in by_point.items():
                column[start + number] = text


def _number(text: str | None) -> bool:
    return not np.isnan(float_or_nan(text))


def _from_laps(
    laps: list[tuple[float | None, float, float]], sport: str | None, device: str | None
) -> Track:
    """Distance-only laps (treadmill, indoor): keep duration and distance, no positions."""
    # (start, duration) of the laps that tell both.
    timed = [
        (begun, lasted) for begun, lasted, _ in laps if begun is not None and np.isfinite(lasted)
    ]
    total = float(np.nansum([lap[2] for lap in laps]))
    if not timed or total <= 0:
        raise ParseError("no_points")
    start = min(begun for begun, _ in timed)
    end = max(begun + lasted for begun, lasted in timed)
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
