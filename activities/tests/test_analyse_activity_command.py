import gzip
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from activities import parsers
from campaigns.tests.factories import CampaignFactory

FILES = Path(__file__).parent / "files"
KEYS = {
    "file",
    "gps_jumps",
    "vehicle_segments",
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
    "device_distance_m",
    "gps_distance_m",
    "session",
    "notes",
}


def run(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("analyse_activity", *args, "--json", "--language", "en", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def said(result: dict) -> list[dict]:
    """Each reason's code and sentence (its evidence in words is checked on its own)."""
    return [{"code": r["code"], "message": r["message"]} for r in result["reasons"]]


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
    assert results[2]["distance_m"] == 4686


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
    assert "run 2012-12-26T21:29:53Z 4686 m" in out.getvalue()


def test_messages_are_vietnamese_by_default(tmp_path):
    bad = tmp_path / "bad.gpx"
    bad.write_bytes(b"<gpx><trk>")
    out = io.StringIO()
    call_command("analyse_activity", str(bad), "--json", stdout=out)
    assert json.loads(out.getvalue())["message"] == (
        "Tệp bị hỏng hoặc không phải tệp hoạt động hợp lệ."
    )


# ------------------------------------------------------------ under a campaign

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# A 6.5 km run from 23:14 to 23:51 on 04/03/2020, Vietnam time (16:14–16:51Z).
RUN = str(FILES / "sports-lib__6909950168.fit")
VERDICT_KEYS = KEYS | {"verdict", "credited_m", "reasons"}


@pytest.fixture
def march_2020(tree):
    """Walks and runs from 08:00 on 01/03/2020 to 24:00 on 31/03/2020, Vietnam time."""
    return CampaignFactory(
        slug="thang-3-2020",
        organiser_unit=tree["LA-CD"],
        starts_at=datetime(2020, 3, 1, 8, tzinfo=VN),
        ends_at=datetime(2020, 4, 1, tzinfo=VN),
    )


def test_a_valid_run_is_accepted_and_its_arrival_not_judged_without_received_at(march_2020):
    # The campaign closed years ago: without --received-at that does not matter.
    (result,) = run(RUN, "--campaign", "thang-3-2020")
    assert set(result) == VERDICT_KEYS
    assert result["verdict"] == "accepted"
    # The watch's own distance counts; the GPS path's sum is beside it.
    assert result["credited_m"] == result["distance_m"] == result["device_distance_m"] == 6458
    assert result["gps_distance_m"] == 6507
    assert result["reasons"] == []


def test_a_sport_the_campaign_does_not_count_is_rejected_with_its_reason(march_2020):
    march_2020.sports = ["walk"]
    march_2020.save()
    (result,) = run(RUN, "--campaign", "thang-3-2020")
    assert result["verdict"] == "rejected" and result["credited_m"] == 0
    assert said(result) == [
        {"code": "sport_not_allowed", "message": "this campaign counts walk, not run"}
    ]


def test_an_activity_before_the_campaign_opened_is_rejected(march_2020):
    (result,) = run(str(FILES / "tcxparser__test.tcx"), "--campaign", "thang-3-2020")
    assert result["verdict"] == "rejected"
    assert said(result) == [
        {
            "code": "outside_window",
            "message": "the activity started at 04:29 on 27/12/2012, "
            "before the campaign opened at 08:00 on 01/03/2020",
        }
    ]
    # What was measured, in words, times in the campaign's zone as the pages show them.
    measured = {item["name"]: item["value"] for item in result["reasons"][0]["evidence"]}
    assert measured["Started"] == "04:29 27/12/2012"
    assert measured["Campaign opens"] == "08:00 01/03/2020"
    assert measured["Campaign closes"] == "24:00 31/03/2020"


def test_a_late_arrival_is_rejected_and_a_time_without_zone_is_the_campaigns(march_2020):
    # The sync window closes 72 hours after 23:51 on 04/03, local time.
    (on_time,) = run(RUN, "--campaign", "thang-3-2020", "--received-at", "2020-03-07T23:50")
    (late,) = run(RUN, "--campaign", "thang-3-2020", "--received-at", "2020-03-10T08:00")
    assert on_time["verdict"] == "accepted"
    assert late["verdict"] == "rejected" and late["credited_m"] == 0
    assert said(late) == [
        {
            "code": "late_sync",
            "message": "it reached us at 08:00 on 10/03/2020, 128 hours after it ended; "
            "the limit is 72 hours",
        }
    ]


def test_a_received_at_with_its_own_zone_keeps_it(march_2020):
    (result,) = run(RUN, "--campaign", "thang-3-2020", "--received-at", "2020-03-10T01:00:00Z")
    assert result["reasons"][0]["message"].startswith("it reached us at 08:00 on 10/03/2020")


def test_a_file_that_cannot_be_read_is_rejected_as_malformed(march_2020, tmp_path):
    bad = tmp_path / "bad.gpx"
    bad.write_bytes(b"<gpx><trk>")
    (result,) = run(str(bad), "--campaign", "thang-3-2020")
    assert set(result) == VERDICT_KEYS
    assert result["ok"] is False and result["error"] == "malformed_file"
    assert result["verdict"] == "rejected" and result["credited_m"] == 0
    assert said(result) == [
        {
            "code": "malformed_file",
            "message": "the file could not be read: "
            "The file is damaged or not a valid activity file.",
        }
    ]


def test_an_unknown_campaign_slug_is_an_error(db):
    with pytest.raises(CommandError, match="There is no campaign with the slug no-such-walk"):
        run(RUN, "--campaign", "no-such-walk")


def test_a_received_at_that_is_not_a_date_is_an_error(march_2020):
    with pytest.raises(CommandError, match="not an ISO 8601 date"):
        run(RUN, "--campaign", "thang-3-2020", "--received-at", "yesterday")


def test_a_file_without_a_sport_gets_one_guessed_from_its_pace():
    # No <type> in the file; 4:13/km moving is a run.
    (result,) = run(str(FILES / "mapbox-togeojson__run.gpx"))
    assert result["sport"] == "run"


def test_the_readable_line_ends_with_the_verdict(march_2020):
    out = io.StringIO()
    call_command(
        "analyse_activity", RUN, "--campaign", "thang-3-2020", "--language", "en", stdout=out
    )
    first, *notes = out.getvalue().strip().splitlines()
    assert first.endswith("→ accepted, 6458 m")
    assert notes == [
        "  50 of 2197 points had no GPS position (some devices write 0° 0° then); they count "
        "for time, not for distance."
    ]
