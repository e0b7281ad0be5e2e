"""/api/v1/activities…: recording apps and scripts upload files with a personal
token and get each activity with its verdicts back, through the same pipeline."""

import gzip
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from activities import api as activities_api
from activities import pipeline
from activities.models import Activity, Upload, Verdict
from activities.synthetic import gpx_track
from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from kindsteps.testing.clock import NOW


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(tree, participant):
    """Open since yesterday; the participant registered two days ago."""
    campaign = CampaignFactory(organiser_unit=tree["LA"], slug="tet-walk")
    RegistrationFactory(campaign=campaign, user=participant, registered_at=NOW - timedelta(days=2))
    return campaign


def this_morning_run(km=5.0, pace=360) -> bytes:
    return gpx_track(NOW - timedelta(hours=3), km, pace, sport="running")


def test_a_file_sent_as_the_body_comes_back_judged(client, bearer, campaign):
    response = client.post(
        "/api/v1/activities?filename=morning.gpx",
        this_morning_run(),
        content_type="application/gpx+xml",
        **bearer,
    )

    assert response.status_code == 201, response.content
    [upload] = response.json()
    assert upload["status"] == "done"
    [file] = upload["files"]
    assert (file["name"], file["ok"], file["error"]) == ("morning.gpx", True, None)
    [activity] = file["activities"]
    assert activity["sport"] == "run"
    assert abs(activity["distance_m"] - 5000) < 50
    assert len(activity["splits_s"]) == 4
    [verdict] = activity["verdicts"]
    assert verdict == {
        "id": Verdict.objects.get().pk,
        "campaign": "tet-walk",
        "status": "accepted",
        "credited_m": activity["distance_m"],
        "reasons": [],
        "decision_note": "",
        "complaint": None,
    }
    assert Activity.objects.get().source == "api"


def test_multipart_files_each_get_their_own_result(client, bearer, campaign):
    files = [
        SimpleUploadedFile("run.gpx.gz", gzip.compress(this_morning_run())),
        SimpleUploadedFile("broken.gpx", b"<gpx><trk>"),
    ]
    response = client.post("/api/v1/activities", {"file": files}, **bearer)

    assert response.status_code == 201
    results = {u["files"][0]["name"]: u["files"][0] for u in response.json()}
    assert results["run.gpx.gz"]["ok"]
    assert results["broken.gpx"]["error"] == "malformed_file"
    assert results["broken.gpx"]["message"] == "Tệp bị hỏng hoặc không phải tệp hoạt động hợp lệ."


def test_reasons_come_in_the_language_asked_for(client, bearer, campaign, participant):
    participant.preferred_language = "en"
    participant.save()
    too_fast = this_morning_run(km=3, pace=170)
    response = client.post(
        "/api/v1/activities?filename=fast.gpx",
        too_fast,
        content_type="application/octet-stream",
        HTTP_COOKIE="kindsteps_language=en",
        **bearer,
    )
    verdict = response.json()[0]["files"][0]["activities"][0]["verdicts"][0]
    assert verdict["status"] == "rejected"
    reason = next(r for r in verdict["reasons"] if r["code"] == "pace_too_fast")
    assert "2:50" in reason["message"] and "faster" in reason["message"]
    # The evidence comes in words, with the screens' units, not as the stored dict.
    assert reason["label"] == "Pace too fast"
    measured = {item["name"]: item["value"] for item in reason["evidence"]}
    assert measured["Average pace"] == "2:50/km"
    assert measured["Fastest pace allowed"] == "4:00/km"
    assert measured["Distance"] == "2.99 km"


def test_a_big_upload_is_queued_and_can_be_followed(client, bearer, campaign, monkeypatch):
    monkeypatch.setattr(activities_api, "INLINE_BYTES", 100)
    response = client.post(
        "/api/v1/activities?filename=long.gpx",
        this_morning_run(),
        content_type="application/octet-stream",
        **bearer,
    )
    assert response.status_code == 202
    upload_id = response.json()[0]["id"]

    # The job runs after the commit (at once in tests); the upload then tells its result.
    followed = client.get(f"/api/v1/uploads/{upload_id}", **bearer).json()
    assert followed["status"] in ("pending", "done")
    pipeline.process_upload(upload_id)
    followed = client.get(f"/api/v1/uploads/{upload_id}", **bearer).json()
    assert followed["status"] == "done"
    assert followed["files"][0]["activities"][0]["verdicts"][0]["status"] == "accepted"


