import gzip
import io
import random
import re
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from django.utils import translation

from activities import parsers
from activities import track as tr
from activities.parsers import PARSERS, ParseError, detect_format, expand, parse, parse_upload
from activities.tests.geodesy import track_length

FILES = Path(__file__).parent / "files"

GPS_SAMPLES = sorted(
    p.name
    for p in FILES.iterdir()
    if p.suffix in (".gpx", ".tcx", ".fit", ".kml")
    and p.name
    not in {
        "placemark-togeojson__bad.gpx",  # no valid coordinates
        "gpxpy__Mojstrovka.gpx",  # bogus, identical timestamps
        # Refused with what they hold instead (test_reading_rules, item 10):
        "gpxpy__cerknicko-without-times.gpx",  # 5 of 296 points timed
        "gpxpy__gpx1.1_with_all_fields.gpx",  # a track of one point
        "gpxpy__route.gpx",  # a planned route
        "gpxpy__unicode_with_bom.gpx",  # one waypoint
    }
)
MULTISPORT = "fitparse__sample_mulitple_header.fit"


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


def only(name: str, data: bytes | None = None) -> tr.Track:
    tracks = parse(read(name) if data is None else data, name)
    assert len(tracks) == 1
    return tracks[0]


def every(name: str) -> list[tr.Track]:
    return parse(read(name), name)


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def error_code(data: bytes, filename: str = "upload") -> str:
    with pytest.raises(ParseError) as info:
        parse(data, filename)
    assert str(info.value.message)  # a readable message, not just a code
    return info.value.code


def test_registry_is_keyed_by_stable_format_names():
    assert set(PARSERS) == {"gpx", "tcx", "fit", "kml", "recording"}


@pytest.mark.parametrize("name", GPS_SAMPLES)
def test_sample_gps_distance_is_within_one_percent_of_a_vincenty_sum(name):
    for track in every(name):
        assert len(track) > 0
        assert track.has_gps
        assert np.all(np.diff(track.t) >= 0)
        fixed = np.isfinite(track.lat)
        segment = None if track.segment is None else list(track.segment[fixed])
        reference = track_length(list(track.lat[fixed]), list(track.lon[fixed]), segment)
        ours = tr.gps_distance_m(track)
        assert reference > 0
        assert abs(ours - reference) <= max(0.01 * reference, 1.0)
        # Measured: at most 1.5e-6 relative on every sample.
        assert abs(float(tr.gps_segment_distances(track).sum()) - reference) <= 1e-5 * reference


@pytest.mark.parametrize(
    ("name", "sport", "start", "elapsed_s", "distance_m"),
    [
        ("fitparse__garmin-fenix-5-run.fit", "run", "2017-06-11T14:34:09", 57, 158),
        ("fitparse__garmin-fenix-5-walk.fit", "walk", "2017-06-11T14:32:51", 46, 68),
        ("sports-lib__6909950168.fit", "run", "2020-03-04T16:14:31", 2196, 6458),
        ("mapbox-togeojson__run.gpx", None, "2012-10-24T23:29:40", 948, 3101),
        ("sports-lib__amazfit.gpx", "run", "2018-05-14T09:54:12", 2531, 8747),
        ("sports-lib__6037744996.gpx", "run", "2020-12-25T20:40:26", 4039, 5106),
        ("tcxparser__test.tcx", "run", "2012-12-26T21:29:53", 1991, 4689),
        ("sports-lib__6281425038.tcx", "run", "2016-09-12T11:19:56", 2162, 4147),
        ("placemark-togeojson__tour_hr.tcx", "other", "2020-12-27T14:59:36", 463, 1376),
        ("tcxreader__cross-country-skiing_activity_1.tcx", "other", None, 2401, 5691),
    ],
)
def test_sample_times_sport_and_distance_are_what_the_file_says(
    name, sport, start, elapsed_s, distance_m
):
    track = only(name)
    summary = tr.summarise(track)
    assert track.sport == sport
    if start:
        assert track.t[0] == utc(start)
    assert summary.elapsed_s == pytest.approx(elapsed_s, abs=1)
    assert summary.distance_m == pytest.approx(distance_m, rel=0.002)


