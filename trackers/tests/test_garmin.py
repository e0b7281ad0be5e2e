"""Garmin Connect connected: the OAuth 2.0 PKCE round trip, the notifications (file pings,
summary pushes, deregistrations, permission changes), the FIT file through the same
pipeline, tokens and what disconnecting leaves. Garmin is mocked at the HTTP boundary
only (`responses`), with the shapes of the public evidence: each is cited in
trackers/tests/garmin_payloads.py (Garmin's partner documents are not public)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from django.urls import reverse

from activities.models import Activity, Verdict, VerdictStatus
from core.models import Notice
from kindsteps.testing.clock import NOW
from trackers import garmin, garmin_services, services
from trackers.crypto import seal, unseal
from trackers.models import (
    Connection,
    ConnectionStatus,
    TrackedActivity,
    TrackedState,
    WebhookEvent,
)
from trackers.tests import garmin_payloads as gp

START = NOW - timedelta(hours=3)


@pytest.fixture(autouse=True)
def garmin_settings(settings):
    settings.GARMIN_CLIENT_ID = gp.CLIENT_ID
    settings.GARMIN_CLIENT_SECRET = "garmin-secret"
    return settings


@pytest.fixture
def connection(participant):
    return Connection.objects.create(
        user=participant,
        provider="garmin",
        account_id=gp.USER_ID,
        scopes="ACTIVITY_EXPORT,HEALTH_EXPORT",
        access_token=seal("garmin-live"),
        refresh_token=seal("garmin-refresh"),
        expires_at=NOW + timedelta(hours=20),
        connected_at=NOW - timedelta(days=1),
    )


def near(moment, expected, seconds=60):
    """The suite's clock moves on a little during a test."""
    return abs((moment - expected).total_seconds()) <= seconds


def notify(client, payload, headers=gp.HEADERS):
    return client.post(
        reverse("trackers:garmin_notifications"),
        json.dumps(payload),
        content_type="application/json",
        headers=headers,
    )


def garmin_has_file(activity_id, start=START, token="AAAAAGk4RnlcJ3B1", status=200):
    responses.get(
        gp.file_url(activity_id, token),
        body=gp.walk_fit(start) if status == 200 else b'{"errorMessage":"gone"}',
        status=status,
        content_type="application/octet-stream",
    )


def test_nothing_of_garmin_shows_when_it_is_not_configured(client, participant, settings):
    settings.GARMIN_CLIENT_ID = settings.GARMIN_CLIENT_SECRET = ""
    client.force_login(participant)

    page = client.get(reverse("trackers:connections")).content.decode()
    profile = client.get(reverse("profile")).content.decode()

    assert "Garmin" not in page and "Garmin" not in profile
    assert client.post(reverse("trackers:garmin_connect")).status_code == 404
    assert notify(client, gp.deregistration()).status_code == 404


def test_garmin_alone_is_enough_for_the_page_and_the_profile_link(client, participant, settings):
    settings.STRAVA_CLIENT_ID = settings.STRAVA_CLIENT_SECRET = ""
    client.force_login(participant)

    page = client.get(reverse("trackers:connections")).content.decode()
    profile = client.get(reverse("profile")).content.decode()

    assert 'id="connect-garmin"' in page and 'id="strava"' not in page
    assert reverse("trackers:connections") in profile


