"""The rules that turn what real files hold into a track: points without a fix or a
time, clock glitches, zones, several activities in a file, duplicates and disorder,
damage, and the device's own distance. Each class is shown on a real public file
(activities/tests/files, see its README), edited where no sample shows the class."""

from __future__ import annotations

import io
import re
import time
import zipfile
from datetime import UTC, datetime

import numpy as np
import pytest
from django.utils import translation

from activities import track as tr
from activities.facts import facts_from_track
from activities.parsers import ParseError, parse, parse_upload
from activities.parsers.base import note_text
from activities.tests.fitfiles import (
    FIT_EPOCH,
    SEMICIRCLES,
    SPORTS,
    FitWriter,
    fit_time,
    real_records,
)
from activities.track_checks import find_track_anomalies

from .test_parsers import FILES, read

RUN_GPX = "mapbox-togeojson__run.gpx"  # 206 points, 3.1 km, 2012
RUN_TCX = "tcxparser__test.tcx"  # 384 trackpoints with DistanceMeters, 4.7 km
STRAVA_FIT = "fitparse__strava-android-app-201.10-b1218918.fit"
MULTISPORT = "fitparse__sample_mulitple_header.fit"


def one(data: bytes, name: str = "file") -> tr.Track:
    tracks = parse(data, name)
    assert len(tracks) == 1
    return tracks[0]


def codes(track: tr.Track) -> list[str]:
    return [entry["code"] for entry in track.notes]


def texts(track: tr.Track, language: str = "en") -> list[str]:
    with translation.override(language):
        return [note_text(entry) for entry in track.notes]


def refusal(data: bytes, name: str = "file") -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(data, name)
    return info.value


def trkpts(data: bytes) -> list[bytes]:
    """The points of a GPX, each as its text."""
    return re.findall(rb"<trkpt.*?</trkpt>", data, re.S)


def replace_points(data: bytes, change) -> bytes:
    """The GPX with each point `change(index, text)` gives (None drops it)."""
    index = -1

    def one_point(match):
        nonlocal index
        index += 1
        new = change(index, match.group(0))
        return b"" if new is None else new

    return re.sub(rb"<trkpt.*?</trkpt>", one_point, data, flags=re.S)


def at_null_island(text: bytes) -> bytes:
    text = re.sub(rb'lat="[^"]*"', b'lat="0"', text)
    return re.sub(rb'lon="[^"]*"', b'lon="0"', text)


# 1. Positions without a fix ------------------------------------------------------------


def test_points_at_zero_zero_count_for_time_and_never_for_distance_or_jumps():
    original = one(read(RUN_GPX))
    data = replace_points(read(RUN_GPX), lambda i, p: at_null_island(p) if i % 50 == 7 else p)
    track = one(data)
    summary = tr.summarise(track)
    # 4 of 206 points at 0° 0° would add 4 trips to the Gulf of Guinea, 8,794 km each.
    assert summary.distance_m == pytest.approx(tr.total_distance_m(original), rel=0.01)
    assert summary.elapsed_s == tr.elapsed_s(original)
    assert np.isnan(track.lat).sum() == 4
    facts = facts_from_track(track, summary, "run")
    assert facts.gps_jumps == () and facts.vehicle_segments == ()


def test_many_points_without_a_fix_are_told_to_the_participant():
    data = replace_points(read(RUN_GPX), lambda i, p: at_null_island(p) if i < 30 else p)
    track = one(data)
    assert "no_fix" in codes(track)
    assert "30 of 205 points had no GPS position" in " ".join(texts(track))


# 2. Device clock glitches ----------------------------------------------------------------


def test_records_stamped_years_away_are_dropped_and_reported():
    original = one(read(RUN_GPX))

    def glitch(i, point):
        return point.replace(b"<time>2012-", b"<time>2010-") if i in (40, 41, 180) else point

    track = one(replace_points(read(RUN_GPX), glitch))
    assert tr.elapsed_s(track) <= tr.elapsed_s(original)
    assert tr.elapsed_s(track) < 3600  # not 791 days
    assert codes(track).count("clock_glitch") == 1
    assert "3 points were stamped far from the rest" in " ".join(texts(track))
    assert track.notes[codes(track).index("clock_glitch")]["params"]["count"] == 3


