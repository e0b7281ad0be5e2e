"""Regular TCX files are read by the shapes of their trackpoints, without a tree of
them, and read exactly as the tree reader reads them; anything the shapes cannot
vouch for is read from the whole tree."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from activities.parsers import ParseError, tcx

FILES = Path(__file__).parent / "files"
SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "tcx"
TCX_FILES = sorted({p.name: p for p in [*FILES.glob("*.tcx"), *SAMPLES.glob("*.tcx")]}.values())

ARRAYS = ("t", "lat", "lon", "ele", "hr", "cad", "dist", "segment")
FIELDS = ("sport", "device", "device_distance_m", "has_gps", "dropped_points", "notes")


def by_tree(data: bytes, monkeypatch) -> list | str:
    with monkeypatch.context() as patch:
        patch.setattr(tcx, "_read_points", lambda data: None)
        return outcome(data)


def outcome(data: bytes) -> list | str:
    try:
        return tcx.parse(data, "f.tcx")
    except ParseError as error:
        return f"{error.code} {error.params}"


def assert_same(fast, slow) -> None:
    if isinstance(slow, str):
        assert fast == slow
        return
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow, strict=True):
        for name in ARRAYS:
            x, y = getattr(a, name), getattr(b, name)
            if y is None:
                assert x is None, name
            else:
                np.testing.assert_array_equal(x, y, err_msg=name)
        assert [getattr(a, f) for f in FIELDS] == [getattr(b, f) for f in FIELDS]


@pytest.mark.parametrize("path", TCX_FILES, ids=lambda p: p.name)
def test_every_sample_is_read_by_its_shapes_as_the_tree_reads_it(path, monkeypatch):
    data = path.read_bytes()
    points = tcx._read_points(data)
    assert points is not None
    assert points.count == data.count(b"<Trackpoint>")
    assert_same(outcome(data), by_tree(data, monkeypatch))


HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"'
    ' xmlns:x="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
)


def point(second: int, body: str | None = None) -> str:
    if body is None:
        body = (
            f"<Position><LatitudeDegrees>10.{second:04d}</LatitudeDegrees>"
            f"<LongitudeDegrees>106.{second:04d}</LongitudeDegrees></Position>"
            f"<AltitudeMeters>5.0</AltitudeMeters><DistanceMeters>{second * 11}</DistanceMeters>"
            "<HeartRateBpm><Value>120</Value></HeartRateBpm>"
        )
    moment = f"2024-03-10T01:{second // 60:02d}:{second % 60:02d}Z"
    return f"<Trackpoint><Time>{moment}</Time>{body}</Trackpoint>"


def activity(points: str, lap: str = "", sport: str = "Running", after: str = "") -> str:
    return (
        f'<Activity Sport="{sport}"><Id>2024-03-10T01:00:00Z</Id>'
        f'<Lap StartTime="2024-03-10T01:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds>'
        f"<DistanceMeters>600</DistanceMeters>{lap}<Track>{points}</Track>{after}</Lap>"
        "<Creator><Name>Watch</Name></Creator></Activity>"
    )


def doc(*activities: str) -> bytes:
    return f"{HEAD}<Activities>{''.join(activities)}</Activities></TrainingCenterDatabase>".encode()


def run(n: int = 40, start: int = 0, every=None) -> str:
    return "".join(point(s, every(s) if every else None) for s in range(start, start + n))


FAST = {
    "one shape": doc(activity(run())),
    "a few points without position": doc(
        activity(run(every=lambda s: "<AltitudeMeters>3</AltitudeMeters>" if s % 9 == 0 else None))
    ),
    "many points without position": doc(activity(run(200, every=lambda s: "" if s % 2 else None))),
    "two activities and two laps": doc(
        activity(run(30)), activity(run(30, 100), sport="Biking"), activity(run(5, 300))
    ),
    "cadence and run cadence, the first readable counts": doc(
        activity(
            run(
                every=lambda s: (
                    "<Cadence>n/a</Cadence><Extensions><x:TPX><x:Speed>3</x:Speed>"
                    f"<x:RunCadence>{80 + s % 3}</x:RunCadence></x:TPX></Extensions>"
                )
            )
        )
    ),
    "two times, the last counts": doc(
        activity(run(every=lambda s: f"<Time>2024-03-10T02:00:{s % 60:02d}Z</Time>"))
    ),
    "an empty field": doc(activity(run(every=lambda s: "<AltitudeMeters/>" if s % 5 else None))),
    "a value not under HeartRateBpm": doc(
        activity(run(every=lambda s: "<Extensions><x:Value>9</x:Value></Extensions>"))
    ),
    "a lap's own fields after its track": doc(
        activity(run(), after="<Notes>fine</Notes>"),
    ),
    "an activity without points": doc(activity(""), activity(run())),
    "leading space and offsets": b"\n  "
    + doc(activity(run().replace("Z</Time>", "+07:00</Time>"))),
}


@pytest.mark.parametrize("name", FAST)
def test_plain_files_are_read_by_shapes_as_the_tree_reads_them(name, monkeypatch):
    data = FAST[name]
    assert tcx._read_points(data) is not None
    assert_same(outcome(data), by_tree(data, monkeypatch))


TREE_ONLY = {
    "a field after the last point of a lap": doc(
        activity(run(), after="<DistanceMeters>1</DistanceMeters>")
    ),
    "a comment naming a trackpoint": doc(
        activity(run(3) + "<!-- <Trackpoint><Time>x</Time></Trackpoint> -->" + run(3, 10))
    ),
    "a reference in a value": doc(
        activity(run(3) + point(5, "<AltitudeMeters>&#51;</AltitudeMeters>"))
    ),
    "a trackpoint outside an activity": doc(activity(run())).replace(
        b"</Activities>",
        b"</Activities><Courses><Course><Track>"
        + point(3).encode()
        + b"</Track></Course></Courses>",
    ),
    "more shapes than allowed": doc(
        activity(
            "".join(point(s, "<Extensions>" + "<x:A/>" * s + "</Extensions>") for s in range(10))
        )
    ),
    "a lap inside a trackpoint": doc(activity(run(3) + point(4, "<Lap/>"))),
}


@pytest.mark.parametrize("name", TREE_ONLY)
def test_what_the_shapes_cannot_vouch_for_is_read_from_the_tree(name, monkeypatch):
    data = TREE_ONLY[name]
    if name != "a trackpoint outside an activity":  # found once the activities are read
        assert tcx._read_points(data) is None
    assert_same(outcome(data), by_tree(data, monkeypatch))


# Damage inside a trackpoint, which the skeleton's own parse does not see: each is told
# apart by the bytes checked before it or by libxml2, as the tree reader tells it.
DAMAGED = {
    "an undeclared prefix": doc(activity(run(3) + point(4, "<y:Speed>1</y:Speed>"))),
    "a bare ampersand": doc(activity(run(3) + point(4, "<Notes>a & b</Notes>"))),
    "a control character": doc(activity(run(3) + point(4, "<Notes>a\x01b</Notes>"))),
    "a duplicate attribute": doc(activity(run(3) + point(4, '<Notes a="1" a="2">n</Notes>'))),
    "a less-than sign in an attribute": doc(activity(run(3) + point(4, '<Notes a="<">n</Notes>'))),
    "a CDATA end in a text": doc(activity(run(3) + point(4, "<Notes>a]]>b</Notes>"))),
    "bytes that are not UTF-8": doc(activity(run(3))).replace(b"<Name>Watch", b"<Name>W\xff"),
}


@pytest.mark.parametrize("name", DAMAGED)
def test_damage_inside_a_trackpoint_is_found_as_the_tree_reader_finds_it(name, monkeypatch):
    data = DAMAGED[name]
    slow = by_tree(data, monkeypatch)
    assert_same(outcome(data), slow)
    if name != "an undeclared prefix":
        assert slow == "malformed_file {}"
