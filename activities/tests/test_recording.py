"""Browser recordings: the upload format is read and validated like any file, a
client-generated id makes a retried upload the same activity, pauses and standing
still add no distance, and the recorder's pages (page, manifest, service worker,
result) show only the person's own things."""

import json
import uuid
from datetime import timedelta

import pytest

from activities import judging, parsers, pipeline
from activities.models import Activity, Source, Upload, UploadStatus
from activities.parsers import ParseError, recording
from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from kindsteps.testing.clock import NOW

# One degree of latitude is about 110.6 km here (Hà Nội).
LAT0, LON0 = 21.0285, 105.8542
M_PER_DEG_LAT = 110_750.0


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(tree, participant):
    campaign = CampaignFactory(organiser_unit=tree["LA"], slug="tet-walk", title_vi="Đi bộ Tết")
    RegistrationFactory(campaign=campaign, user=participant, registered_at=NOW - timedelta(days=2))
    return campaign


def northward(start_ms: int, metres: float, *, step_m=10.0, step_s=5.0, acc=5.0, lat=LAT0):
    """Points walking north from `lat`, one every `step_m` metres and `step_s` seconds."""
    n = int(metres // step_m)
    return [
        [int(start_ms + i * step_s * 1000), lat + i * step_m / M_PER_DEG_LAT, LON0, acc, 12.0]
        for i in range(n + 1)
    ]


def make_recording(segments, *, sport="walk", rid=None, **extra) -> dict:
    return {
        "format": "kindsteps-recording",
        "version": 1,
        "id": rid or str(uuid.uuid4()),
        "sport": sport,
        "segments": segments,
        **extra,
    }


def encode(doc: dict) -> bytes:
    return json.dumps(doc).encode()


def hours_ago(hours: float) -> int:
    return int((NOW - timedelta(hours=hours)).timestamp() * 1000)


def post(client, doc):
    return client.post(
        "/api/v1/activities/recording", json.dumps(doc), content_type="application/json"
    )


# --- the format ---------------------------------------------------------------


def test_json_is_detected_as_a_recording_from_its_content():
    assert parsers.detect_format(b'\n  {"format": "kindsteps-recording"}') == "recording"


def test_it_reads_a_recording_into_one_track_with_its_sport_and_segments():
    start = hours_ago(2)
    first = northward(start, 500)
    second = northward(start + 600_000, 500, lat=first[-1][1] + 0.001)
    [track] = parsers.parse(encode(make_recording([first, second], sport="run")))

    assert track.sport == "run"
    assert track.source_format == "recording"
    assert track.device == recording.DEVICE
    assert set(track.segment.tolist()) == {0, 1}
    assert track.ele[0] == 12.0


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda d: d.update(format="gpx"), "unknown_format"),
        (lambda d: d.update(version=2), "malformed_file"),
        (lambda d: d.update(id="not-a-uuid"), "malformed_file"),
        (lambda d: d.update(sport="cycling"), "malformed_file"),
        (lambda d: d.update(segments={"a": 1}), "malformed_file"),
        (lambda d: d.update(segments=[]), "no_points"),
        (lambda d: d["segments"][0].reverse(), "malformed_file"),
        (lambda d: d["segments"][0][3].__setitem__(1, 95.0), "malformed_file"),
        (lambda d: d["segments"][0][3].__setitem__(1, "21.0"), "malformed_file"),
        (lambda d: d["segments"][0][3].__setitem__(3, -1), "malformed_file"),
        (lambda d: d["segments"][0].append([1]), "malformed_file"),
        (
            lambda d: d["segments"][0].insert(0, [d["segments"][0][0][0] - 1, 0.0, 0.0, 5]),
            "malformed_file",
        ),
        (lambda d: d["segments"][0].append([hours_ago(-1), LAT0, LON0, 5]), "no_timestamps"),
        (lambda d: d["segments"][0].insert(0, [0, LAT0, LON0, 5]), "no_timestamps"),
    ],
    ids=[
        "other-format",
        "newer-version",
        "bad-id",
        "other-sport",
        "segments-not-lists",
        "no-points",
        "out-of-order",
        "latitude-beyond-pole",
        "latitude-as-text",
        "negative-accuracy",
        "short-point",
        "null-island",
        "in-the-future",
        "before-2000",
    ],
)
def test_it_refuses_a_recording_that_is_not_plausible(mutate, code):
    doc = make_recording([northward(hours_ago(2), 200)])
    mutate(doc)
    with pytest.raises(ParseError) as error:
        parsers.parse(encode(doc))
    assert error.value.code == code


