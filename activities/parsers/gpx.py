"""GPX 1.0 and 1.1, with Garmin/Strava/Amazfit heart-rate and cadence extensions."""

from __future__ import annotations

import numpy as np

from activities.parsers.base import (
    ParseError,
    Row,
    build_track,
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
    segment = 0
    rows: list[Row] = []
    for trk in root:
        if local(trk.tag) != "trk":
            continue
        for child in trk:
            name = local(child.tag)
            if name == "type" and sport is None:
                sport = sport_hint(child.text)
            elif name == "trkseg":
                rows.extend(_points(child, segment))
                segment += 1
    return [build_track(rows, source_format="gpx", sport=sport, device=root.get("creator") or None)]


def _points(trkseg, segment: int) -> list[Row]:
    rows = []
    for pt in trkseg:
        if local(pt.tag) != "trkpt":
            continue
        t = None
        ele = hr = cad = np.nan
        for child in pt:
            name = local(child.tag)
            if name == "time":
                t = parse_time(child.text)
            elif name == "ele":
                ele = float_or_nan(child.text)
            elif name == "extensions":
                for ext in child.iter():
                    ename = local(ext.tag).lower()
                    if ename in HR_TAGS and np.isnan(hr):
                        hr = float_or_nan(ext.text)
                    elif ename in CAD_TAGS and np.isnan(cad):
                        cad = float_or_nan(ext.text)
        lat = float_or_nan(pt.get("lat"))
        lon = float_or_nan(pt.get("lon"))
        rows.append((t, lat, lon, ele, hr, cad, segment))
    return rows