def test_a_fit_record_stamped_in_2085_is_a_clock_glitch():
    track = one(read(STRAVA_FIT))
    assert "clock_glitch" in codes(track)
    assert track.t[-1] < datetime(2022, 1, 1, tzinfo=UTC).timestamp()


# 3. Times without a zone are UTC -----------------------------------------------------------


@pytest.fixture
def vietnam_process_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_times_without_a_zone_are_utc_whatever_the_process_zone(vietnam_process_zone):
    gpx = read(RUN_GPX)
    naive = re.sub(rb"(<time>[^<]*?)Z</time>", rb"\1</time>", gpx)
    assert naive != gpx
    start = datetime(2012, 10, 24, 23, 29, 40, tzinfo=UTC).timestamp()
    assert one(naive).t[0] == one(gpx).t[0] == start
    tcx = read(RUN_TCX)
    naive_tcx = re.sub(rb"(<Time>[^<]*?)Z</Time>", rb"\1</Time>", tcx)
    assert one(naive_tcx).t[0] == one(tcx).t[0]


# 4. Several activities in one file ------------------------------------------------------


EMPTY_INDOOR = (
    b'<Activity Sport="Other"><Id>2012-12-27T08:00:00Z</Id>'
    b'<Lap StartTime="2012-12-27T08:00:00Z"><TotalTimeSeconds>0</TotalTimeSeconds>'
    b"<DistanceMeters>0</DistanceMeters></Lap></Activity>"
)


def test_each_tcx_activity_stands_or_falls_alone():
    data = read(RUN_TCX)
    activity = re.search(rb"<Activity .*?</Activity>", data, re.S).group(0)
    later = activity.replace(b"2012-12-26T", b"2012-12-28T")
    four = data.replace(activity, EMPTY_INDOOR + activity + EMPTY_INDOOR + later)
    tracks = parse(four, "four.tcx")
    assert len(tracks) == 2
    assert [t.sport for t in tracks] == ["run", "run"]
    assert tr.total_distance_m(tracks[0]) == tr.total_distance_m(tracks[1]) == 4686
    assert tracks[1].t[0] - tracks[0].t[0] == 2 * 86400
    assert "2 of the file's 4 activities could not be read" in texts(tracks[0])[0]


def test_a_tcx_of_nothing_but_empty_activities_says_how_many_it_held():
    data = b'<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>'
    error = refusal(data + EMPTY_INDOOR * 3 + b"</Activities></TrainingCenterDatabase>")
    assert error.code == "no_points"
    with translation.override("en"):
        assert "3 activities" in str(error.message)


def test_a_multisport_fit_is_one_activity_per_sport_and_its_run_is_a_run():
    tracks = parse(read(MULTISPORT), MULTISPORT)
    # Swim, bike and run; the two transitions between them are not activities.
    assert [t.session["sport"] for t in tracks] == ["swimming", "cycling", "running"]
    assert [t.sport for t in tracks] == ["other", "other", "run"]
    run = tracks[2]
    # The run session says 9,805.92 m; its records' distance covers 9,803 m of it.
    assert tr.total_distance_m(run) == pytest.approx(9805.92, abs=5)
    assert tr.elapsed_s(run) == pytest.approx(2850.7, abs=2)
    assert "transition" in codes(run)