def test_it_refuses_what_is_not_json():
    with pytest.raises(ParseError) as error:
        parsers.parse(b'{"format": "kindsteps-recording", ')
    assert error.value.code == "malformed_file"


def test_readings_worse_than_the_accuracy_limit_are_dropped():
    points = northward(hours_ago(2), 300)
    for point in points[5:10]:
        point[3] = recording.MAX_ACCURACY_M + 1
    [track] = parsers.parse(encode(make_recording([points])))
    assert len(track) == len(points) - 5


def test_a_recording_with_only_inaccurate_readings_has_no_points():
    points = northward(hours_ago(2), 100, acc=80)
    with pytest.raises(ParseError) as error:
        parsers.parse(encode(make_recording([points])))
    assert error.value.code == "no_points"


# --- distance and time ----------------------------------------------------------


def test_standing_still_adds_neither_distance_nor_moving_time():
    start = hours_ago(2)
    walk = northward(start, 1000)
    t_end, lat_end = walk[-1][0], walk[-1][1]
    # Five minutes at a red light: GPS jitter of a few metres around one spot.
    jitter = [
        [t_end + i * 1000, lat_end + ((-1) ** i) * 3 / M_PER_DEG_LAT, LON0 + (i % 3) * 2e-5, 5.0]
        for i in range(1, 301)
    ]
    more = northward(jitter[-1][0] + 5000, 1000, lat=lat_end + 10 / M_PER_DEG_LAT)
    [track] = parsers.parse(encode(make_recording([walk + jitter + more])))
    fields = pipeline.activity_fields(track, "walk")

    assert abs(fields["distance_m"] - 2010) < 20
    # Two 1 km walks of 500 s each, five minutes standing between them.
    assert fields["elapsed_s"] >= 1300
    assert abs(fields["moving_s"] - 1000) <= 10


def test_a_pause_adds_no_distance_even_when_the_person_moved_meanwhile():
    start = hours_ago(2)
    before = northward(start, 1000)
    # Paused for ten minutes and carried 3 km north (a bus ride) before resuming.
    after = northward(before[-1][0] + 600_000, 1000, lat=before[-1][1] + 0.03)
    [track] = parsers.parse(encode(make_recording([before, after])))
    fields = pipeline.activity_fields(track, "walk")

    assert abs(fields["distance_m"] - 2000) < 20
    assert abs(fields["moving_s"] - 1000) <= 5
    assert fields["elapsed_s"] >= 1600


# --- the API ----------------------------------------------------------------------


def test_a_recording_comes_back_as_a_judged_browser_activity(client, participant, campaign):
    client.force_login(participant)
    doc = make_recording([northward(hours_ago(2), 2000)])

    response = post(client, doc)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "browser"
    assert body["sport"] == "walk"
    assert abs(body["distance_m"] - 2000) < 20
    [verdict] = body["verdicts"]
    assert (verdict["campaign"], verdict["status"]) == ("tet-walk", "accepted")
    activity = Activity.objects.get()
    assert activity.external_id == f"browser:{doc['id']}#0"
    assert activity.upload.source == Source.BROWSER
    with activity.upload.stored_file.content.open("rb") as fh:
        assert json.loads(fh.read()) == doc


def test_a_retried_recording_even_with_more_points_is_one_activity(client, participant, campaign):
    client.force_login(participant)
    points = northward(hours_ago(2), 2000)
    rid = str(uuid.uuid4())

    first = post(client, make_recording([points[:100]], rid=rid))
    again = post(client, make_recording([points[:100]], rid=rid))
    longer = post(client, make_recording([points], rid=rid.upper()))

    assert first.status_code == 201
    assert again.status_code == longer.status_code == 200
    assert first.json()["id"] == again.json()["id"] == longer.json()["id"]
    assert Activity.objects.count() == 1


