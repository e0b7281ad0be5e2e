"""Bodies at and beyond the documented limits, through every door (docs/security.md):
an upload up to the limit is taken whatever its size next to Django's 2.5 MB for form
fields; one beyond it gets a 413 that says so, in JSON for the API and as a page for
people, before the body is read; JSON nested deeper than any document we read is a
clear 400, never a RecursionError."""

import json
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from activities import pipeline
from activities.models import Upload
from activities.synthetic import gpx_track
from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from kindsteps.testing.clock import NOW

MB = 1024 * 1024
DEEP = 100_000  # far past Python's recursion limit


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(tree, participant):
    campaign = CampaignFactory(organiser_unit=tree["LA"], slug="tet-walk")
    RegistrationFactory(campaign=campaign, user=participant, registered_at=NOW - timedelta(days=2))
    return campaign


@pytest.fixture(scope="module")
def long_walk() -> bytes:
    """A 3.7 MB GPX: a 26 km walk recorded twice a second, as a watch set to its
    finest recording does; bigger than Django's 2.5 MB DATA_UPLOAD_MAX_MEMORY_SIZE."""
    data = gpx_track(NOW - timedelta(hours=6), 26, 700, sport="walking", step_s=0.5)
    assert 3_700_000 < len(data) < 4_000_000
    return data


def _announced(size: int) -> dict[str, str]:
    """Headers announcing a body of ``size`` bytes; the test client's payload raises if
    more than the few bytes actually sent were read, so a 413 proves nothing was."""
    return {"CONTENT_LENGTH": str(size)}


# --- uploads up to the limit are taken through every door ------------------------


def test_a_37_mb_gpx_sent_as_the_api_body_is_taken_and_judged(client, bearer, campaign, long_walk):
    response = client.post(
        "/api/v1/activities?filename=long-walk.gpx",
        long_walk,
        content_type="application/gpx+xml",
        **bearer,
    )

    assert response.status_code == 201, response.content[:500]
    [upload] = response.json()
    [file] = upload["files"]
    assert file["ok"], file
    assert abs(file["activities"][0]["distance_m"] - 26_000) < 260


def test_a_raw_body_sent_as_curl_form_data_is_read_as_the_file(client, bearer, long_walk):
    """``curl --data-binary @walk.gpx`` labels the body form-urlencoded; it is still
    the file, not form fields measured against the 2.5 MB form limit."""
    response = client.post(
        "/api/v1/activities?filename=long-walk.gpx",
        long_walk,
        content_type="application/x-www-form-urlencoded",
        **bearer,
    )

    assert response.status_code == 201, response.content[:500]
    assert Upload.objects.get().stored_file.size == len(long_walk)


def test_a_37_mb_gpx_sent_as_api_multipart_is_taken(client, bearer, long_walk):
    response = client.post(
        "/api/v1/activities",
        {"file": SimpleUploadedFile("long-walk.gpx", long_walk)},
        **bearer,
    )

    assert response.status_code == 201, response.content[:500]
    assert response.json()[0]["files"][0]["ok"]


def test_a_37_mb_gpx_is_taken_by_the_upload_page(client, participant, long_walk):
    client.force_login(participant)
    response = client.post(
        "/activities/upload/",
        {"files": SimpleUploadedFile("long-walk.gpx", long_walk), "sport": ""},
    )

    assert response.status_code == 200
    assert Upload.objects.get().stored_file.size == len(long_walk)


def test_a_recording_bigger_than_the_form_limit_is_taken(client, participant, campaign):
    """A long day in the recorder: 40,000 points, about 3 MB of JSON."""
    start = int((NOW - timedelta(hours=9)).timestamp() * 1000)
    points = [
        [start + i * 500, 10.6 + i * 0.5 / 110_750, 106.67, 4.123456, 12.5] for i in range(40_000)
    ]
    doc = {
        "format": "kindsteps-recording",
        "version": 1,
        "id": str(uuid.uuid4()),
        "sport": "walk",
        "device": "x" * 200_000,
        "segments": [points],
    }
    body = json.dumps(doc)
    assert len(body) > 2.5 * MB
    client.force_login(participant)

    response = client.post("/api/v1/activities/recording", body, content_type="application/json")

    assert response.status_code == 201, response.content[:500]


