"""GPX 1.0 and 1.1, with Garmin/Strava/Amazfit heart-rate and cadence extensions.

Points are visited once, collecting the raw text of each field; the texts are
then converted column by column with numpy, which is several times faster than
converting each value on its own.
"""

from __future__ import annotations

import math

import numpy as np
from lxml import etree

from activities.parsers.base import (
    ParseError,
    build_track_columns,
    float_or_nan,
    local,
    parse_time,
    sport_hint,
    xml_root,
)
from activities.track import Track

HR_TAGS = {"hr", "heartrate"}
CAD_TAGS = {"cad", "cadence", "runcadence"}


def parse(data: bytes, filename: str) -> list[Track]:
    root = xml_root(data)
    if local(root.tag) != "gpx":
        raise ParseError("unknown_format")
    sport = None
    segments = []
    for trk in root:
        if local(trk.tag) != "trk":
            continue
        for child in trk:
            name = local(child.tag)
            if name == "type" and sport is None:
                sport = sport_hint(child.text)
            elif name == "trkseg":
                segments.append(child)
    columns = _columns(segments, etree.QName(root).namespace)
    return [
        build_track_columns(
            *columns, source_format="gpx", sport=sport, device=root.get("creator") or None
        )
    ]


# Texts are converted every this many points, so that a day-long track never
# holds more than a few thousand Python strings at once next to its XML tree.
CHUNK_POINTS = 4096


class _Columns:
    """The texts of the points read so far, turned into arrays a chunk at a time."""

    def __init__(self) -> None:
        self.arrays: list[tuple[np.ndarray, ...]] = []
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

    def result(self, counts: list[int]) -> tuple[np.ndarray, ...]:
        self.flush()
        columns = [np.concatenate(parts) for parts in zip(*self.arrays, strict=True)]
        if not columns:
            columns = [np.zeros(0) for _ in range(6)]
        segment = np.repeat(np.arange(len(counts), dtype=np.float64), counts)
        return (*columns, segment)


def _columns(segments: list, ns: str | None) -> tuple[np.ndarray, ...]:
    """(t, lat, lon, ele, hr, cad, segment) of every point, nan where missing.

    Elements are recognised by their local name in any namespace; comparing with
    the GPX namespace's own tags first only saves looking the local name up.
    """
    prefix = f"{{{ns}}}" if ns else ""
    trkpt_tag, time_tag, ele_tag = f"{prefix}trkpt", f"{prefix}time", f"{prefix}ele"
    extensions_tag = f"{prefix}extensions"
    kinds: dict[object, str | None] = {}  # extension tag → "hr", "cad" or None
    columns = _Columns()
    counts = []
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


def _read_extensions(extensions, index: int, readings: dict, kinds: dict) -> None:
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


def _sparse_floats(texts: dict[int, str | None], n: int) -> np.ndarray:
    values = np.full(n, np.nan)
    if texts:
        values[np.fromiter(texts, dtype=np.int64, count=len(texts))] = _floats(list(texts.values()))
    return values


def _floats(texts: list[str | None]) -> np.ndarray:
    """float_or_nan of each text, converted all at once where every one is a number."""
    if texts.count(None) == len(texts):
        return np.full(len(texts), np.nan)
    try:
        values = np.array(list(map(float, texts)), dtype=np.float64)
    except (TypeError, ValueError):
        values = np.array([float_or_nan(text) for text in texts], dtype=np.float64)
    values[~np.isfinite(values)] = np.nan
    return values


# YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z
_DIGITS = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)
_SEPARATORS = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":"}


def _epochs(texts: list[str | None]) -> np.ndarray:
    """parse_time of each text (nan where it gives None), all at once for plain UTC times."""
    lengths = set() if None in texts else set(map(len, texts))
    if len(lengths) == 1 and (size := lengths.pop()) in (20, 22, 23, 24, 25, 26, 27):
        codes = np.array(texts).view(np.uint32).reshape(len(texts), size)
        digits = codes[:, list(_DIGITS) + list(range(20, size - 1))]
        plain = (
            (codes[:, -1] == ord("Z")).all()
            and all((codes[:, i] == ord(c)).all() for i, c in _SEPARATORS.items())
            and (size == 20 or (codes[:, 19] == ord(".")).all())
            and ((digits >= ord("0")) & (digits <= ord("9"))).all()
        )
        if plain:
            try:
                moments = np.array(texts, dtype=f"<U{size - 1}").astype("datetime64[us]")
            except ValueError:
                pass  # out-of-range fields: parse_time decides
            else:
                return moments.astype(np.int64) / 1e6
    return np.array(
        [np.nan if (t := parse_time(text)) is None else t for text in texts], dtype=np.float64
    )
