"""KML (and KMZ, unzipped by `parsers.expand`): Google Earth's `gx:Track`, which several
phone apps export, read like a GPX track.

A `gx:Track` lists its times (`when`) and then its positions (`gx:coord`,
"longitude latitude altitude"), the n-th time going with the n-th position; each track
(also each track of a `gx:MultiTrack`) is a segment. A `LineString` has positions
but no times: it is read so that the refusal says so ("None of the … points has a
usable time").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from activities.parsers.base import (
    ParseError,
    known_sport,
    local,
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
    if local(root.tag) != "kml":
        raise ParseError("unknown_format")
    columns: dict[str, list[float]] = {name: [] for name in ("t", "lat", "lon", "ele", "seg")}
    segment = 0
    sport = None
    for element in root.iter():
        name = local(element.tag)
        if name == "Track":
            _track(element, segment, columns)
            segment += 1
        elif name == "LineString":
            _line(element, segment, columns)
            segment += 1
        elif name == "Placemark" and sport is None:
            sport = _placemark_sport(element)
    n = len(columns["t"])
    arrays = {key: np.array(values, dtype=np.float64) for key, values in columns.items()}
    nan = np.full(n, np.nan)
    return [
        build_track_columns(
            arrays["t"],
            arrays["lat"],
            arrays["lon"],
            arrays["ele"],
            nan,
            nan.copy(),
            arrays["seg"],
            source_format="kml",
            sport=sport,
            device=None,
        )
    ]


def _track(track: etree._Element, segment: int, columns: dict[str, list[float]]) -> None:
    whens, coords = [], []
    for child in track:
        name = local(child.tag)
        if name == "when":
            whens.append(parse_time(child.text))
        elif name == "coord":
            coords.append(_position((child.text or "").split()))
    # Times and positions pair up in order; a track with more of one than the other
    # keeps the pairs it has.
    for when, (lon, lat, ele) in zip(whens, coords, strict=False):
        _add(columns, when, lat, lon, ele, segment)


def _line(line: etree._Element, segment: int, columns: dict[str, list[float]]) -> None:
    for child in line:
        if local(child.tag) == "coordinates":
            for tuple_text in (child.text or "").split():
                lon, lat, ele = _position(tuple_text.split(","))
                _add(columns, None, lat, lon, ele, segment)


def _position(parts: list[str]) -> tuple[float, float, float]:
    values = []
    for part in [*parts, "", "", ""][:3]:
        try:
            value = float(part)
        except ValueError:
            value = np.nan
        values.append(value if np.isfinite(value) else np.nan)
    return values[0], values[1], values[2]


def _add(
    columns: dict[str, list[float]],
    when: float | None,
    lat: float,
    lon: float,
    ele: float,
    segment: int,
) -> None:
    columns["t"].append(np.nan if when is None else when)
    columns["lat"].append(lat)
    columns["lon"].append(lon)
    columns["ele"].append(ele)
    columns["seg"].append(float(segment))


def _placemark_sport(placemark: etree._Element) -> str | None:
    """The sport an app names in the placemark's ExtendedData (e.g. activityType).

    OpenTracks also writes its activity's icon (``<icon>WALK</icon>``), the same in
    every language, beside a type in the phone's language ("marche"): the icon
    decides when it names a sport we know, the type otherwise.
    """
    for child in placemark:
        if local(child.tag) == "icon" and (icon := known_sport(child.text)):
            return icon
    for element in placemark.iter():
        if local(element.tag) == "Data" and (element.get("name") or "").lower() in (
            "activitytype",
            "activity_type",
            "sport",
            "type",
        ):
            for child in element:
                if local(child.tag) == "value":
                    return sport_hint(child.text)
    return None
