"""GPX 1.0 and 1.1, with Garmin/Strava/Amazfit heart-rate and cadence extensions.

A regular file's points are read by their shapes, without a tree of them
(`gpx_shapes`); any other file's are read from the whole tree, each point visited
once to collect the raw text of each field. Either way the texts are converted
column by column with numpy, which is several times faster than converting each
value on its own, and both ways give the same track.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from lxml import etree

from activities.parsers import gpx_shapes
from activities.parsers.base import (
    FloatArray,
    ParseError,
    float_or_nan,
    local,
    parse_time,
    sport_hint,
    xml_root,
)
from activities.parsers.gpx_shapes import CAD_TAGS, HR_TAGS
from activities.parsers.points import build_track_columns
from activities.track import Track


def parse(data: bytes, filename: str) -> list[Track]:
    points = gpx_shapes.read_points(data)
    root = xml_root(data) if points is None or points.root is None else points.root
    if local(root.tag) != "gpx":
        raise ParseError("unknown_format")
    sport, segments = _tracks(root)
    columns = None
    if points is not None:
        counts = [_count_points(segment) for segment in segments]
        if sum(counts) == points.count:
            columns = _shaped_columns(points, counts)
        else:  # some point lies outside a track segment: read the whole tree
            root = xml_root(data)
            sport, segments = _tracks(root)
    if columns is None:
        columns = _columns(segments, etree.QName(root).namespace)
    if not columns[0].size:
        _nothing_recorded(root)
    return [
        build_track_columns(
            *columns, source_format="gpx", sport=sport, device=root.get("creator") or None
        )
    ]


def _nothing_recorded(root: etree._Element) -> None:
    """Say what a GPX without track points holds instead: a route planned on a map
    (``rte``), or only waypoints, is not a recording of an activity."""
    route = sum(1 for element in root.iter() if local(element.tag) == "rtept")
    if route:
        raise ParseError("no_points", params={"detail": "route_only", "total": route})
    waypoints = sum(1 for element in root if local(element.tag) == "wpt")
    if waypoints:
        raise ParseError("no_points", params={"detail": "waypoints_only", "total": waypoints})
    raise ParseError("no_points")


def _count_points(segment: etree._Element) -> int:
    """How many placeholder points a segment of the skeleton holds. A placeholder takes
    the default namespace where it stands, which is looked up by name: faster than
    comparing every child's local name."""
    return int(_points_counter(segment.nsmap.get(None))(segment))


@functools.cache
def _points_counter(namespace: str | None) -> etree.XPath:
    if namespace is None:
        return etree.XPath("count(*[local-name() = 'trkpt' and namespace-uri() = ''])")
    return etree.XPath("count(p:trkpt)", namespaces={"p": namespace})


def _tracks(root: etree._Element) -> tuple[str | None, list[etree._Element]]:
    """The sport of the first track that names one, and every track segment in order."""
    sport = None
    segments: list[etree._Element] = []
    for trk in root:
        if local(trk.tag) != "trk":
            continue
        for child in trk:
            name = local(child.tag)
            if name == "type" and sport is None:
                sport = sport_hint(child.text)
            elif name == "trkseg":
                segments.append(child)
    return sport, segments


def _shaped_columns(points: gpx_shapes.Points, counts: list[int]) -> tuple[FloatArray, ...]:
    """(t, lat, lon, ele, hr, cad, segment) from the texts the point shapes gave."""
    texts = points.texts
    return (
        _epochs(texts["time"]),
        _floats(texts["lat"]),
        _floats(texts["lon"]),
        _floats(texts["ele"]),
        _first_readable(texts["hr"], points.count),
        _first_readable(texts["cad"], points.count),
        np.repeat(np.arange(len(counts), dtype=np.float64), counts),
    )


def _first_readable(columns: list[list[str | bytes | None]], count: int) -> FloatArray:
    """Per point, the first of its texts that reads as a number, as `_read_extensions` picks."""
    values = np.full(count, np.nan)
    for column in columns:
        missing = np.isnan(values)
        if missing.any():
            values[missing] = _floats(column)[missing]
    return values


# Texts are converted every this many points, so that a day-long track never
# holds more than a few thousand Python strings at once next to its XML tree.
CHUNK_POINTS = 4096