def test_an_upload_over_the_limit_is_refused_with_413(client, bearer, monkeypatch, db):
    monkeypatch.setattr(pipeline, "MAX_UPLOAD_BYTES", 1000)
    response = client.post(
        "/api/v1/activities", b"x" * 2000, content_type="application/octet-stream", **bearer
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert Upload.objects.count() == 0


def test_without_a_token_nothing_is_received(client, db):
    response = client.post(
        "/api/v1/activities", this_morning_run(), content_type="application/octet-stream"
    )
    assert response.status_code == 401
    assert Upload.objects.count() == 0


def test_people_see_only_their_own_uploads_and_activities(client, bearer, campaign, user_factory):
    other = user_factory("other@example.com")
    theirs = pipeline.receive(other, this_morning_run(), "theirs.gpx", process=False)
    pipeline.process_upload(theirs.pk)
    activity = Activity.objects.get(user=other)

    assert client.get(f"/api/v1/uploads/{theirs.pk}", **bearer).status_code == 404
    assert client.get(f"/api/v1/activities/{activity.pk}", **bearer).status_code == 404
    assert client.get("/api/v1/activities", **bearer).json() == {"items": [], "count": 0}


def test_manual_entry_needs_a_campaign_that_allows_it(client, bearer, campaign):
    body = {
        "sport": "walk",
        "start": (NOW - timedelta(hours=2)).isoformat(),
        "duration_s": 3600,
        "distance_m": 5000,
    }
    refused = client.post(
        "/api/v1/activities/manual", json.dumps(body), content_type="application/json", **bearer
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "manual_not_allowed"

    campaign.rules = {"allow_manual": True}
    campaign.save()
    accepted = client.post(
        "/api/v1/activities/manual", json.dumps(body), content_type="application/json", **bearer
    )
    assert accepted.status_code == 201
    assert accepted.json()["verdicts"][0]["status"] == "accepted"


def test_a_rejected_activity_can_be_complained_about_once(client, bearer, campaign):
    client.post(
        "/api/v1/activities?filename=fast.gpx",
        this_morning_run(km=3, pace=170),
        content_type="application/octet-stream",
        **bearer,
    )
    verdict = Verdict.objects.get()
    body = json.dumps({"text": "Tôi chạy thật, đồng hồ bị lỗi GPS ở đoạn cầu."})
    url = f"/api/v1/verdicts/{verdict.pk}/complaint"

    first = client.post(url, body, content_type="application/json", **bearer)
    second = client.post(url, body, content_type="application/json", **bearer)

    assert first.status_code == 201 and first.json()["status"] == "open"
    assert second.status_code == 400 and second.json()["code"] == "already_complained"
    listed = client.get("/api/v1/activities", **bearer).json()["items"][0]
    assert listed["verdicts"][0]["complaint"] == "open"


def test_deleting_an_activity_keeps_its_original(client, bearer, campaign):
    client.post(
        "/api/v1/activities?filename=a.gpx",
        this_morning_run(),
        content_type="application/octet-stream",
        **bearer,
    )
    activity = Activity.objects.get()
    assert client.delete(f"/api/v1/activities/{activity.pk}", **bearer).status_code == 204
    assert Activity.objects.count() == 0
    assert Upload.objects.get().stored_file.content.size > 0


def test_every_activity_endpoint_is_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/activities",
        "/api/v1/activities/manual",
        "/api/v1/activities/{activity_id}",
        "/api/v1/uploads/{upload_id}",
        "/api/v1/verdicts/{verdict_id}/complaint",
    ):
        assert path in paths
    upload = paths["/api/v1/activities"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert set(upload["responses"]) >= {"201", "202", "413"}