def test_processing_a_recording_twice_keeps_one_activity(participant, campaign):
    doc = make_recording([northward(hours_ago(2), 500)])
    upload = pipeline.receive(participant, encode(doc), source=Source.BROWSER, process=False)
    pipeline.process_upload(upload.pk)
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    pipeline.process_upload(upload.pk)

    assert Activity.objects.count() == 1


def test_a_campaign_with_its_own_track_limits_reads_the_recording_again(participant, campaign):
    activity, _created = pipeline.receive_recording(
        participant, encode(make_recording([northward(hours_ago(2), 500)]))
    )
    track = judging.load_track(activity)
    assert track is not None and track.source_format == "recording"


def test_another_person_cannot_send_the_same_recording_id(client, participant, member, campaign):
    doc = make_recording([northward(hours_ago(2), 500)])
    client.force_login(participant)
    assert post(client, doc).status_code == 201
    client.force_login(member)

    response = post(client, doc)

    assert response.status_code == 409
    assert response.json()["code"] == "already_uploaded_by_other"
    assert Activity.objects.count() == 1


def test_a_refused_recording_says_why_in_words_and_is_kept(client, participant, campaign):
    client.force_login(participant)
    points = northward(hours_ago(2), 200)
    points.reverse()

    response = post(client, make_recording([points]))

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_file"
    assert "thứ tự" in response.json()["detail"] or "order" in response.json()["detail"]
    assert Upload.objects.get().status == UploadStatus.FAILED
    assert not Activity.objects.exists()


def test_a_recording_cannot_be_back_dated_beyond_the_sync_window(client, participant, campaign):
    campaign.starts_at = NOW - timedelta(days=10)
    campaign.save()
    campaign.registrations.update(registered_at=NOW - timedelta(days=9))
    client.force_login(participant)

    response = post(client, make_recording([northward(hours_ago(24 * 5), 2000)]))

    assert response.status_code == 201
    [verdict] = response.json()["verdicts"]
    assert verdict["status"] == "rejected"
    assert "late_sync" in [reason["code"] for reason in verdict["reasons"]]


def test_sending_a_recording_needs_a_login(client):
    response = post(client, make_recording([northward(hours_ago(2), 200)]))
    assert response.status_code == 401


# --- the pages ---------------------------------------------------------------------


def test_the_recorder_page_asks_for_a_login(client):
    response = client.get("/activities/record/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_recorder_page_carries_its_settings_and_words(client, participant, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    client.force_login(participant)

    response = client.get("/activities/record/")

    assert response.status_code == 200
    config = response.context["recorder_config"]
    assert config["upload_url"] == "/api/v1/activities/recording"
    assert config["tiles"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert config["max_accuracy_m"] == recording.MAX_ACCURACY_M
    html = response.content.decode()
    assert 'id="recorder-texts"' in html
    assert 'rel="manifest"' in html
    assert "Bắt đầu" in html or "Start" in html


def test_the_manifest_makes_the_recorder_installable(client):
    response = client.get("/activities/record/manifest.webmanifest")

    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == "/activities/record/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#c8102e"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}


def test_the_service_worker_keeps_the_page_and_its_files(client):
    response = client.get("/activities/record/sw.js")

    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    assert "const PRECACHE = ['/activities/record/', '/static/" in body
    assert "/static/activities/recorder.js" in body
    assert "/static/vendor/leaflet/leaflet.js" in body


def test_the_result_shows_each_verdict_and_the_new_total(client, participant, campaign):
    activity, _created = pipeline.receive_recording(
        participant, encode(make_recording([northward(hours_ago(2), 2000)]))
    )
    client.force_login(participant)

    response = client.get(f"/activities/record/result/{activity.pk}/")

    html = response.content.decode()
    assert "Đi bộ Tết" in html
    assert "verdict-accepted" in html
    assert "data-total" in html and "2,0" in html


def test_nobody_else_sees_a_recordings_result(client, participant, outsider, campaign):
    activity, _created = pipeline.receive_recording(
        participant, encode(make_recording([northward(hours_ago(2), 500)]))
    )
    client.force_login(outsider)
    assert client.get(f"/activities/record/result/{activity.pk}/").status_code == 404