class _Columns:
    """The texts of the points read so far, turned into arrays a chunk at a time."""

    def __init__(self) -> None:
        self.arrays: list[tuple[FloatArray, ...]] = []
        self._start()

    def _start(self) -> None:
        self.times: list[str | None] = []
        self.lats: list[str | None] = []
        self.lons: list[str | None] = []
        self.eles: list[str | None] = []
        # Heart rate and cadence by index within the chunk; most points have neither.
        self.readings: dict[str, dict[int, str | None]] = {"hr": {}, "cad": {}}

    def flush(self) -> None:
        n = len(self.times)
        if n:
            self.arrays.append(
                (
                    _epochs(self.times),
                    _floats(self.lats),
                    _floats(self.lons),
                    _floats(self.eles),
                    _sparse_floats(self.readings["hr"], n),
                    _sparse_floats(self.readings["cad"], n),
                )
            )
        self._start()

    def result(self, counts: list[int]) -> tuple[FloatArray, ...]:
        self.flush()
        columns = [np.concatenate(parts) for parts in zip(*self.arrays, strict=True)]
        if not columns:
            columns = [np.zeros(0) for _ in range(6)]
        segment = np.repeat(np.arange(len(counts), dtype=np.float64), counts)
        return (*columns, segment)


def _columns(segments: list[etree._Element], ns: str | None) -> tuple[FloatArray, ...]:
    """(t, lat, lon, ele, hr, cad, segment) of every point, nan where missing.

    Elements are recognised by their local name in any namespace; comparing with
    the GPX namespace's own tags first only saves looking the local name up.
    """
    prefix = f"{{{ns}}}" if ns else ""
    trkpt_tag, time_tag, ele_tag = f"{prefix}trkpt", f"{prefix}time", f"{prefix}ele"
    extensions_tag = f"{prefix}extensions"
    kinds: dict[object, str | None] = {}  # extension tag → "hr", "cad" or None
    columns = _Columns()
    counts: list[int] = []
    times, lats, lons, eles = columns.times, columns.lats, columns.lons, columns.eles
    for trkseg in segments:
        count = 0
        for pt in trkseg:
            if pt.tag != trkpt_tag and local(pt.tag) != "trkpt":
                continue
            t = ele = None
            for child in pt:
                tag = child.tag
                if tag == time_tag:
                    t = child.text
                elif tag == ele_tag:
                    ele = child.text
                else:
                    name = "extensions" if tag == extensions_tag else local(tag)
                    if name == "time":
                        t = child.text
                    elif name == "ele":
                        ele = child.text
                    elif name == "extensions":
                        _read_extensions(child, len(times), columns.readings, kinds)
            times.append(t)
            lats.append(pt.get("lat"))
            lons.append(pt.get("lon"))
            eles.append(ele)
            count += 1
            if len(times) == CHUNK_POINTS:
                columns.flush()
                times, lats, lons, eles = columns.times, columns.lats, columns.lons, columns.eles
        counts.append(count)
    return columns.result(counts)


def _read_extensions(
    extensions: etree._Element,
    index: int,
    readings: dict[str, dict[int, str | None]],
    kinds: dict[object, str | None],
) -> None:
    """The point's heart rate and cadence texts: of several, the first readable one."""
    for ext in extensions.iter():
        tag = ext.tag
        kind = kinds.get(tag, "")
        if kind == "":
            name = local(tag).lower()
            kind = kinds[tag] = "hr" if name in HR_TAGS else "cad" if name in CAD_TAGS else None
        if kind is not None:
            found = readings[kind]
            if index not in found or not _readable(found[index]):
                found[index] = ext.text


def _readable(text: str | None) -> bool:
    return not math.isnan(float_or_nan(text))


def _sparse_floats(texts: dict[int, str | None], n: int) -> FloatArray:
    values = np.full(n, np.nan)
    if texts:
        values[np.fromiter(texts, dtype=np.int64, count=len(texts))] = _floats(list(texts.values()))
    return values


def _floats(texts: Sequence[str | bytes | None]) -> FloatArray:
    """float_or_nan of each text, converted all at once where every one is a number."""
    missing = texts.count(None)
    if missing == len(texts):
        return np.full(len(texts), np.nan)
    # Without None (replaced by "nan" here, or counted as absent), every text is one.
    numbers = (
        ["nan" if text is None else text for text in texts]
        if missing
        else cast("Sequence[str | bytes]", texts)
    )
    try:
        values = np.fromiter(map(float, numbers), dtype=np.float64, count=len(numbers))
    except (TypeError, ValueError):
        values = np.array([float_or_nan(text) for text in numbers], dtype=np.float64)
    values[~np.isfinite(values)] = np.nan
    return values


# YYYY-MM-DDTHH:MM:SS[.f…]Z: where each field's digits are, and the separators.
_DIGITS = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)
_SEPARATORS = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":"}
_PLAIN_SIZES = (20, *range(22, 41))
_OFFSET_SIZES = tuple(size + 5 for size in _PLAIN_SIZES)  # ±HH:MM for Z
# Rows of character codes: bytes (uint8) or str (uint32) viewed as numbers.
CharCodes = npt.NDArray[np.unsignedinteger[Any]]
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