def test_a_multisport_fit_built_from_real_records_splits_at_its_sessions():
    records = real_records(read("sports-lib__6909950168.fit"))
    writer = FitWriter()
    writer.add("file_id", type=4, manufacturer=1, product=1, time_created=records[0]["timestamp"])
    for record in records:
        writer.add("record", **record)
    middle = records[len(records) // 2]["timestamp"]
    first, last = records[0]["timestamp"], records[-1]["timestamp"]
    writer.add(
        "session",
        timestamp=middle,
        start_time=first,
        sport=SPORTS["cycling"],
        total_elapsed_time=middle - first - 1,
        total_distance=3000.0,
    )
    writer.add(
        "session",
        timestamp=last,
        start_time=middle,
        sport=SPORTS["running"],
        total_elapsed_time=last - middle,
        total_distance=3400.0,
    )
    bike, run = parse(writer.encode(), "brick.fit")
    assert (bike.sport, run.sport) == ("other", "run")
    assert tr.elapsed_s(bike) + tr.elapsed_s(run) == pytest.approx(2196, abs=3)
    assert tr.total_distance_m(bike) + tr.total_distance_m(run) == pytest.approx(6458, abs=20)


def test_macos_extras_and_empty_members_of_a_zip_are_not_files():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("export/run.gpx", read(RUN_GPX))
        archive.writestr("__MACOSX/export/._run.gpx", b"\x00\x05\x16\x07 resource fork")
        archive.writestr("export/._walk.gpx", b"\x00\x05\x16\x07")
        archive.writestr("export/empty.gpx", b"")
    results = parse_upload(buffer.getvalue(), "export.zip")
    assert [(r.name, r.ok) for r in results] == [("export/run.gpx", True)]


# 5. Trackpoints without positions -----------------------------------------------------


def strip_positions(tcx: bytes, keep_every: int, *, distances: bool) -> bytes:
    index = -1

    def trackpoint(match):
        nonlocal index
        index += 1
        text = match.group(0)
        if index % keep_every:
            text = re.sub(rb"<Position>.*?</Position>", b"", text, flags=re.S)
        if not distances:
            text = re.sub(rb"<DistanceMeters>[^<]*</DistanceMeters>", b"", text)
        return text

    return re.sub(rb"<Trackpoint>.*?</Trackpoint>", trackpoint, tcx, flags=re.S)


def test_duration_comes_from_every_timed_trackpoint_not_only_positioned_ones():
    original = one(read(RUN_TCX))
    # About 1 in 24 trackpoints keeps its position, as in a 1,439-point file with 61.
    sparse = one(strip_positions(read(RUN_TCX), 24, distances=True))
    assert tr.elapsed_s(sparse) == tr.elapsed_s(original) == pytest.approx(1991, abs=1)
    # The device's distance on every trackpoint still vouches for the whole run.
    assert tr.total_distance_m(sparse) == tr.total_distance_m(original)
    assert "no_fix" in codes(sparse)


def test_without_device_distance_sparse_positions_give_the_path_between_them():
    original = one(read(RUN_TCX))
    without = re.sub(rb"<DistanceMeters>[^<]*</DistanceMeters>", b"", read(RUN_TCX))
    sparse = one(strip_positions(without, 24, distances=False))
    assert tr.elapsed_s(sparse) == pytest.approx(1991, abs=1)
    assert sparse.has_gps and sparse.device_distance_m is None
    # 16 fixes two minutes apart cut the corners of the path, which is all they vouch for.
    assert (
        0.6 * tr.gps_distance_m(original)
        < tr.total_distance_m(sparse)
        < tr.gps_distance_m(original)
    )
    summary = tr.summarise(sparse)
    assert summary.moving_s > 0.8 * summary.elapsed_s


# 6. No GPS at all, but the device's distance ---------------------------------------------


def test_a_fit_run_without_positions_is_read_with_the_device_distance():
    records = real_records(read("sports-lib__6909950168.fit"))
    writer = FitWriter()
    writer.add("file_id", type=4, manufacturer=1, product=1, time_created=records[0]["timestamp"])
    for record in records[::3]:  # a footpod run, one record every 3 s
        writer.add("record", timestamp=record["timestamp"], distance=record.get("distance"))
    writer.add(
        "session",
        timestamp=records[-1]["timestamp"],
        start_time=records[0]["timestamp"],
        sport=SPORTS["running"],
        total_elapsed_time=2196.0,
        total_distance=6458.0,
    )
    track = one(writer.encode(), "treadmill.fit")
    summary = tr.summarise(track)
    assert not track.has_gps
    assert track.sport == "run"
    assert len(track) == 733
    assert summary.distance_m == pytest.approx(6458, abs=5)
    assert summary.elapsed_s == pytest.approx(2196, abs=3)
    assert summary.splits_s and summary.avg_pace_s_per_km is not None


def test_a_tcx_run_without_positions_keeps_its_device_distance():
    indoor = re.sub(rb"<Position>.*?</Position>", b"", read(RUN_TCX), flags=re.S)
    track = one(indoor)
    assert not track.has_gps
    assert tr.total_distance_m(track) == 4686
    assert tr.elapsed_s(track) == pytest.approx(1991, abs=1)


def test_a_fit_of_sessions_alone_is_read_from_their_totals_as_a_tcx_of_laps_alone():
    # Some apps write an indoor or typed-in activity as its session's totals, no record:
    # read as the same totals in a TCX lap are, and the campaign's rule without GPS decides.
    session = real_records(read("sports-lib__6909950168.fit"))[0]
    writer = FitWriter()
    writer.add("file_id", type=4, manufacturer=1, product=1, time_created=session["timestamp"])
    writer.add(
        "session",
        timestamp=session["timestamp"] + 2196,
        start_time=session["timestamp"],
        sport=SPORTS["running"],
        total_elapsed_time=2196.0,
        total_distance=6458.0,
    )
    track = one(writer.encode(), "indoor.fit")
    laps = one(re.sub(rb"<Track>.*?</Track>", b"", read(RUN_TCX), flags=re.S), "laps.tcx")
    for summary_only in (track, laps):
        assert not summary_only.has_gps and len(summary_only) == 2
    summary = tr.summarise(track)
    assert (track.sport, summary.distance_m, summary.elapsed_s) == ("run", 6458, 2196)
    assert track.t[0] == session["timestamp"] + FIT_EPOCH
    # A session without a distance or a duration says nothing to count.
    empty = FitWriter()
    empty.add("file_id", type=4, manufacturer=1, product=1, time_created=session["timestamp"])
    empty.add("session", timestamp=session["timestamp"], start_time=session["timestamp"])
    assert refusal(empty.encode(), "empty.fit").code == "no_points"


# 7. A few untimed points among timed ones ------------------------------------------------


def test_a_file_with_one_track_untimed_is_read_from_its_timed_tracks():
    track = one(read("gpxpy__korita-zbevnica.gpx"))
    assert len(track) == 513
    assert track.notes[0] == {"code": "untimed", "params": {"count": 358, "total": 871}}


def test_one_untimed_point_of_nine_is_left_out():
    nine = replace_points(read(RUN_GPX), lambda i, p: p if i < 9 else None)
    eight = replace_points(nine, lambda i, p: re.sub(rb"<time>.*?</time>", b"", p) if i == 4 else p)
    track = one(eight)
    assert len(track) == 8
    assert "1 of 9 points had no time" in texts(track)[0]


def test_too_few_timed_points_is_refused_with_the_counts():
    data = replace_points(
        read(RUN_GPX), lambda i, p: p if i < 3 else re.sub(rb"<time>.*?</time>", b"", p)
    )
    error = refusal(data)
    assert error.code == "no_timestamps"
    assert error.params == {"detail": "no_timestamps", "timed": 3, "total": 206}
    with translation.override("en"):
        assert "Only 3 of the 206 track points have a usable time" in str(error.message)
    with translation.override("vi"):
        assert "3" in str(error.message) and "206" in str(error.message)


# 8. Duplicated segments, points out of order ---------------------------------------------


def test_a_segment_written_twice_is_counted_once():
    data = read(RUN_GPX)
    segment = re.search(rb"<trkseg>.*?</trkseg>", data, re.S).group(0)
    twice = one(data.replace(segment, segment + segment))
    once = one(data)
    assert tr.total_distance_m(twice) == tr.total_distance_m(once) == 3101
    assert "duplicates" in codes(twice)


def test_a_last_point_stamped_an_hour_early_is_left_out_not_sorted_in():
    data = read(RUN_GPX)
    points = trkpts(data)
    last_time = re.search(rb"<time>(.*?)</time>", points[-1]).group(1)
    early = last_time.replace(b"T23:", b"T22:").replace(b"T00:", b"T23:")
    track = one(data.replace(points[-1], points[-1].replace(last_time, early)))
    original = one(data)
    assert "out_of_order" in codes(track)
    assert tr.total_distance_m(track) <= tr.total_distance_m(original)
    assert tr.total_distance_m(track) > 0.98 * tr.total_distance_m(original)


def test_tracks_written_out_of_order_are_put_in_order_whole():
    data = read("mapbox-togeojson__multitrackgpx.gpx")
    start, end = data.index(b"<trk>"), data.rindex(b"</trk>") + len(b"</trk>")
    tracks = re.findall(rb"<trk>.*?</trk>", data[start:end], re.S)
    assert len(tracks) == 3
    reversed_file = data[:start] + b"\n".join(reversed(tracks)) + data[end:]
    assert tr.total_distance_m(one(reversed_file)) == tr.total_distance_m(one(data))
    assert one(reversed_file).notes == []


def test_times_going_back_and_forth_throughout_are_refused_with_the_counts():
    data = read(RUN_GPX)
    stamps = [re.search(rb"<time>[^<]*</time>", p).group(0) for p in trkpts(data)]
    for i in range(0, len(stamps) - 1, 2):
        stamps[i], stamps[i + 1] = stamps[i + 1], stamps[i]
    error = refusal(replace_points(data, lambda i, p: re.sub(rb"<time>[^<]*</time>", stamps[i], p)))
    assert error.code == "no_timestamps"
    assert error.params["detail"] == "out_of_order"
    assert error.params["count"] > 50


# 9. Damaged files ----------------------------------------------------------------------


def test_a_fit_file_cut_in_half_keeps_its_first_half_and_says_so():
    data = read("sports-lib__6909950168.fit")
    track = one(data[: len(data) // 2])
    assert codes(track)[0] == "ends_early"
    assert 900 < tr.elapsed_s(track) < 1300
    with translation.override("en"):
        assert f"of its {len(data)} bytes" in note_text(track.notes[0])


# 10. Errors name the real problem --------------------------------------------------------


def test_errors_tell_no_trackpoints_from_no_positions_from_no_times_from_unknown_format():
    empty = re.sub(rb"<trkpt.*?</trkpt>", b"", read(RUN_GPX), flags=re.S)
    assert refusal(empty).code == "no_points"
    nowhere = replace_points(read(RUN_GPX), lambda i, p: re.sub(rb' l(at|on)="[^"]*"', b"", p))
    error = refusal(nowhere)
    assert (error.code, error.params["total"]) == ("no_positions", 206)
    never = re.sub(rb"<time>[^<]*</time>", b"", read(RUN_GPX))
    error = refusal(never)
    assert (error.code, error.params["timed"], error.params["total"]) == ("no_timestamps", 0, 206)
    with translation.override("en"):
        assert str(error.message) == "None of the 206 track points has a usable time."
    assert refusal(b'{"type": "FeatureCollection"}').code == "unknown_format"


# 12. The device's own distance -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "device_m", "gps_m"),
    [
        ("fitparse__garmin-fenix-5-run.fit", 158, 161),
        ("sports-lib__6909950168.fit", 6458, 6507),
        ("fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit", 78938, 81110),
        ("fitparse__coros-pace-2-cycling-misaligned-fields.fit", 32144, 33018),
        (RUN_TCX, 4686, 4689),
        ("tcxreader__mapmyride_biking.tcx", 15348, 16961),
    ],
)
def test_the_distance_follows_the_device_and_keeps_the_gps_sum_beside_it(name, device_m, gps_m):
    summary = tr.summarise(one(read(name)))
    assert summary.distance_m == summary.device_distance_m == device_m
    assert summary.gps_distance_m == gps_m


def test_a_gpx_keeps_the_geodesic_sum():
    summary = tr.summarise(one(read(RUN_GPX)))
    assert summary.device_distance_m is None
    assert summary.distance_m == summary.gps_distance_m == 3101


def test_a_summary_far_above_what_the_points_cover_is_told_and_not_counted():
    track = one(read("placemark-togeojson__tour_hr.tcx"))
    assert tr.total_distance_m(track) == 1376
    assert track.notes == [
        {"code": "summary_distance", "params": {"summary_m": 6840, "points_m": 1376}}
    ]


def test_a_device_distance_far_above_the_gps_path_is_flagged_with_the_evidence():
    inflated = re.sub(
        rb"<DistanceMeters>([0-9.]+)</DistanceMeters>(\s*<HeartRateBpm>)",
        lambda m: (
            b"<DistanceMeters>%.2f</DistanceMeters>%s" % (float(m.group(1)) * 1.5, m.group(2))
        ),
        read(RUN_TCX),
    )
    track = one(inflated)
    summary = tr.summarise(track)
    assert summary.distance_m == pytest.approx(1.5 * 4686, rel=0.01)
    (entry,) = [n for n in track.notes if n["code"] == "device_distance_high"]
    assert entry["params"]["path_m"] == pytest.approx(4689, rel=0.01)
    facts = facts_from_track(track, summary, "run")
    assert facts.device_over_path == (entry["params"]["device_m"], entry["params"]["path_m"])


def test_the_gps_jump_checks_read_the_gps_path_not_the_device_distance():
    track = one(read("sports-lib__6909950168.fit"))
    jumps, segments = find_track_anomalies(
        track.t - track.t[0], tr.gps_cumulative_distance(track), "run"
    )
    assert facts_from_track(track, tr.summarise(track), "run").gps_jumps == tuple(jumps)
    assert segments == []


def test_every_sample_reads_without_an_unexplained_note():
    known = {
        "untimed",
        "no_fix",
        "clock_glitch",
        "out_of_order",
        "duplicates",
        "ends_early",
        "damaged",
        "summary_distance",
        "device_distance_high",
        "skipped",
        "transition",
    }
    for path in sorted(FILES.glob("*.*")):
        if path.suffix not in (".gpx", ".tcx", ".fit", ".kml"):
            continue
        try:
            tracks = parse(path.read_bytes(), path.name)
        except ParseError:
            continue
        for track in tracks:
            assert set(codes(track)) <= known
            assert all(texts(track, "vi")) and all(texts(track, "en"))


def test_semicircles_in_the_writer_match_the_reader():
    writer = FitWriter()
    t0 = fit_time(datetime(2024, 5, 1, 6, tzinfo=UTC).timestamp())
    writer.add("file_id", type=4, manufacturer=1, product=1, time_created=t0)
    for i in range(60):
        writer.add(
            "record",
            timestamp=t0 + i,
            position_lat=int(10.77 * SEMICIRCLES),
            position_long=int((106.7 + i * 3e-5) * SEMICIRCLES),
            distance=i * 3.3,
        )
    track = one(writer.encode(), "line.fit")
    assert track.lat[0] == pytest.approx(10.77, abs=1e-6)
    assert tr.total_distance_m(track) == round(59 * 3.3)
    assert tr.gps_distance_m(track) == pytest.approx(59 * 3.3 * 0.99, rel=0.05)


# 11. KML and KMZ -------------------------------------------------------------------------


def kml_of(gpx: bytes, *, multitrack: bool = False) -> bytes:
    """The GPX's points as Google Earth writes a recorded track (gx:Track)."""
    points = trkpts(gpx)
    whens, coords = [], []
    for point in points:
        lat = re.search(rb'lat="([^"]*)"', point).group(1)
        lon = re.search(rb'lon="([^"]*)"', point).group(1)
        ele = re.search(rb"<ele>([^<]*)</ele>", point).group(1)
        when = re.search(rb"<time>([^<]*)</time>", point).group(1)
        whens.append(b"<when>" + when + b"</when>")
        coords.append(b"<gx:coord>" + lon + b" " + lat + b" " + ele + b"</gx:coord>")

    def track(a, b):
        return b"<gx:Track>" + b"".join(whens[a:b]) + b"".join(coords[a:b]) + b"</gx:Track>"

    half = len(points) // 2
    body = (
        b"<gx:MultiTrack>" + track(0, half) + track(half, len(points)) + b"</gx:MultiTrack>"
        if multitrack
        else track(0, len(points))
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">'
        b'<Document><Placemark><name>Run</name><ExtendedData><Data name="activityType">'
        b"<value>running</value></Data></ExtendedData>" + body + b"</Placemark></Document></kml>"
    )


def test_a_kml_gx_track_reads_like_the_gpx_it_came_from():
    gpx = one(read(RUN_GPX))
    kml = one(kml_of(read(RUN_GPX)), "run.kml")
    assert kml.source_format == "kml"
    assert kml.sport == "run"
    assert tr.total_distance_m(kml) == tr.total_distance_m(gpx) == 3101
    assert tr.elapsed_s(kml) == tr.elapsed_s(gpx)
    assert np.array_equal(kml.t, gpx.t)


def test_a_kml_multitrack_is_one_activity_in_segments():
    track = one(kml_of(read(RUN_GPX), multitrack=True), "run.kml")
    assert track.segment is not None and set(track.segment) == {0, 1}
    assert tr.total_distance_m(track) < 3101  # nothing is credited across the break


def test_a_kmz_is_its_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", kml_of(read(RUN_GPX)))
        archive.writestr("files/photo.png", b"\x89PNG\r\n\x1a\n not really")
    (result,) = parse_upload(buffer.getvalue(), "run.kmz")
    assert result.ok
    assert tr.total_distance_m(result.tracks[0]) == 3101


def test_a_kml_line_without_times_says_it_has_none():
    line = (
        b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><LineString><coordinates>'
        b"106.70,10.77,5 106.71,10.78,5 106.72,10.79,5</coordinates></LineString></Placemark></kml>"
    )
    error = refusal(line, "route.kml")
    assert (error.code, error.params["timed"], error.params["total"]) == ("no_timestamps", 0, 3)


@pytest.mark.parametrize(
    "name", ["fittrackee__kml_2_2_with_two_tracks.kml", "fittrackee__kml_2_3_with_two_tracks.kml"]
)
def test_an_opentracks_kml_is_read_in_both_kml_versions_as_the_walk_its_icon_names(name):
    from .geodesy import track_length

    track = one(read(name), name)
    assert track.source_format == "kml"
    # OpenTracks names the activity twice: <icon>WALK</icon>, the same in every
    # language, and the type in the phone's language ("marche").
    assert track.sport == "walk"
    # Two tracks of a MultiTrack are two segments of one walk; the first point's
    # empty coordinate counts for time, not for distance.
    assert set(track.segment) == {0, 1}
    assert track.t.size == 26 and codes(track) == ["no_fix"]
    assert tr.elapsed_s(track) == 310  # 13:43:45 to 13:48:55 at +01:00
    assert datetime.fromtimestamp(track.t[0], UTC) == datetime(2018, 3, 13, 12, 43, 45, tzinfo=UTC)
    fixed = np.isfinite(track.lat)
    reference = track_length(
        list(track.lat[fixed]), list(track.lon[fixed]), [int(s) for s in track.segment[fixed]]
    )
    assert tr.total_distance_m(track) == pytest.approx(reference, rel=0.004)
    assert 290 < tr.total_distance_m(track) < 300  # nothing across the gap between the tracks


@pytest.mark.parametrize(
    ("name", "sport"),
    [
        ("Đi bộ", "walk"),
        ("Chạy bộ", "run"),
        ("đi bộ nhanh", "walk"),
        ("marche", "walk"),
        ("Course à pied", "run"),
        ("TrailRun", "run"),
        ("trail-running", "run"),
        ("Nordic walking", "walk"),
        ("Cycling", "other"),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_a_sport_named_in_the_phones_language_is_understood(name, sport):
    from activities.parsers.base import sport_hint

    assert sport_hint(name) == sport


# 10. Errors name what the file holds instead of an activity ---------------------------


def test_a_route_planned_on_a_map_is_refused_as_a_route_not_a_recording():
    error = refusal(read("gpxpy__route.gpx"), "route.gpx")
    assert (error.code, error.params["detail"], error.params["total"]) == (
        "no_points",
        "route_only",
        55,
    )
    with translation.override("en"):
        assert "route of 55 points planned on a map" in str(error.message)
    with translation.override("vi"):
        assert "tuyến đường 55 điểm" in str(error.message)


def course_fit(file_type: int) -> bytes:
    """A kilometre along Hoàn Kiếm lake at a walker's pace, as a FIT of ``file_type``."""
    writer = FitWriter()
    t0 = fit_time(datetime(2024, 4, 1, 6, tzinfo=UTC).timestamp())
    writer.add("file_id", type=file_type, manufacturer=1, product=1, time_created=t0)
    for i in range(120):
        writer.add(
            "record",
            timestamp=t0 + 6 * i,
            position_lat=int((21.0285 + i * 7.5e-5) * SEMICIRCLES),
            position_long=int(105.852 * SEMICIRCLES),
            distance=i * 8.3,
        )
    return writer.encode()


def test_a_course_planned_for_the_watch_is_refused_as_a_route_in_fit_and_tcx():
    # A course holds made-up times at the planner's pace: read as a walk it would count.
    assert tr.total_distance_m(one(course_fit(4), "walk.fit")) > 900  # type 4: an activity
    error = refusal(course_fit(6), "course.fit")  # type 6: a course
    assert (error.code, error.params["detail"], error.params["total"]) == (
        "no_points",
        "route_only",
        120,
    )
    tcx = re.sub(
        rb"<Activities>.*</Activities>",
        lambda m: (
            m.group(0)
            .replace(b"<Activities>", b"<Courses>")
            .replace(b"</Activities>", b"</Courses>")
            .replace(b"<Activity ", b"<Course ")
            .replace(b"</Activity>", b"</Course>")
        ),
        read(RUN_TCX),
        flags=re.S,
    )
    error = refusal(tcx, "course.tcx")
    assert (error.code, error.params["detail"], error.params["total"]) == (
        "no_points",
        "route_only",
        384,
    )
    with translation.override("en"):
        assert "a route of 384 points planned on a map" in str(error.message)


def test_a_file_of_one_waypoint_says_so():
    error = refusal(read("gpxpy__unicode_with_bom.gpx"), "wpt.gpx")
    assert (error.code, error.params["detail"], error.params["total"]) == (
        "no_points",
        "waypoints_only",
        1,
    )
    with translation.override("en"):
        assert "only 1 waypoint," in str(error.message)


def test_a_track_of_a_single_point_is_refused_as_too_short_to_be_an_activity():
    # The file also holds waypoints and a route: its one track point is what counts.
    error = refusal(read("gpxpy__gpx1.1_with_all_fields.gpx"), "all.gpx")
    assert (error.code, error.params["detail"]) == ("no_points", "one_point")
    with translation.override("en"):
        assert "single track point" in str(error.message)


def test_five_timed_points_of_296_are_too_few_and_the_message_counts_them():
    error = refusal(read("gpxpy__cerknicko-without-times.gpx"), "c.gpx")
    assert (error.code, error.params["timed"], error.params["total"]) == (
        "no_timestamps",
        5,
        296,
    )
    with translation.override("en"):
        assert "Only 5 of the 296 track points" in str(error.message)


def test_gpxpys_last_point_stamped_an_hour_early_is_left_out_not_sorted_in():
    from .geodesy import track_length

    data = read("gpxpy__first_and_last_elevation.gpx")
    track = one(data, "f.gpx")
    assert codes(track) == ["out_of_order"]
    assert track.t.size == 9
    # Sorted in, the last point would sit between the first two and add a detour of
    # about 120 km; left out, the path is the nine points in the order they were made.
    points = re.findall(rb'lat="([^"]+)" lon="([^"]+)"', data)[:9]
    reference = track_length([float(a) for a, _ in points], [float(b) for _, b in points])
    assert tr.total_distance_m(track) == pytest.approx(reference, rel=0.004)
    assert tr.elapsed_s(track) == 7200


def test_an_empty_segment_before_the_points_changes_nothing():
    track = one(read("gpxpy__track-with-empty-segment.gpx"), "e.gpx")
    assert track.t.size == 9 and tr.elapsed_s(track) == 76
    assert not codes(track)


# 15. The fast FIT reader gives fitdecode's answers -----------------------------------------


FIT_SAMPLES = sorted(p.name for p in FILES.glob("*.fit"))


@pytest.mark.parametrize("name", FIT_SAMPLES)
def test_the_fast_fit_reader_reads_what_fitdecode_reads(name):
    from activities.parsers import fit, fit_reader

    data = read(name)
    ours, reference = fit_reader.read(data), fit.read_fitdecode(data)
    if ours is None:  # compressed speed and distance: left to fitdecode
        assert name == "fitparse__null_compressed_speed_dist.fit"
        return
    assert (ours.sessions, ours.device, ours.sport, ours.file_type) == (
        reference.sessions,
        reference.device,
        reference.sport,
        reference.file_type,
    )
    assert ours.file_type == "activity"
    count = len(reference.records["t"])
    for column, values in reference.records.items():
        # Where fitdecode stops at damage, the fast reader reads on: the same until then.
        assert np.array_equal(ours.records[column][:count], values, equal_nan=True), column
    if reference.stopped_at is None or ours.skipped_bytes == 0:
        assert len(ours.records["t"]) == count


def test_a_fit_file_missing_a_byte_after_7_kb_is_read_on_past_the_damage():
    # The Strava app's file lost a byte at 7 KB; fitdecode stops there (930 m of 11.3 km).
    track = one(read(STRAVA_FIT))
    summary = tr.summarise(track)
    assert summary.distance_m == pytest.approx(11274, abs=10)  # its session: 11,274 m
    assert summary.elapsed_s == pytest.approx(3558, abs=2)  # its session: 3,558 s
    assert track.notes[0] == {
        "code": "damaged",
        "params": {"skipped_bytes": 159, "records": 2671, "read_s": 3558},
    }
    with translation.override("en"):
        assert note_text(track.notes[0]) == (
            "The file is damaged in places: 159 bytes could not be read, and reading went on "
            "after them (2671 records read)."
        )
