"""Strava connected: the OAuth round trip, the webhook, activities brought through the
pipeline, updates, deletions and deauthorisation, tokens and rate limits. Strava is
mocked at the HTTP boundary only (`responses`), with the shapes of its published
reference (trackers/tests/strava_payloads.py cites each page)."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from django.urls import reverse

from activities.models import Activity, Verdict, VerdictStatus
from core.models import Notice
from kindsteps.testing.clock import NOW
from trackers import services, strava
from trackers.crypto import seal, unseal
from trackers.limits import Budget, Limits, MemoryStore
from trackers.models import Connection, ConnectionStatus, TrackedActivity, TrackedState
from trackers.tests import strava_payloads as sp

START = NOW - timedelta(hours=3)
EVENT_TIME = int((START + timedelta(hours=1)).timestamp())


@pytest.fixture
def connection(participant):
    return Connection.objects.create(
        user=participant,
        provider="strava",
        account_id=str(sp.ATHLETE_ID),
        scopes="read,activity:read",
        access_token=seal("live-token"),
        refresh_token=seal("refresh-token"),
        expires_at=NOW + timedelta(hours=5),
    )


def post_event(client, payload):
    return client.post(
        reverse("trackers:strava_webhook"), json.dumps(payload), content_type="application/json"
    )


def strava_has(activity_id, start=START, **kwargs):
    detail = sp.activity(activity_id, start, **kwargs)
    responses.get(f"{sp.API}/activities/{activity_id}", json=detail, headers=sp.HEADERS)
    responses.get(
        f"{sp.API}/activities/{activity_id}/streams",
        json=sp.streams(detail["distance"], detail["elapsed_time"]),
        headers=sp.HEADERS,
    )


def test_connect_sends_the_participant_to_strava_with_the_scopes_they_chose(client, participant):
    client.force_login(participant)

    public = client.post(reverse("trackers:strava_connect"))
    private = client.post(reverse("trackers:strava_connect"), {"private": "1"})

    for answer in (public, private):
        assert answer.status_code == 302
        assert answer["Location"].startswith("https://www.strava.com/oauth/authorize?")
    public_query = parse_qs(urlparse(public["Location"]).query)
    assert public_query["scope"] == ["read,activity:read"]
    assert public_query["client_id"] == ["12345"]
    assert public_query["redirect_uri"][0].endswith("/trackers/strava/callback/")
    assert parse_qs(urlparse(private["Location"]).query)["scope"] == [
        "read,activity:read,activity:read_all"
    ]


@responses.activate
def test_coming_back_from_strava_stores_the_tokens_encrypted(client, participant, campaign):
    client.force_login(participant)
    location = client.post(reverse("trackers:strava_connect"))["Location"]
    state = parse_qs(urlparse(location).query)["state"][0]
    expires = int((NOW + timedelta(hours=6)).timestamp())
    responses.post(
        f"{sp.OAUTH}/token", json=sp.token_response(expires_at=expires), headers=sp.HEADERS
    )
    responses.get(f"{sp.API}/athlete/activities", json=[], headers=sp.HEADERS)

    answer = client.get(
        reverse("trackers:strava_callback"),
        {"state": state, "code": "auth-code", "scope": "read,activity:read"},
        follow=True,
    )

    connection = Connection.objects.get(user=participant)
    assert connection.account_id == str(sp.ATHLETE_ID)
    assert connection.status == ConnectionStatus.ACTIVE
    assert "a4b945687g" not in connection.access_token  # not in clear
    assert unseal(connection.access_token) == "a4b945687g"
    assert unseal(connection.refresh_token) == "e5n567567"
    assert b"Powered by Strava" in answer.content or "Strava" in answer.content.decode()
    assert "code=auth-code" in responses.calls[0].request.body


def test_a_callback_with_another_state_connects_nothing(client, participant):
    client.force_login(participant)
    client.post(reverse("trackers:strava_connect"))

    client.get(reverse("trackers:strava_callback"), {"state": "forged", "code": "x"})

    assert not Connection.objects.exists()


def test_the_subscription_check_echoes_the_challenge_only_with_our_verify_token(client):
    url = reverse("trackers:strava_webhook")
    ok = client.get(
        url, {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "15f7d1a9"}
    )
    wrong = client.get(
        url, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "15f7d1a9"}
    )

    assert ok.status_code == 200
    assert ok.json() == {"hub.challenge": "15f7d1a9"}
    assert wrong.status_code == 403


@responses.activate
def test_a_webhook_event_brings_the_walk_onto_the_board(
    client, participant, campaign, connection, django_capture_on_commit_callbacks
):
    strava_has(9001)

    with django_capture_on_commit_callbacks(execute=True):
        answer = post_event(client, sp.event("create", 9001, EVENT_TIME))

    assert answer.status_code == 200
    tracked = TrackedActivity.objects.get()
    assert tracked.state == TrackedState.IMPORTED
    verdict = Verdict.objects.get(activity=tracked.activity)
    assert verdict.status == VerdictStatus.ACCEPTED
    assert 2950 <= verdict.credited_m <= 3050
    board = client.get(reverse("standings:board", args=[campaign.slug])).content.decode()
    assert "Lê Minh Anh" in board
    notice = Notice.objects.get(user=participant)
    assert notice.url == reverse("activities:detail", args=[tracked.activity.pk])
    # The walk was asked for with the participant's token, detail then streams.
    assert responses.calls[0].request.headers["Authorization"] == "Bearer live-token"
    assert "keys=time%2Clatlng%2Cdistance%2Caltitude" in responses.calls[1].request.url


@responses.activate
def test_repeated_and_late_events_change_nothing(
    client, participant, campaign, connection, django_capture_on_commit_callbacks
):
    strava_has(9002)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, sp.event("create", 9002, EVENT_TIME))
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, sp.event("update", 9002, EVENT_TIME + 60, updates={"title": "Mới"}))
        again = post_event(client, sp.event("create", 9002, EVENT_TIME))
        late = post_event(
            client, sp.event("update", 9002, EVENT_TIME + 30, updates={"type": "Ride"})
        )

    assert again.status_code == late.status_code == 200
    assert Activity.objects.count() == 1
    tracked = TrackedActivity.objects.get()
    assert tracked.name == "Mới"
    assert tracked.activity.sport == "walk"  # the late "Ride" came before the title change
    assert len(responses.calls) == 2  # fetched once


@responses.activate
def test_a_walk_changed_to_a_ride_is_judged_again_and_loses_its_credit(
    client, participant, campaign, connection, django_capture_on_commit_callbacks
):
    strava_has(9003)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, sp.event("create", 9003, EVENT_TIME))
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, sp.event("update", 9003, EVENT_TIME + 60, updates={"type": "Ride"}))

    verdict = Verdict.objects.get()
    assert verdict.activity.sport == "other"
    assert verdict.status == VerdictStatus.REJECTED
    assert verdict.credited_m == 0


@responses.activate
def test_a_walk_made_private_or_deleted_on_strava_is_withdrawn(
    client, participant, campaign, connection, django_capture_on_commit_callbacks
):
    strava_has(9004)
    strava_has(9005, start=START - timedelta(hours=20))
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, sp.event("create", 9004, EVENT_TIME))
        post_event(client, sp.event("create", 9005, EVENT_TIME + 1))
    assert Verdict.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, sp.event("update", 9004, EVENT_TIME + 60, updates={"private": "true"}))
        post_event(client, sp.event("delete", 9005, EVENT_TIME + 60))

    assert not Activity.objects.exists()
    assert dict(TrackedActivity.objects.values_list("external_id", "reason")) == {
        "9004": "private",
        "9005": "not_found",
    }
    client.force_login(participant)
    page = client.get(reverse("trackers:connections")).content.decode()
    assert "withdrawn" in page.lower() or "rút" in page.lower()


@responses.activate
def test_deauthorising_on_strava_deletes_tokens_and_strava_details(
    client, participant, campaign, connection, django_capture_on_commit_callbacks
):
    strava_has(9006)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, sp.event("create", 9006, EVENT_TIME))
    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client,
            sp.event(
                "update",
                sp.ATHLETE_ID,
                EVENT_TIME + 60,
                object_type="athlete",
                updates={"authorized": "false"},
            ),
        )
        # Events after the deauthorisation bring nothing.
        post_event(client, sp.event("create", 9007, EVENT_TIME + 120))

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert connection.access_token == connection.refresh_token == ""
    activity = Activity.objects.get()
    assert activity.track == [] and activity.upload is None
    assert TrackedActivity.objects.get(external_id="9006").name == ""
    assert Verdict.objects.get().status == VerdictStatus.ACCEPTED  # KindSteps' own verdict
    assert not TrackedActivity.objects.filter(external_id="9007").exists()


@responses.activate
def test_disconnecting_tells_strava_and_stops_activities(client, participant, connection):
    responses.post(f"{sp.OAUTH}/deauthorize", json={"access_token": "live-token"})
    client.force_login(participant)

    client.post(reverse("trackers:strava_disconnect"))
    post_event(client, sp.event("create", 9010, EVENT_TIME))

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert unseal(connection.access_token) == ""
    assert "access_token=live-token" in responses.calls[0].request.body
    assert not TrackedActivity.objects.exists()


@responses.activate
def test_a_token_about_to_expire_is_refreshed_first(participant, connection):
    connection.expires_at = NOW + timedelta(minutes=20)
    connection.save()
    later = int((NOW + timedelta(hours=6)).timestamp())
    responses.post(
        f"{sp.OAUTH}/token",
        json=sp.refresh_response(expires_at=later, access="new-access", refresh="new-refresh"),
    )

    token = services.access_token(connection, strava.Client(Budget(store=MemoryStore())))

    connection.refresh_from_db()
    assert token == "new-access"
    assert unseal(connection.refresh_token) == "new-refresh"
    assert "grant_type=refresh_token" in responses.calls[0].request.body


@responses.activate
def test_a_revoked_token_shows_the_participant_why(client, participant, connection, campaign):
    connection.expires_at = NOW - timedelta(minutes=1)
    connection.save()
    responses.post(
        f"{sp.OAUTH}/token",
        status=400,
        json={
            "message": "Bad Request",
            "errors": [{"resource": "RefreshToken", "field": "refresh_token", "code": "invalid"}],
        },
    )
    tracked = TrackedActivity.objects.create(
        connection=connection, provider="strava", external_id="1"
    )

    services.fetch(tracked.pk, strava.Client(Budget(store=MemoryStore())))

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.BROKEN
    client.force_login(participant)
    page = client.get(reverse("trackers:connections")).content.decode()
    assert 'id="strava-error"' in page


@responses.activate
def test_a_429_puts_the_fetch_back_and_it_resumes(participant, campaign, connection):
    limited = {**sp.HEADERS, "X-ReadRateLimit-Usage": "101,140"}
    responses.get(
        f"{sp.API}/activities/9020",
        status=429,
        json={"message": "Rate Limit Exceeded"},
        headers=limited,
    )
    tracked = TrackedActivity.objects.create(
        connection=connection, provider="strava", external_id="9020"
    )
    budget = Budget(
        store=MemoryStore(), short_s=900, day_s=86400, defaults=Limits(100, 1000), margin=0
    )

    with pytest.raises(services.RateLimited) as raised:
        services.fetch(tracked.pk, strava.Client(budget))
    assert 0 < raised.value.retry_after <= 900
    assert budget.take() > 0  # the window is closed for everyone
    tracked.refresh_from_db()
    assert tracked.state == TrackedState.PENDING

    responses.reset()
    strava_has(9020)
    budget.store = MemoryStore()  # the next window
    assert services.fetch(tracked.pk, strava.Client(budget)) == "imported"


@responses.activate
def test_private_walks_are_not_fetched_unless_the_participant_chose_so(
    participant, campaign, connection
):
    strava_has(9030, private=True)
    tracked = TrackedActivity.objects.create(
        connection=connection, provider="strava", external_id="9030"
    )

    outcome = services.fetch(tracked.pk, strava.Client(Budget(store=MemoryStore())))

    assert outcome == "private"
    assert len(responses.calls) == 1  # no streams asked for
    assert not Activity.objects.exists()


@responses.activate
def test_connecting_brings_the_walks_since_registration(participant, campaign, connection):
    older = NOW - timedelta(days=10)  # before registering: not asked for
    responses.get(
        f"{sp.API}/athlete/activities",
        json=[
            sp.summary(9040, START),
            sp.summary(9041, START - timedelta(days=1), sport_type="Ride"),
        ],
        headers=sp.HEADERS,
    )
    strava_has(9040)

    services.backfill_page(connection.pk, 1, strava.Client(Budget(store=MemoryStore())))

    query = parse_qs(urlparse(responses.calls[0].request.url).query)
    assert int(query["after"][0]) == int((NOW - timedelta(days=4)).timestamp())
    assert int(query["after"][0]) > older.timestamp()
    assert list(TrackedActivity.objects.values_list("external_id", flat=True)) == ["9040"]


def test_the_72_hour_rule_reads_when_the_walk_reached_strava(participant, campaign, connection):
    """A walk that reached Strava an hour after it ended counts even if it reaches us
    four days later (a backlog, a late connection)."""
    with responses.RequestsMock() as mock:
        detail = sp.activity(9050, NOW - timedelta(days=3, hours=2))
        mock.get(f"{sp.API}/activities/9050", json=detail)
        mock.get(f"{sp.API}/activities/9050/streams", json=sp.streams())
        reached = NOW - timedelta(days=3)
        tracked = TrackedActivity.objects.create(
            connection=connection,
            provider="strava",
            external_id="9050",
            reached_provider_at=reached,
        )
        services.fetch(tracked.pk, strava.Client(Budget(store=MemoryStore())))

    activity = Activity.objects.get()
    assert activity.received_at == reached
    assert Verdict.objects.get().status == VerdictStatus.ACCEPTED


def test_nothing_of_strava_shows_when_it_is_not_configured(client, participant, settings):
    settings.STRAVA_CLIENT_ID = ""
    client.force_login(participant)

    assert client.get(reverse("trackers:connections")).status_code == 404
    assert client.get(reverse("trackers:strava_webhook")).status_code == 404
    assert reverse("trackers:connections") not in client.get(reverse("profile")).content.decode()


def test_the_profile_links_to_the_connections_when_strava_is_configured(client, participant):
    client.force_login(participant)

    profile = client.get(reverse("profile")).content.decode()
    page = client.get(reverse("trackers:connections")).content.decode()

    assert reverse("trackers:connections") in profile
    assert 'id="connect-strava"' in page
    assert "Powered by Strava" in page or "Cung cấp bởi Strava" in page


@responses.activate
def test_sync_now_looks_again_and_retries_what_failed(client, participant, campaign, connection):
    failed = TrackedActivity.objects.create(
        connection=connection,
        provider="strava",
        external_id="9060",
        state=TrackedState.FAILED,
        reason="provider_error",
    )
    strava_has(9060)
    responses.get(f"{sp.API}/athlete/activities", json=[], headers=sp.HEADERS)
    client.force_login(participant)

    client.post(reverse("trackers:strava_sync"))

    failed.refresh_from_db()
    assert failed.state == TrackedState.IMPORTED
    connection.refresh_from_db()
    assert connection.last_sync_at is not None


def test_the_connections_page_is_the_participants_own(client, participant, outsider, connection):
    TrackedActivity.objects.create(
        connection=connection, provider="strava", external_id="9070", name="Đi bộ riêng"
    )

    anonymous = client.get(reverse("trackers:connections"))
    client.force_login(outsider)
    other = client.get(reverse("trackers:connections")).content.decode()
    client.force_login(participant)
    own = client.get(reverse("trackers:connections")).content.decode()

    assert anonymous.status_code == 302
    assert "Đi bộ riêng" not in other and 'id="connect-strava"' in other
    assert "Đi bộ riêng" in own
