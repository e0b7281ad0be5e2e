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


def _columns(segments: list, ns: str | None) -> tuple[np.ndarray, ...]:
    """(t, lat, lon, ele, hr, cad, segment) of every point, nan where missing.

    Elements are recognised by their local name in any namespace; comparing with
    the GPX namespace's own tags first only saves looking the local name up.
    """
    prefix = f"{{{ns}}}" if ns else ""
    trkpt_tag, time_tag, ele_tag = f"{prefix}trkpt", f"{prefix}time", f"{prefix}ele"
    kinds: dict[object, str | None] = {}  # extension tag → "hr", "cad" or None
    times: list[str | None] = []
    lats: list[str | None] = []
    lons: list[str | None] = []
    eles: list[str | None] = []
    readings: dict[str, dict[int, str | None]] = {"hr": {}, "cad": {}}
    add_time, add_lat, add_lon, add_ele = times.append, lats.append, lons.append, eles.append
    counts = []
    for trkseg in segments:
        first = len(times)
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
                    name = local(tag)
                    if name == "time":
                        t = child.text
                    elif name == "ele":
                        ele = child.text
                    elif name == "extensions":
                        _read_extensions(child, len(times), readings, kinds)
            add_time(t)
            add_lat(pt.get("lat"))
            add_lon(pt.get("lon"))
            add_ele(ele)
        counts.append(len(times) - first)
    n = len(times)
    hr, cad = (_sparse_floats(readings[kind], n) for kind in ("hr", "cad"))
    segment = np.repeat(np.arange(len(counts), dtype=np.float64), counts)
    return _epochs(times), _floats(lats), _floats(lons), _floats(eles), hr, cad, segment


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