# --- beyond the limit: 413, said clearly, nothing read -----------------------------


def test_an_api_body_announced_beyond_the_request_limit_gets_a_413_in_words(client, bearer):
    response = client.post(
        "/api/v1/activities?filename=huge.gpx",
        b"<gpx>",
        content_type="application/gpx+xml",
        **_announced(200 * MB + 2 * MB),
        **bearer,
    )

    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large"
    assert "Yêu cầu quá lớn" in body["detail"]
    assert "MB" in body["detail"]
    assert not Upload.objects.exists()


def test_an_api_body_beyond_the_upload_limit_gets_a_413_and_is_not_kept(
    client, bearer, monkeypatch
):
    monkeypatch.setattr(pipeline, "MAX_UPLOAD_BYTES", 3 * MB)

    response = client.post(
        "/api/v1/activities?filename=big.gpx",
        b"x" * (3 * MB + 1),
        content_type="application/octet-stream",
        **bearer,
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Upload.objects.exists()


def test_an_upload_page_request_beyond_the_limit_gets_a_413_page(client, participant):
    client.force_login(participant)

    response = client.post(
        "/activities/upload/",
        b"--x--",
        content_type="multipart/form-data; boundary=x",
        **_announced(300 * MB),
    )

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "Yêu cầu quá lớn" in response.content.decode()


def test_the_413_speaks_the_persons_language(client, bearer):
    client.cookies["kindsteps_language"] = "en"
    response = client.post(
        "/api/v1/activities/recording",
        b"{}",
        content_type="application/json",
        **_announced(250 * MB),
        **bearer,
    )

    assert response.status_code == 413
    assert response.json()["detail"].startswith("The request is too large")


def test_a_json_body_beyond_the_form_limit_gets_a_413_not_a_500(client, bearer):
    body = json.dumps({"full_name": "A" * (3 * MB)})

    response = client.patch("/api/v1/me", body, content_type="application/json", **bearer)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_momo_ipn_beyond_the_form_limit_gets_a_413_not_a_500(client):
    body = json.dumps({"orderId": "KS-1", "extraData": "x" * (3 * MB)})

    response = client.post("/payments/momo/ipn/", body, content_type="application/json")

    assert response.status_code == 413


# --- deeply nested JSON: 400 with the reason ---------------------------------------


def test_a_deeply_nested_recording_gets_a_400_with_the_reason(client, bearer):
    body = '{"format": "kindsteps-recording", "segments": ' + "[" * DEEP + "]" * DEEP + "}"

    response = client.post(
        "/api/v1/activities/recording", body, content_type="application/json", **bearer
    )

    assert response.status_code == 400
    assert "lồng nhau quá sâu" in response.json()["detail"]


def test_a_recording_nested_just_too_deep_for_the_walker_gets_a_400(client, bearer):
    """Deep enough to pass the parser but past MAX_JSON_DEPTH: refused all the same."""
    body = '{"format": "kindsteps-recording", "x": ' + "[" * 200 + "]" * 200 + "}"

    response = client.post(
        "/api/v1/activities/recording", body, content_type="application/json", **bearer
    )

    assert response.status_code == 400


def test_a_deeply_nested_momo_ipn_is_refused_with_400(client):
    body = '{"orderId": ' + "[" * DEEP + "]" * DEEP + "}"

    response = client.post("/payments/momo/ipn/", body, content_type="application/json")

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/api/v1/me"),
        ("post", "/api/v1/activities/manual"),
        ("post", "/api/v1/campaigns/tet-walk/teams"),
    ],
)
def test_a_deeply_nested_json_body_to_any_api_door_is_a_400_with_the_reason(
    client, bearer, campaign, method, path
):
    body = '{"a": ' + "[" * DEEP + "]" * DEEP + "}"

    response = getattr(client, method)(path, body, content_type="application/json", **bearer)

    assert response.status_code == 400
    assert response.json()["code"] == "json_too_deep"
