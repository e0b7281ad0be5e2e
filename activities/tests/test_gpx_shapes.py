"""Regular GPX files are read by the shapes of their points, without a tree of the
points, and read exactly as the point-by-point reference reads them; files the
shapes cannot vouch for are read from the whole tree."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from activities.parsers import gpx, gpx_shapes
from activities.tests.test_gpx_columns import (
    GPX_FILES,
    TPX,
    assert_same,
    doc,
    outcome,
    point_by_point,
    pt,
)


def declares_its_prefixes(data: bytes) -> bool:
    try:
        etree.fromstring(data)
    except etree.XMLSyntaxError:
        return False
    return True


@pytest.mark.parametrize("path", GPX_FILES, ids=lambda p: p.name)
def test_every_sample_is_read_by_its_point_shapes(path):
    """All but a file using a namespace prefix it never declares, which the tree reader
    reads in its own forgiving way."""
    data = path.read_bytes()
    points = gpx_shapes.read_points(data)
    if b"<trkpt" not in data:  # a route or waypoints: no point to read
        assert points is None
    elif declares_its_prefixes(data):
        assert points is not None
        assert points.count == data.count(b"<trkpt")
    else:
        assert points is None


def test_a_shape_reads_the_texts_the_tree_reader_reads():
    shape = gpx_shapes.shape_of(
        b"<trkpt lon=\"106.1\" lat='10.5'>\n <ele>3</ele><time>T</time>"
        b"<extensions><x:TrackPointExtension><x:hr>120</x:hr><x:cad>80</x:cad>"
        b"</x:TrackPointExtension><x:hr>99</x:hr></extensions></trkpt>"
    )
    assert shape is not None
    # Groups in document order: lon, lat, ele, time, hr, cad, hr.
    assert shape.slots == {
        "lat": [1],
        "lon": [0],
        "time": [3],
        "ele": [2],
        "hr": [4, 6],
        "cad": [5],
    }


@pytest.mark.parametrize(
    "point",
    [
        b'<trkpt lat="1" lon="2"><!-- a note --></trkpt>',
        b'<trkpt lat="1" lon="2"><time>T</time>',
        b'<trkpt lat="1" lon="2"><time>T</ele></trkpt>',
        b'<trkpt lat="1" lon="2"/><trkpt lat="1" lon="2"/>',
        b"<wpt/>",
    ],
    ids=["comment", "unclosed", "mismatched", "two points", "not a point"],
)
def test_what_is_not_one_plain_point_has_no_shape(point):
    assert gpx_shapes.shape_of(point) is None


TREE_ONLY = {
    "a comment naming a point": doc(pt(0) + "<!-- <trkpt lat='1' lon='2'/> -->" + pt(1)),
    "CDATA": doc(pt(0) + pt(1, "<desc><![CDATA[<trkpt>]]></desc>")),
    "a processing instruction": doc(pt(0) + "<?note trkpt?>" + pt(1)),
    "a character reference in a value": doc(pt(0, "<ele>&#51;</ele>") + pt(1, "<ele>3</ele>")),
    "more shapes than allowed": doc(
        "".join(pt(i, f"<extensions><x:hr>1</x:hr>{'<x:a/>' * i}</extensions>") for i in range(6)),
        TPX,
    ),
    "an undeclared prefix": doc(pt(0, "<extensions><y:hr>120</y:hr></extensions>") + pt(1)),
    "a point outside a segment": doc(pt(0) + pt(1)).replace(
        b"</trkseg></trk>", b"</trkseg>" + pt(2).encode() + b"</trk>"
    ),
    "UTF-16": doc(pt(0) + pt(1)).decode().encode("utf-16"),
}


@pytest.mark.parametrize("name", TREE_ONLY)
def test_files_the_shapes_cannot_vouch_for_are_read_from_the_tree(name):
    data = TREE_ONLY[name]
    if name != "a point outside a segment":
        assert gpx_shapes.read_points(data) is None
    assert_same(outcome(lambda: gpx.parse(data, "f.gpx")), outcome(lambda: point_by_point(data)))


def test_a_comment_between_points_keeps_the_shapes():
    data = doc(pt(0) + "<!-- paused -->" + pt(1) + pt(2))
    assert gpx_shapes.read_points(data) is not None
    assert_same(gpx.parse(data, "f.gpx"), point_by_point(data))


# Random documents: every way of writing a point the readers must agree on.
SPACE = st.sampled_from(["", " ", "\n", "\n    ", "\t"])
TIMES = st.sampled_from(
    [
        "2024-03-10T01:{s}Z",
        "2024-03-10T01:{s}.250Z",
        "2024-03-10T01:{s}.1234567Z",
        "2024-03-10T08:{s}+07:00",
        "2024-03-10T01:{s}",
        "2024-02-30T01:{s}Z",
        " 2024-03-10T01:{s}Z ",
        "",
        "soon",
    ]
)
NUMBERS = st.sampled_from(["3", "3.5", " 4 ", "", "inf", "nan", "n/a", "1e2", "-0"])
HR_NAMES = st.sampled_from(["x:hr", "x:HeartRate", "heartrate", "x:cad", "x:RunCadence", "x:speed"])


@st.composite
def points(draw) -> str:
    """A way of writing a point, with {lat}, {lon} and {s} left to fill in."""
    attributes = ['lat="{lat}"', "lon='{lon}'"]
    if draw(st.integers(0, 9)) == 0:
        attributes = ['lat="bad"' if "lat" in a else a for a in attributes]
    if draw(st.booleans()):
        attributes.reverse()
    # Nearly every point has a plain time, as files with many untimed points are refused.
    children = [] if draw(st.integers(0, 19)) == 0 else ["<time>2024-03-10T01:{s}Z</time>"]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["time", "ele", "empty", "extensions", "other"]))
        if kind == "time":
            children.insert(draw(st.integers(0, len(children))), f"<time>{draw(TIMES)}</time>")
        elif kind == "ele":
            children.append(f"<ele>{draw(NUMBERS)}</ele>")
        elif kind == "empty":
            children.append(draw(st.sampled_from(["<ele/>", "<time/>", "<sat>5</sat>"])))
        elif kind == "extensions":
            inner = "".join(
                f"<{name}>{draw(NUMBERS)}</{name}>" for name in draw(st.lists(HR_NAMES, max_size=3))
            )
            if draw(st.booleans()):
                inner = f"<x:TrackPointExtension>{inner}</x:TrackPointExtension>"
            children.append(f"<extensions>{inner}<x:time>1</x:time></extensions>")
        else:
            children.append("<link href='x'><time>2024-01-01T00:00:00Z</time></link>")
    space = draw(SPACE)
    body = space.join(children)
    return f"<trkpt {' '.join(attributes)}>{space}{body}{space}</trkpt>"


TRACK_HEADS = ["", "<type>running</type>", "<link href='y'><type>x</type></link>"]


@st.composite
def documents(draw) -> bytes:
    shapes = draw(st.lists(points(), min_size=1, max_size=3))
    second, tracks = 0, []
    for _ in range(draw(st.integers(1, 2))):
        segments = []
        for _ in range(draw(st.integers(1, 3))):
            pieces = []
            for _ in range(draw(st.integers(0, 6))):
                second += 1
                # Most points repeat a shape the file already used, as trackers do.
                repeat = draw(st.integers(0, 3))
                template = draw(st.sampled_from(shapes)) if repeat else draw(points())
                lat, lon = f"{10 + second / 1e4:.5f}", f"{106 + second / 1e4:.5f}"
                moment = f"{second // 60:02d}:{second % 60:02d}"
                pieces.append(template.format(lat=lat, lon=lon, s=moment))
            joined = draw(SPACE).join(pieces)
            segments.append(f"<trkseg>{joined}</trkseg>" if pieces else "<trkseg/>")
        head = draw(st.sampled_from(TRACK_HEADS))
        tracks.append(f"<trk>{head}{''.join(segments)}</trk>")
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n' if draw(st.booleans()) else ""
    return (
        f'{declaration}<gpx version="1.1" creator="c" xmlns="http://www.topografix.com/GPX/1/1"{TPX}>'
        f"{''.join(tracks)}</gpx>"
    ).encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_random_files_read_as_point_by_point(data):
    assert_same(outcome(lambda: gpx.parse(data, "f.gpx")), outcome(lambda: point_by_point(data)))


# Damage inside a point, which the skeleton's own parse does not see: told apart by the
# bytes checked before it or by libxml2, as the tree reader tells it.
DAMAGED = {
    "an undeclared prefix": doc(pt(0, "<extensions><y:hr>1</y:hr></extensions>") + pt(1), TPX),
    "a bare ampersand": doc(pt(0, "<name>a & b</name>") + pt(1)),
    "a control character": doc(pt(0, "<name>a\x01b</name>") + pt(1)),
    "a duplicate attribute": doc(pt(0).replace("<trkpt ", '<trkpt a="1" a="2" ') + pt(1)),
    "a less-than sign in an attribute": doc(pt(0).replace("<trkpt ", '<trkpt a="<" ') + pt(1)),
    "a CDATA end in a text": doc(pt(0, "<name>a]]>b</name>") + pt(1)),
}


@pytest.mark.parametrize("name", DAMAGED)
def test_damage_inside_a_point_is_found_as_the_tree_reader_finds_it(name):
    data = DAMAGED[name]
    assert_same(outcome(lambda: gpx.parse(data, "f.gpx")), outcome(lambda: point_by_point(data)))
