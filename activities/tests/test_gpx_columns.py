"""The GPX parser, which converts its texts column by column, reads every file
exactly as converting each point on its own did (kept here as the reference)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from activities.parsers import ParseError, gpx
from activities.parsers.base import (
    float_or_nan,
    local,
    parse_time,
    sport_hint,
    xml_root,
)
from activities.parsers.points import build_track

FILES = Path(__file__).parent / "files"
SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "gpx"
GPX_FILES = sorted({p.name: p for p in [*FILES.glob("*.gpx"), *SAMPLES.glob("*.gpx")]}.values())

FIELDS = ("t", "lat", "lon", "ele", "hr", "cad", "segment")


def point_by_point(data: bytes) -> list:
    """The GPX parser as it was before it read by columns: the reference."""
    root = xml_root(data)
    if local(root.tag) != "gpx":
        raise ParseError("unknown_format")
    sport, segment, rows = None, 0, []
    for trk in root:
        if local(trk.tag) != "trk":
            continue
        for child in trk:
            name = local(child.tag)
            if name == "type" and sport is None:
                sport = sport_hint(child.text)
            elif name == "trkseg":
                rows.extend(reference_points(child, segment))
                segment += 1
    return [build_track(rows, source_format="gpx", sport=sport, device=root.get("creator") or None)]


def reference_points(trkseg, segment: int) -> list:
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
                    if ename in gpx.HR_TAGS and np.isnan(hr):
                        hr = float_or_nan(ext.text)
                    elif ename in gpx.CAD_TAGS and np.isnan(cad):
                        cad = float_or_nan(ext.text)
        lat = float_or_nan(pt.get("lat"))
        lon = float_or_nan(pt.get("lon"))
        rows.append((t, lat, lon, ele, hr, cad, segment))
    return rows


def outcome(parse):
    try:
        return parse()
    except ParseError as error:
        return error.code


def assert_same(fast, slow) -> None:
    if isinstance(slow, str):
        assert fast == slow
        return
    for a, b in zip(fast, slow, strict=True):
        for field in FIELDS:
            x, y = getattr(a, field), getattr(b, field)
            if y is None:
                assert x is None, field
            else:
                np.testing.assert_array_equal(x, y, err_msg=field)
        assert (a.sport, a.device, a.dropped_points) == (b.sport, b.device, b.dropped_points)


@pytest.mark.parametrize("path", GPX_FILES, ids=lambda p: p.name)
def test_every_sample_reads_as_point_by_point(path):
    data = path.read_bytes()
    assert_same(outcome(lambda: gpx.parse(data, path.name)), outcome(lambda: point_by_point(data)))


HEAD = '<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"'


def doc(points: str, extra_ns: str = "") -> bytes:
    return f"{HEAD}{extra_ns}><trk><trkseg>{points}</trkseg></trk></gpx>".encode()


def pt(second: int, body: str = "", lat: str = "10.0") -> str:
    return (
        f'<trkpt lat="{lat}" lon="106.{second:04d}">'
        f"<time>2024-03-10T01:00:{second:02d}Z</time>{body}</trkpt>"
    )


TPX = ' xmlns:x="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"'
IRREGULAR = {
    "no namespace": doc(pt(0) + pt(1)).replace(b' xmlns="http://www.topografix.com/GPX/1/1"', b""),
    "an empty elevation": doc(pt(0, "<ele/>") + pt(1, "<ele>3</ele>")),
    "infinite elevation": doc(pt(0, "<ele>inf</ele>") + pt(1, "<ele>3</ele>")),
    "a point without elevation": doc(pt(0, "<ele>5</ele>") + pt(1) + pt(2, "<ele>6</ele>")),
    "two elevations": doc(pt(0, "<ele>5</ele><ele>7</ele>") + pt(1, "<ele>6</ele>")),
    "heart rate on some points": doc(
        pt(0, "<extensions><x:hr>120</x:hr></extensions>") + pt(1) + pt(2), TPX
    ),
    "a different heart-rate tag later": doc(
        pt(0, "<extensions><x:hr>120</x:hr></extensions>")
        + pt(1, "<extensions><x:HeartRate>121</x:HeartRate></extensions>"),
        TPX,
    ),
    "two heart rates, the first unreadable": doc(
        pt(0, "<extensions><x:hr>n/a</x:hr><x:heartrate>99</x:heartrate></extensions>")
        + pt(1, "<extensions><x:hr>n/a</x:hr><x:heartrate>98</x:heartrate></extensions>"),
        TPX,
    ),
    "a time with an offset": doc(pt(0).replace("01:00:00Z", "08:00:00+07:00") + pt(1) + pt(2)),
    "a time out of range": doc(pt(0) + pt(1).replace(":01Z", ":61Z") + pt(2) * 200),
    "a bad latitude": doc(pt(0) + pt(1, lat="x") + pt(2)),
    "a time in another namespace": doc(
        pt(0) + pt(1).replace("<time>", "<x:time>").replace("</time>", "</x:time>"), TPX
    ),
    "lowercase z and fractions": doc(
        pt(0).replace("Z<", ".5z<") + pt(1).replace("Z<", ".25Z<") + pt(2)
    ),
}


@pytest.mark.parametrize("name", IRREGULAR)
def test_irregular_files_read_as_point_by_point(name):
    data = IRREGULAR[name]
    assert_same(outcome(lambda: gpx.parse(data, "f.gpx")), outcome(lambda: point_by_point(data)))


def test_a_track_converted_in_many_chunks_reads_as_point_by_point(monkeypatch):
    monkeypatch.setattr(gpx, "CHUNK_POINTS", 7)
    for name in ("sports-lib__amazfit.gpx", "mapbox-togeojson__multitrackgpx.gpx"):
        data = (FILES / name).read_bytes()
        assert_same(gpx.parse(data, name), point_by_point(data))
