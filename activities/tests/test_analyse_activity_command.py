import gzip
import io
import json
import zipfile
from pathlib import Path

from django.core.management import call_command

from activities import parsers

FILES = Path(__file__).parent / "files"
KEYS = {
    "file",
    "ok",
    "error",
    "message",
    "sport",
    "start",
    "end",
    "elapsed_s",
    "moving_s",
    "distance_m",
    "elevation_gain_m",
    "points",
    "avg_pace_s_per_km",
    "splits_s",
}


def run(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("analyse_activity", *args, "--json", "--language", "en", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_prints_one_json_object_per_file_with_the_normalised_activity():
    walk, run_ = run(
        str(FILES / "fitparse__garmin-fenix-5-walk.fit"), str(FILES / "sports-lib__amazfit.gpx")
    )
    assert set(walk) == KEYS
    assert walk["ok"] is True and walk["error"] is None
    assert walk["sport"] == "walk"
    assert walk["start"] == "2017-06-11T14:32:51Z"
    assert walk["end"] == "2017-06-11T14:33:37Z"
    assert walk["elapsed_s"] == 46
    assert walk["points"] == 17
    assert run_["sport"] == "run"
    assert run_["distance_m"] == 8747
    assert len(run_["splits_s"]) == 8
    assert sum(run_["splits_s"]) <= run_["elapsed_s"]


def test_sport_option_overrides_what_the_file_says():
    (result,) = run(str(FILES / "sports-lib__amazfit.gpx"), "--sport", "walk")
    assert result["sport"] == "walk"


def test_a_bad_file_gets_its_error_and_the_others_still_print(tmp_path):
    bad = tmp_path / "bad.gpx"
    bad.write_bytes(b"<gpx><trk>")
    results = run(str(bad), str(tmp_path / "missing.fit"), str(FILES / "tcxparser__test.tcx"))
    assert [r["ok"] for r in results] == [False, False, True]
    assert results[0]["error"] == "malformed_file"
    assert results[0]["message"] == "The file is damaged or not a valid activity file."
    assert set(results[0]) == KEYS and results[0]["distance_m"] is None
    assert results[1]["error"] == "unreadable"
    assert results[2]["distance_m"] == 4689


def test_zip_members_are_reported_one_by_one(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.gpx.gz", gzip.compress((FILES / "mapbox-togeojson__run.gpx").read_bytes()))
        zf.writestr("b.gpx", (FILES / "gpxpy__Mojstrovka.gpx").read_bytes())
    results = run(str(archive))
    assert [r["file"] for r in results] == [f"{archive}/a.gpx.gz", f"{archive}/b.gpx"]
    assert results[0]["distance_m"] == 3101
    assert results[1]["error"] == "no_timestamps"


def test_oversized_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    monkeypatch.setattr(parsers, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.gpx"
    big.write_bytes(b" " * 2000)
    (result,) = run(str(big))
    assert result["error"] == "too_large"


def test_without_json_prints_a_readable_line():
    out = io.StringIO()
    call_command("analyse_activity", str(FILES / "tcxparser__test.tcx"), stdout=out)
    assert "run 2012-12-26T21:29:53Z 4689 m" in out.getvalue()


def test_messages_are_vietnamese_by_default(tmp_path):
    bad = tmp_path / "bad.gpx"
    bad.write_bytes(b"<gpx><trk>")
    out = io.StringIO()
    call_command("analyse_activity", str(bad), "--json", stdout=out)
    assert json.loads(out.getvalue())["message"] == (
        "Tệp bị hỏng hoặc không phải tệp hoạt động hợp lệ."
    )