def test_fit_session_elapsed_time_matches_the_records():
    # The fenix 5 run's session says 56.887 s elapsed and 157.56 m.
    summary = tr.summarise(only("fitparse__garmin-fenix-5-run.fit"))
    assert summary.elapsed_s == pytest.approx(56.887, abs=1)
    assert summary.distance_m == pytest.approx(157.56, rel=0.03)


def test_fit_positions_are_converted_from_semicircles_and_devices_named():
    track = only("fitparse__garmin-fenix-5-run.fit")
    assert track.lat[0] == pytest.approx(456099128 * 180 / 2**31)
    assert track.lon[0] == pytest.approx(-1463077077 * 180 / 2**31)
    assert track.device == "garmin fenix5"
    assert track.hr is not None and np.isfinite(track.hr).all()
    assert track.cad is not None
    assert only("sports-lib__6909950168.fit").device == "suunto Suunto 9 Baro"


def test_gpx_and_tcx_heart_rate_and_cadence_extensions_are_read():
    assert np.isfinite(only("mapbox-togeojson__run_gpxtpx.gpx").hr).all()
    assert np.isfinite(only("sports-lib__amazfit.gpx").hr).all()
    partial = only("placemark-togeojson__missing_hr.gpx").hr
    assert 0 < np.isfinite(partial).sum() < partial.size
    assert only("placemark-togeojson__Friday-Evening-Run.gpx").cad is not None
    assert np.isfinite(only("tcxparser__test.tcx").hr).any()
    assert only("placemark-togeojson__garmin_connect.tcx").cad is not None


def test_gpx_creator_and_tcx_creator_name_the_device():
    assert only("mapbox-togeojson__run.gpx").device == "Garmin Connect"
    assert only("sports-lib__6281425038.tcx").device == "Polar V800"


def test_several_tracks_are_concatenated_in_time_order():
    track = only("mapbox-togeojson__multitrackgpx.gpx")
    assert len(track) == 5235
    assert np.all(np.diff(track.t) >= 0)
    assert track.segment is not None and np.unique(track.segment).size >= 3


def test_tcx_offset_timestamps_are_converted_to_utc():
    track = only("placemark-togeojson__tour_hr.tcx")
    assert track.t[0] == datetime.fromisoformat("2020-12-27T15:59:36+01:00").timestamp()


def test_tcx_trackpoints_without_position_count_for_time_but_not_for_gps_distance():
    track = only("tcxreader__mapmyride_biking.tcx")
    assert len(track) == 3112
    assert np.isfinite(track.lat).sum() == 3112 - 7


def test_truncated_fit_returns_what_could_be_read():
    track = only("fitparse__activity-unexpected-eof.fit")
    assert len(track) == 14
    assert track.sport == "run"


def test_badly_terminated_and_chained_fit_files_still_parse():
    assert len(only("fitparse__nick.fit")) > 14000
    assert sum(len(track) for track in every(MULTISPORT)) > 1000
    strava = only("fitparse__strava-android-app-201.10-b1218918.fit")
    # Records around its damage carry corrupt times (one in 2085); they are dropped
    # rather than trusted.
    assert strava.dropped_points > 0
    assert "clock_glitch" in [n["code"] for n in strava.notes]
    assert tr.elapsed_s(strava) <= 3600


@pytest.mark.parametrize("name", GPS_SAMPLES)
def test_truncated_or_corrupted_sample_gives_a_track_or_a_parse_error(name):
    data = read(name)
    rng = random.Random(name)
    for k in range(4):
        if k % 2:
            damaged = data[: rng.randrange(len(data))]
        else:
            mutable = bytearray(data)
            for _ in range(20):
                mutable[rng.randrange(len(mutable))] = rng.randrange(256)
            damaged = bytes(mutable)
        try:
            tracks = parse(damaged, name)
        except ParseError as error:
            assert error.code in parsers.base.ERROR_MESSAGES
        else:
            for track in tracks:
                assert len(track) > 0
                tr.summarise(track)


def test_fit_cut_before_any_record_is_a_malformed_file():
    assert error_code(read("fitparse__garmin-fenix-5-run.fit")[:200]) == "malformed_file"


