"""Garmin Training Center XML (TCX), including treadmill laps without positions.

Each `Activity` of a file stands or falls alone: an empty indoor activity beside two
runs leaves the runs readable, with a note that it was left out.

A regular file's trackpoints are read by their shapes, without a tree of them, as
GPX points are (`gpx_shapes` with the `TCX` dialect below): the rest of the
document, with each trackpoint replaced by an empty placeholder, is parsed as
usual for the activities, laps, sport and device, and each activity takes its run
of the points' texts. Anything the shapes cannot vouch for is read from the whole
tree (`_trackpoints`), which gives the same tracks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import numpy as np
from lxml import etree

from activities.parsers import gpx, gpx_shapes
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

# The texts of an activity's trackpoints by field, one per point (None where missing);
# cadence, from the shapes, as a list of such columns of which the first readable counts.
Texts = dict[str, list]


def _nothing_recorded(root: etree._Element) -> None:
    """A TCX without activities: a course (a route planned for the watch to follow, its
    times made up by the planner) is told as a route, anything else as empty."""
    route = sum(1 for course in root.iter("{*}Course") for _point in course.iter("{*}Trackpoint"))
    if route:
        raise ParseError("no_points", params={"detail": "route_only", "total": route})
    raise ParseError("no_points")


def parse(data: bytes, filename: str) -> list[Track]:
    points = _read_points(data)
    root = xml_root(data) if points is None or points.root is None else points.root
    if local(root.tag) != "TrainingCenterDatabase":
        raise ParseError("unknown_format")
    activities = list(root.iter("{*}Activity"))
    if not activities:
        _nothing_recorded(root)  # a course's trackpoints stand in the skeleton too
    texts = None if points is None else _texts_by_activity(points, activities)
    if points is not None and texts is None:
        # Some trackpoint stands outside an activity, or something after one would count
        # for it in the tree: read the whole tree.
        root = xml_root(data)
        activities = list(root.iter("{*}Activity"))
    if texts is None:
        return stand_alone([functools.partial(_activity, a) for a in activities])
    return stand_alone(
        [functools.partial(_activity, a, t) for a, t in zip(activities, texts, strict=True)]
    )


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


def _activity(activity: etree._Element, shaped: Texts | None = None) -> Track:
    sport = sport_hint(activity.get("Sport"))
    device = None
    for child in activity:
        if local(child.tag) == "Creator":
            device = (_text(child, "Name") or "").strip() or None
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
    if shaped is None:
        texts: Texts = {field: [] for field in FIELDS}
        _trackpoints(activity, texts)
    else:
        texts = shaped
    times = gpx._epochs(texts["t"])
    lats, lons, dists = (gpx._floats(texts[k]) for k in ("lat", "lon", "dist"))
    lap_total = float(np.nansum([lap[2] for lap in laps])) if laps else 0.0
    if not _timed_points(times, lats, dists) and laps:
        return _from_laps(laps, sport, device)
    eles, hrs = (gpx._floats(texts[k]) for k in ("ele", "hr"))
    if shaped is None:
        cads = gpx._floats(texts["cad"])
    else:
        cads = gpx._first_readable(texts["cad"], len(texts["t"]))
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


def _role(stack: list[tuple[bytes, str]], name: str) -> str | None:
    """What the text of an element inside a trackpoint holds for `_trackpoints`: a field
    at any depth, a heart rate being a `Value` right under `HeartRateBpm`. A lap, an
    activity or a trackpoint inside a trackpoint is left to the tree."""
    if name in _NOT_IN_A_POINT:
        return gpx_shapes.NOT_PLAIN
    if name == "Value":
        return "hr" if stack[-1][1] == "HeartRateBpm" else None
    return _KINDS.get(name)


_NOT_IN_A_POINT = frozenset({"Trackpoint", "Lap", "Activity"})
# Of several cadences the first readable counts; of any other field, the last one.
TCX = gpx_shapes.Dialect("Trackpoint", (), FIELDS, ("cad",), _role, max_shapes=8)

# What in the document after a trackpoint `_trackpoints` would still count for it: an
# element of a field before the next lap or activity begins (or this one ends).
_FIELD_TAG = re.compile(
    rb"<(?:[A-Za-z_][\w.\-]*:)?(?:" + b"|".join(name.encode() for name in _KINDS) + rb")[\s/>]"
)
_POINT_ENDS = re.compile(
    rb"<(?:[A-Za-z_][\w.\-]*:)?(?:Lap|Activity)[\s/>]|</(?:[A-Za-z_][\w.\-]*:)?Activity[\s>]"
)


def _read_points(data: bytes) -> gpx_shapes.Points | None:
    """The trackpoints of a regular file by their shapes, or None for the tree reader."""
    body = data.lstrip()
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:].lstrip()  # as xml_root reads it
    points = gpx_shapes.read_points(body, TCX)
    if points is None:
        return None
    for between in set(points.between[1:]):
        if between.isspace():
            continue
        end = _POINT_ENDS.search(between)
        if _FIELD_TAG.search(between, 0, end.start() if end else len(between)):
            return None
    return points


def _texts_by_activity(
    points: gpx_shapes.Points, activities: list[etree._Element]
) -> list[Texts] | None:
    """Each activity's run of the points' texts, or None where the placeholders do not
    lie each in exactly one activity."""
    # A placeholder takes the default namespace where it stands: counted by name first,
    # which is faster than comparing every element's local name.
    counts = [_placeholders(a, a.nsmap.get(None)) for a in activities]
    if sum(counts) != points.count:
        counts = [_placeholders(a, "*") for a in activities]
    if sum(counts) != points.count or any(
        next(a.iterancestors("{*}Activity"), None) is not None for a in activities
    ):
        return None
    texts, start = [], 0
    for count in counts:
        stop = start + count
        own: Texts = {}
        for field, column in points.texts.items():
            if field in TCX.several:
                own[field] = [c[start:stop] for c in column]
            else:
                own[field] = column[start:stop]
        texts.append(own)
        start = stop
    return texts


def _placeholders(activity: etree._Element, namespace: str | None) -> int:
    return int(_placeholder_counter(namespace)(activity))


@functools.cache
def _placeholder_counter(namespace: str | None) -> etree.XPath:
    if namespace == "*":
        return etree.XPath("count(.//*[local-name() = 'Trackpoint'])")
    if namespace is None:
        return etree.XPath("count(.//*[local-name() = 'Trackpoint' and namespace-uri() = ''])")
    return etree.XPath("count(.//p:Trackpoint)", namespaces={"p": namespace})


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