def test_connect_sends_the_participant_to_garmin_with_a_pkce_challenge(client, participant):
    client.force_login(participant)

    answer = client.post(reverse("trackers:garmin_connect"))

    assert answer.status_code == 302
    assert answer["Location"].startswith(gp.AUTHORIZE + "?")
    query = parse_qs(urlparse(answer["Location"]).query)
    assert query["client_id"] == [gp.CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"][0].endswith("/trackers/garmin/callback/")
    verifier = client.session["trackers.garmin.pkce"]["verifier"]
    assert 43 <= len(verifier) <= 128
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert query["code_challenge"] == [expected.decode()]


@responses.activate
def test_coming_back_from_garmin_stores_the_tokens_encrypted_and_asks_for_the_window(
    client, participant, campaign, django_capture_on_commit_callbacks
):
    client.force_login(participant)
    location = client.post(reverse("trackers:garmin_connect"))["Location"]
    state = parse_qs(urlparse(location).query)["state"][0]
    verifier = client.session["trackers.garmin.pkce"]["verifier"]
    responses.post(gp.TOKEN, json=gp.token_response())
    responses.get(f"{gp.API}/wellness-api/rest/user/id", json={"userId": gp.USER_ID})
    responses.get(f"{gp.API}/wellness-api/rest/user/permissions", json=gp.permissions())
    responses.get(f"{gp.API}/wellness-api/rest/backfill/activities", status=202)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(
            reverse("trackers:garmin_callback"), {"state": state, "code": "auth-code"}, follow=True
        ).content.decode()

    connection = Connection.objects.get(user=participant, provider="garmin")
    assert connection.account_id == gp.USER_ID and connection.is_active
    assert "garmin-access" not in connection.access_token
    assert unseal(connection.access_token) == "garmin-access"
    assert unseal(connection.refresh_token) == "garmin-refresh"
    assert near(connection.expires_at, NOW + timedelta(seconds=86399))
    token_request = parse_qs(responses.calls[0].request.body)
    assert token_request["grant_type"] == ["authorization_code"]
    assert token_request["code_verifier"] == [verifier]
    assert token_request["client_secret"] == ["garmin-secret"]
    # The campaign window (since registration, four days ago) is asked for again.
    backfill = parse_qs(urlparse(responses.calls[3].request.url).query)
    registered = campaign.registrations.get(user=participant).registered_at
    assert backfill["summaryStartTimeInSeconds"] == [str(int(registered.timestamp()))]
    assert near(datetime.fromtimestamp(int(backfill["summaryEndTimeInSeconds"][0]), UTC), NOW)
    assert responses.calls[3].request.headers["Authorization"] == "Bearer garmin-access"
    assert 'id="connect-garmin"' not in page


@responses.activate
def test_not_sharing_activities_on_garmin_connects_nothing(client, participant):
    client.force_login(participant)
    location = client.post(reverse("trackers:garmin_connect"))["Location"]
    state = parse_qs(urlparse(location).query)["state"][0]
    responses.post(gp.TOKEN, json=gp.token_response())
    responses.get(f"{gp.API}/wellness-api/rest/user/id", json={"userId": gp.USER_ID})
    responses.get(
        f"{gp.API}/wellness-api/rest/user/permissions", json=gp.permissions("HEALTH_EXPORT")
    )

    client.get(reverse("trackers:garmin_callback"), {"state": state, "code": "auth-code"})

    assert not Connection.objects.filter(provider="garmin").exists()


def test_a_callback_with_another_state_connects_nothing(client, participant):
    client.force_login(participant)
    client.post(reverse("trackers:garmin_connect"))

    client.get(reverse("trackers:garmin_callback"), {"state": "forged", "code": "x"})

    assert not Connection.objects.filter(provider="garmin").exists()


@responses.activate
def test_a_file_ping_brings_the_walk_onto_the_board(
    client, participant, campaign, connection, django_capture_on_commit_callbacks
):
    garmin_has_file(21001)

    with django_capture_on_commit_callbacks(execute=True):
        answer = notify(client, gp.activity_file_ping(21001, START))

    assert answer.status_code == 200
    tracked = TrackedActivity.objects.get(provider="garmin")
    assert tracked.state == TrackedState.IMPORTED
    assert tracked.activity.source == garmin.SOURCE == "garmin"
    verdict = Verdict.objects.get(activity=tracked.activity)
    assert verdict.status == VerdictStatus.ACCEPTED
    assert 2950 <= verdict.credited_m <= 3050
    board = client.get(reverse("standings:board", args=[campaign.slug])).content.decode()
    assert "Lê Minh Anh" in board
    notice = Notice.objects.get(user=participant)
    assert notice.url == reverse("activities:detail", args=[tracked.activity.pk])
    assert "Garmin" in notice.title or "Garmin" in str(notice.params)
    # The file was fetched once, from its callback URL, with the participant's token.
    assert len(responses.calls) == 1
    assert responses.calls[0].request.headers["Authorization"] == "Bearer garmin-live"


def test_a_ping_is_acknowledged_before_anything_is_fetched(client, connection):
    # No HTTP mock is active: a call to Garmin during the request would fail the test.
    answer = notify(client, gp.activity_file_ping(21002, START))

    assert answer.status_code == 200
    event = WebhookEvent.objects.get(provider="garmin")
    assert event.processed_at is None
    assert gp.file_url(21002) not in json.dumps(event.updates)  # the link is sealed


@responses.activate
def test_repeated_and_late_notifications_change_nothing(
    client, participant, campaign, connection, django_capture_on_commit_callbacks
):
    garmin_has_file(21003)
    with django_capture_on_commit_callbacks(execute=True):
        notify(client, gp.activity_file_ping(21003, START))
    with django_capture_on_commit_callbacks(execute=True):
        again = notify(client, gp.activity_file_ping(21003, START))
        renewed = notify(client, gp.activity_file_ping(21003, START, token="NEWTOKEN"))
        late = notify(client, gp.activities_push(21003, START, activity_type="CYCLING"))

    assert again.status_code == renewed.status_code == late.status_code == 200
    assert Activity.objects.count() == 1
    tracked = TrackedActivity.objects.get(provider="garmin")
    assert tracked.state == TrackedState.IMPORTED
    assert tracked.activity.sport == "walk"
    assert len(responses.calls) == 1  # downloaded once


@responses.activate
def test_a_pushed_ride_is_not_brought_in_and_its_file_is_not_fetched(
    client, participant, campaign, connection, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(client, gp.activities_push(21004, START, activity_type="CYCLING"))
        notify(client, gp.activity_file_ping(21004, START, activity_type="CYCLING"))

    tracked = TrackedActivity.objects.get(provider="garmin")
    assert (tracked.state, tracked.reason) == (TrackedState.SKIPPED, "not_walk_or_run")
    assert not responses.calls
    assert not Activity.objects.exists()


@responses.activate
def test_a_pushed_summary_waits_for_its_file(
    client, participant, campaign, connection, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(client, gp.activities_push(21005, START))
    tracked = TrackedActivity.objects.get(provider="garmin")
    assert tracked.state == TrackedState.PENDING and tracked.name == "Đi bộ Cần Đước"
    assert tracked.reached_provider_at == START.replace(microsecond=0) + timedelta(seconds=2160)

    garmin_has_file(21005)
    with django_capture_on_commit_callbacks(execute=True):
        notify(client, gp.activity_file_ping(21005, START))

    tracked.refresh_from_db()
    assert tracked.state == TrackedState.IMPORTED


def test_a_ping_pointing_away_from_garmin_is_not_followed(
    client, participant, campaign, connection, django_capture_on_commit_callbacks
):
    ping = gp.activity_file_ping(21006, START, callback="https://collector.example/steal?id=1")

    with django_capture_on_commit_callbacks(execute=True):
        notify(client, ping)  # no HTTP mock: following the link would fail the test

    tracked = TrackedActivity.objects.get(provider="garmin")
    assert (tracked.state, tracked.reason) == (TrackedState.FAILED, "file_gone")


@responses.activate
def test_a_file_garmin_no_longer_offers_is_shown_with_why(
    client, participant, campaign, connection, django_capture_on_commit_callbacks
):
    garmin_has_file(21007, status=410)

    with django_capture_on_commit_callbacks(execute=True):
        notify(client, gp.activity_file_ping(21007, START))

    tracked = TrackedActivity.objects.get(provider="garmin")
    assert (tracked.state, tracked.reason) == (TrackedState.FAILED, "file_gone")
    client.force_login(participant)
    page = client.get(reverse("trackers:connections")).content.decode()
    assert 'id="garmin-activities"' in page


def test_notifications_for_another_application_are_refused(client, connection):
    answer = notify(client, gp.deregistration(), headers={"garmin-client-id": "someone-else"})

    assert answer.status_code == 403
    assert not WebhookEvent.objects.exists()


def test_a_body_that_is_not_a_notification_is_refused(client, connection):
    answer = client.post(
        reverse("trackers:garmin_notifications"), "[1, 2]", content_type="application/json"
    )
    assert answer.status_code == 400


@responses.activate
def test_a_deregistration_deletes_tokens_and_garmin_details_once_garmin_confirms(
    client, participant, campaign, connection, django_capture_on_commit_callbacks
):
    garmin_has_file(21008)
    with django_capture_on_commit_callbacks(execute=True):
        notify(client, gp.activity_file_ping(21008, START))
    responses.get(f"{gp.API}/wellness-api/rest/user/id", status=401)

    with django_capture_on_commit_callbacks(execute=True):
        notify(client, gp.deregistration())
        # Pings after the deregistration bring nothing.
        notify(client, gp.activity_file_ping(21009, START))

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert connection.access_token == connection.refresh_token == ""
    assert connection.last_error == "deauthorized"
    activity = Activity.objects.get()
    assert activity.track == [] and activity.upload is None
    assert Verdict.objects.get().status == VerdictStatus.ACCEPTED  # KindSteps' own verdict
    assert not TrackedActivity.objects.filter(external_id="21009").exists()


@responses.activate
def test_a_deregistration_garmin_does_not_confirm_changes_nothing(
    client, connection, django_capture_on_commit_callbacks
):
    responses.get(f"{gp.API}/wellness-api/rest/user/id", json={"userId": gp.USER_ID})

    with django_capture_on_commit_callbacks(execute=True):
        notify(client, gp.deregistration())

    connection.refresh_from_db()
    assert connection.is_active and unseal(connection.access_token) == "garmin-live"
    assert WebhookEvent.objects.get().outcome == "still_authorised"


@responses.activate
def test_withdrawing_the_activity_permission_disconnects_with_the_reason(
    client, participant, connection, django_capture_on_commit_callbacks
):
    responses.get(
        f"{gp.API}/wellness-api/rest/user/permissions", json=gp.permissions("HEALTH_EXPORT")
    )

    with django_capture_on_commit_callbacks(execute=True):
        notify(client, gp.permissions_change("HEALTH_EXPORT"))

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert unseal(connection.access_token) == ""
    assert connection.last_error == "permission_removed"
    client.force_login(participant)
    page = client.get(reverse("trackers:connections")).content.decode()
    assert 'id="connect-garmin"' in page


@responses.activate
def test_a_permission_change_keeping_activities_only_updates_them(
    client, connection, django_capture_on_commit_callbacks
):
    responses.get(
        f"{gp.API}/wellness-api/rest/user/permissions", json=gp.permissions("ACTIVITY_EXPORT")
    )

    with django_capture_on_commit_callbacks(execute=True):
        notify(client, gp.permissions_change("ACTIVITY_EXPORT"))

    connection.refresh_from_db()
    assert connection.is_active and connection.scopes == "ACTIVITY_EXPORT"


@responses.activate
def test_disconnecting_deletes_the_registration_on_garmin(client, participant, connection):
    responses.delete(f"{gp.API}/wellness-api/rest/user/registration", status=204)
    client.force_login(participant)

    client.post(reverse("trackers:garmin_disconnect"))

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert unseal(connection.access_token) == ""
    assert responses.calls[0].request.headers["Authorization"] == "Bearer garmin-live"


@responses.activate
def test_a_token_about_to_expire_is_refreshed_first(connection):
    connection.expires_at = NOW + timedelta(minutes=20)
    connection.save()
    responses.post(gp.TOKEN, json=gp.token_response(access="fresh", refresh="fresh-refresh"))

    token = services.access_token(connection, garmin.Client())

    assert token == "fresh"
    connection.refresh_from_db()
    assert unseal(connection.refresh_token) == "fresh-refresh"
    assert near(connection.expires_at, NOW + timedelta(seconds=86399))
    body = parse_qs(responses.calls[0].request.body)
    assert body["grant_type"] == ["refresh_token"]
    assert body["refresh_token"] == ["garmin-refresh"]


@responses.activate
def test_a_refused_refresh_asks_the_participant_to_connect_again(client, participant, connection):
    connection.expires_at = NOW - timedelta(minutes=1)
    connection.save()
    responses.post(gp.TOKEN, json={"error": "invalid_grant"}, status=400)

    with pytest.raises(Exception):  # noqa: B017 - the TrackerError the job sees
        services.access_token(connection, garmin.Client())

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.BROKEN
    client.force_login(participant)
    page = client.get(reverse("trackers:connections")).content.decode()
    assert 'id="garmin-error"' in page


@responses.activate
def test_the_backfill_asks_thirty_days_at_a_time(participant, campaign, connection):
    campaign.starts_at = NOW - timedelta(days=70)
    campaign.save()
    campaign.registrations.filter(user=participant).update(registered_at=NOW - timedelta(days=70))
    responses.get(f"{gp.API}/wellness-api/rest/backfill/activities", status=202)
    responses.get(f"{gp.API}/wellness-api/rest/backfill/activities", status=409)

    requests_made = garmin_services.backfill(connection.pk, garmin.Client())

    assert requests_made == 3
    spans = [parse_qs(urlparse(call.request.url).query) for call in responses.calls]
    assert all(
        int(span["summaryEndTimeInSeconds"][0]) - int(span["summaryStartTimeInSeconds"][0])
        <= 30 * 86400
        for span in spans
    )


@responses.activate
def test_a_walk_from_before_connecting_keeps_its_own_time_for_the_72_hour_rule(
    client, participant, campaign, connection, django_capture_on_commit_callbacks
):
    early = NOW - timedelta(days=3, hours=2)
    garmin_has_file(21010, start=early)

    with django_capture_on_commit_callbacks(execute=True):
        notify(client, gp.activity_file_ping(21010, early))

    tracked = TrackedActivity.objects.get(provider="garmin")
    assert tracked.state == TrackedState.IMPORTED
    assert tracked.reached_provider_at == early.replace(microsecond=0)
    assert near(tracked.reached_us_at, NOW)