def test_malformed_xml_is_a_malformed_file():
    data = read("mapbox-togeojson__run.gpx")
    assert error_code(data[: len(data) // 2]) == "malformed_file"


def test_xml_entity_bomb_is_rejected_quickly():
    bomb = b'<?xml version="1.0"?>\n<!DOCTYPE gpx [\n<!ENTITY lol "lol">\n'
    for i in range(1, 10):
        prev = "lol" if i == 1 else f"lol{i - 1}"
        bomb += f'<!ENTITY lol{i} "{("&" + prev + ";") * 10}">\n'.encode()
    bomb += b'<gpx version="1.1"><trk><name>&lol9;</name></trk></gpx>'
    started = time.monotonic()
    assert error_code(bomb, "bomb.gpx") == "entity_bomb"
    assert time.monotonic() - started < 1


def test_external_entity_is_rejected():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<gpx version="1.1"><trk><name>&x;</name></trk></gpx>'
    )
    assert error_code(xxe) == "entity_bomb"


def test_gpx_without_timestamps_is_refused():
    data = read("mapbox-togeojson__run.gpx")

    untimed = re.sub(rb"<time>[^<]*</time>", b"", data)
    assert error_code(untimed, "run.gpx") == "no_timestamps"


def test_gpx_with_bogus_identical_timestamps_is_refused():
    assert error_code(read("gpxpy__Mojstrovka.gpx")) == "no_timestamps"


def test_gpx_with_only_invalid_coordinates_has_no_positions():
    assert error_code(read("placemark-togeojson__bad.gpx")) == "no_positions"


def test_empty_file_has_no_points():
    assert error_code(b"", "empty.gpx") == "no_points"
    assert error_code(b"  \n", "blank.fit") == "no_points"


def test_format_is_detected_by_content_not_extension():
    fit = parse(read("fitparse__garmin-fenix-5-walk.fit"), "walk.gpx")
    gpx = parse(read("mapbox-togeojson__run.gpx"), "run.fit")
    assert fit[0].source_format == "fit"
    assert gpx[0].source_format == "gpx"
    assert detect_format(read("sports-lib__6281425038.tcx")) == "tcx"


def test_unrecognised_content_is_an_unknown_format():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'
    assert error_code(svg, "x.gpx") == "unknown_format"
    assert error_code(b'{"type": "FeatureCollection"}', "x.gpx") == "unknown_format"


def test_gzip_is_unwrapped_transparently():
    data = read("sports-lib__amazfit.gpx")
    plain = only("sports-lib__amazfit.gpx")
    zipped = only("amazfit.gpx.gz", gzip.compress(data))
    assert tr.total_distance_m(zipped) == tr.total_distance_m(plain)
    fit = gzip.compress(read("fitparse__garmin-fenix-5-run.fit"))
    assert only("run.fit.gz", fit).sport == "run"


def test_corrupt_gzip_is_a_malformed_file():
    assert error_code(gzip.compress(read("mapbox-togeojson__run.gpx"))[:500]) == "malformed_file"


def test_file_over_the_size_limit_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(parsers, "MAX_FILE_BYTES", 10_000)
    assert error_code(read("mapbox-togeojson__run.gpx")) == "too_large"


def test_gzip_expanding_past_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(parsers, "MAX_FILE_BYTES", 100_000)
    assert error_code(gzip.compress(b" " * 1_000_000), "big.gpx.gz") == "too_large"


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zip_export_gives_each_file_its_own_result():
    archive = make_zip(
        {
            "activities/run.gpx": read("mapbox-togeojson__run.gpx"),
            "activities/walk.fit.gz": gzip.compress(read("fitparse__garmin-fenix-5-walk.fit")),
            "activities/broken.tcx": b"<TrainingCenterDatabase><Activities>",
            "activities/inner.zip": make_zip({"a.gpx": read("mapbox-togeojson__run.gpx")}),
        }
    )
    results = {r.name: r for r in parse_upload(archive, "export.zip")}
    assert results["activities/run.gpx"].ok
    assert results["activities/walk.fit.gz"].tracks[0].sport == "walk"
    assert results["activities/broken.tcx"].error.code == "malformed_file"
    # Nested archives are not followed.
    assert results["activities/inner.zip"].error.code == "unknown_format"


def test_expand_returns_a_plain_file_as_it_is():
    data = read("mapbox-togeojson__run.gpx")
    assert expand(data, "run.gpx") == [("run.gpx", data)]


def test_zip_bomb_is_refused():
    bomb = make_zip({"big.gpx": b"\0" * (20 * 1024 * 1024), "run.gpx": b"<gpx/>"})
    with pytest.raises(ParseError) as info:
        expand(bomb, "bomb.zip")
    assert info.value.code == "archive_bomb"
    assert parse_upload(bomb, "bomb.zip")[0].error.code == "archive_bomb"


def test_zip_with_too_much_uncompressed_data_is_refused(monkeypatch):
    monkeypatch.setattr(parsers, "MAX_ARCHIVE_TOTAL_BYTES", 100_000)
    archive = make_zip({f"{i}.gpx": read("mapbox-togeojson__run.gpx") for i in range(3)})
    with pytest.raises(ParseError) as info:
        expand(archive, "export.zip")
    assert info.value.code == "archive_bomb"


def test_zip_with_too_many_members_is_refused(monkeypatch):
    monkeypatch.setattr(parsers, "MAX_ARCHIVE_MEMBERS", 3)
    archive = make_zip({f"{i}.gpx": b"<gpx/>" for i in range(4)})
    with pytest.raises(ParseError) as info:
        expand(archive, "export.zip")
    assert info.value.code == "too_large"


def test_corrupt_zip_is_a_malformed_file():
    archive = make_zip({"run.gpx": read("mapbox-togeojson__run.gpx")})
    assert parse_upload(archive[:100], "export.zip")[0].error.code == "malformed_file"


def test_tcx_treadmill_laps_keep_distance_and_duration_without_gps():
    tcx = b"""<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
 <Activities><Activity Sport="Running"><Id>2024-05-01T06:00:00Z</Id>
  <Lap StartTime="2024-05-01T06:00:00Z"><TotalTimeSeconds>1500</TotalTimeSeconds>
   <DistanceMeters>5000</DistanceMeters></Lap>
  <Lap StartTime="2024-05-01T06:25:00Z"><TotalTimeSeconds>300</TotalTimeSeconds>
   <DistanceMeters>1000</DistanceMeters></Lap>
 </Activity></Activities></TrainingCenterDatabase>"""
    track = only("treadmill.tcx", tcx)
    summary = tr.summarise(track)
    assert not track.has_gps
    assert track.sport == "run"
    assert summary.distance_m == 6000
    assert summary.elapsed_s == 1800
    assert summary.avg_pace_s_per_km == 300.0


def test_tcx_treadmill_trackpoints_with_distance_only():
    points = "".join(
        f"<Trackpoint><Time>2024-05-01T06:{m:02d}:00Z</Time>"
        f"<DistanceMeters>{m * 200}</DistanceMeters></Trackpoint>"
        for m in range(31)
    )
    tcx = (
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        '<Activities><Activity Sport="Running"><Lap StartTime="2024-05-01T06:00:00Z">'
        f"<DistanceMeters>6000</DistanceMeters><Track>{points}</Track></Lap>"
        "</Activity></Activities></TrainingCenterDatabase>"
    ).encode()
    summary = tr.summarise(only("treadmill.tcx", tcx))
    assert not summary.has_gps
    assert summary.distance_m == 6000
    assert summary.splits_s == pytest.approx([300.0] * 6)


def test_parse_error_codes_are_stable_and_messages_are_english():
    assert set(parsers.base.ERROR_MESSAGES) == {
        "malformed_file",
        "unknown_format",
        "no_timestamps",
        "no_points",
        "no_positions",
        "too_large",
        "archive_bomb",
        "entity_bomb",
    }
    error = ParseError("no_timestamps")
    with translation.override("en"):
        assert str(error.message) == "The track has no usable timestamps."
    with translation.override("vi"):
        assert str(error.message) == "Lộ trình không có mốc thời gian dùng được."
    with pytest.raises(ValueError):
        ParseError("not_a_code")