# Up to this many times are converted one by one (parse_time), quicker than the
# array steps for a few points.
FEW_TIMES = 16


def _epochs(texts: Sequence[str | bytes | None]) -> FloatArray:
    """parse_time of each text (nan where it gives None), all at once for plain UTC times."""
    if None in texts:
        # Points without a time (nan) beside timed ones, which are converted together.
        timed = np.fromiter((text is not None for text in texts), dtype=bool, count=len(texts))
        spread = np.full(len(texts), np.nan)
        if timed.any():
            spread[timed] = _epochs([text for text in texts if text is not None])
        return spread
    # Without None every text has a length. A handful of times is read faster one by
    # one than by the few dozen array steps below.
    lengths = set(map(len, cast("Sequence[str | bytes]", texts)))
    if (
        len(texts) > FEW_TIMES
        and len(lengths) == 1
        and (size := lengths.pop()) in (*_PLAIN_SIZES, *_OFFSET_SIZES)
    ):
        array = np.array(texts)
        chars: CharCodes = array.view(np.uint8 if array.dtype.kind == "S" else np.uint32)
        codes = chars.reshape(len(texts), size)
        seconds = _plain_utc_epochs(codes) if size in _PLAIN_SIZES else None
        if seconds is None and size in _OFFSET_SIZES:
            seconds = _plain_offset_epochs(codes)
        if seconds is not None:
            return seconds
    return np.array(
        [np.nan if (t := parse_time(_text(text))) is None else t for text in texts],
        dtype=np.float64,
    )


def _plain_offset_epochs(codes: CharCodes) -> FloatArray | None:
    """Epoch seconds of rows that all read YYYY-MM-DDTHH:MM:SS[.f…]±HH:MM (some
    trackers write +00:00, or their local offset, for Z), as parse_time reads them."""
    sign, colon = codes[:, -6], codes[:, -3]
    digits = codes[:, [-5, -4, -2, -1]]
    plus, minus = sign == ord("+"), sign == ord("-")
    if not (
        (plus | minus).all()
        and (colon == ord(":")).all()
        and ((digits >= ord("0")) & (digits <= ord("9"))).all()
    ):
        return None
    d = digits.astype(np.int64) - ord("0")
    hours, minutes = d[:, 0] * 10 + d[:, 1], d[:, 2] * 10 + d[:, 3]
    if not ((hours < 24) & (minutes < 60)).all():
        return None
    zulu = np.full((codes.shape[0], 1), ord("Z"), dtype=codes.dtype)
    seconds = _plain_utc_epochs(np.concatenate((codes[:, :-6], zulu), axis=1))
    if seconds is None:
        return None
    return seconds - np.where(minus, -1, 1) * (hours * 3600 + minutes * 60)


def _plain_utc_epochs(codes: CharCodes) -> FloatArray | None:
    """Epoch seconds of rows of character codes that all read YYYY-MM-DDTHH:MM:SS[.f…]Z
    with valid fields, computed as parse_time does (microseconds, further digits cut);
    None if any row is anything else."""
    size = codes.shape[1]
    fraction = codes[:, 20 : size - 1]
    digits = codes[:, _DIGITS]
    if not (
        (codes[:, -1] == ord("Z")).all()
        and all((codes[:, i] == ord(c)).all() for i, c in _SEPARATORS.items())
        and (size == 20 or (codes[:, 19] == ord(".")).all())
        and ((digits >= ord("0")) & (digits <= ord("9"))).all()
        and ((fraction >= ord("0")) & (fraction <= ord("9"))).all()
    ):
        return None
    d = digits.astype(np.int64) - ord("0")
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month, day, hour, minute, second = (d[:, i] * 10 + d[:, i + 1] for i in range(4, 14, 2))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    valid = (year >= 1) & (month >= 1) & (month <= 12)
    if not valid.all():
        return None
    last_day = _MONTH_DAYS[month] + (leap & (month == 2))
    if not ((day >= 1) & (day <= last_day) & (hour < 24) & (minute < 60) & (second < 60)).all():
        return None
    micro = np.zeros(len(codes), dtype=np.int64)
    for column in range(6):  # the first six fraction digits, as parse_time keeps
        micro *= 10
        if column < fraction.shape[1]:
            micro += fraction[:, column].astype(np.int64) - ord("0")
    # Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    y = year - (month <= 2)
    era = y // 400
    year_of_era = y - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146097 + day_of_era - 719468
    return ((days * 86400 + hour * 3600 + minute * 60 + second) * 1_000_000 + micro) / 1e6


def _text(text: str | bytes | None) -> str | None:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else text
