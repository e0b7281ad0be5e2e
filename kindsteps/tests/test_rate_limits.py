"""Rate limits (settings.RATE_LIMITS, docs/security.md): past the limit a door answers
429 with a translated "too many tries", as a page for people and JSON for the API;
the gateways' callbacks are limited per calling IP only, generously, and a known
gateway address never."""

import json
from datetime import timedelta

import pytest

from accounts.models import ApiToken
from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from conftest import PASSWORD
from kindsteps.testing.clock import NOW

TOO_MANY_VI = "Quá nhiều lần thử"


@pytest.fixture
def limits(settings):
    """Each door allows two tries, so the third shows the refusal."""
    settings.RATE_LIMITS = {name: "2/m" for name in settings.RATE_LIMITS}
    return settings


@pytest.fixture
def campaign(tree, participant):
    campaign = CampaignFactory(organiser_unit=tree["LA"], slug="tet-walk")
    RegistrationFactory(campaign=campaign, user=participant, registered_at=NOW - timedelta(days=2))
    return campaign


def _three(send) -> list:
    return [send() for _ in range(3)]


def test_the_third_sign_in_within_the_limit_is_refused_with_a_translated_page(
    client, limits, participant
):
    tries = _three(
        lambda: client.post(
            "/accounts/login/", {"login": "walker@example.org", "password": "wrong"}
        )
    )

    assert [r.status_code for r in tries[:2]] == [200, 200]  # the form again, with its error
    assert tries[2].status_code == 429
    assert tries[2]["Content-Type"].startswith("text/html")
    assert TOO_MANY_VI in tries[2].content.decode()
    assert tries[2]["Retry-After"]


def test_a_right_password_is_refused_too_once_the_limit_is_reached(client, limits, participant):
    for _ in range(2):
        client.post("/accounts/login/", {"login": "walker@example.org", "password": "wrong"})

    response = client.post(
        "/accounts/login/", {"login": "walker@example.org", "password": PASSWORD}
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_sign_ups_from_one_address_are_limited(client, limits, db):
    tries = _three(
        lambda: client.post(
            "/accounts/signup/",
            {"email": "x@example.org", "password1": "short", "password2": "short"},
        )
    )

    assert tries[2].status_code == 429


def test_reading_the_sign_in_page_is_not_counted(client, limits, db):
    assert [client.get("/accounts/login/").status_code for _ in range(4)] == [200] * 4


def test_api_uploads_past_the_limit_get_a_json_429_in_the_persons_language(client, limits, bearer):
    client.cookies["kindsteps_language"] = "en"
    tries = _three(
        lambda: client.post(
            "/api/v1/activities?filename=x.gpx", b"", content_type="application/gpx+xml", **bearer
        )
    )

    assert [r.status_code for r in tries[:2]] == [400, 400]  # empty file, said so
    assert tries[2].status_code == 429
    assert tries[2].json() == {
        "code": "too_many_tries",
        "detail": "Too many tries in a short time. Please wait a few minutes and try again.",
    }


def test_upload_limits_count_per_person_not_per_address(client, limits, bearer, owner):
    for _ in range(2):
        client.post("/api/v1/activities", b"", content_type="application/gpx+xml", **bearer)
    _token, other = ApiToken.issue(owner, "Laptop")

    response = client.post(
        "/api/v1/activities",
        b"",
        content_type="application/gpx+xml",
        HTTP_AUTHORIZATION=f"Bearer {other}",
    )

    assert response.status_code == 400  # the other person's first try: judged, not limited


def test_recordings_past_the_limit_get_429(client, limits, bearer):
    tries = _three(
        lambda: client.post(
            "/api/v1/activities/recording", b"{}", content_type="application/json", **bearer
        )
    )

    assert tries[2].status_code == 429


def test_the_upload_page_past_the_limit_gets_429(client, limits, participant):
    client.force_login(participant)
    tries = _three(lambda: client.post("/activities/upload/", {"sport": ""}))

    assert tries[2].status_code == 429
    assert TOO_MANY_VI in tries[2].content.decode()


def test_complaints_past_the_limit_get_429(client, limits, participant):
    client.force_login(participant)
    api = _three(
        lambda: client.post(
            "/api/v1/verdicts/999/complaint", {"text": "x"}, content_type="application/json"
        )
    )
    assert [r.status_code for r in api] == [404, 404, 429]


def test_the_web_complaint_form_is_limited(client, limits, participant, settings):
    client.force_login(participant)
    tries = _three(lambda: client.post("/activities/verdicts/999/complain/", {"text": "x"}))

    assert [r.status_code for r in tries] == [404, 404, 429]


def test_donations_started_past_the_limit_get_429(client, limits, campaign):
    tries = _three(lambda: client.post(f"/c/{campaign.slug}/donate/", {"amount": "abc"}))

    assert tries[2].status_code == 429
    assert TOO_MANY_VI in tries[2].content.decode()


def _ipn(client, ip: str):
    return client.post(
        "/payments/momo/ipn/",
        json.dumps({"orderId": "KS-NOPE"}),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def test_gateway_callbacks_are_limited_per_calling_address_with_429_and_a_log_line(
    client, limits, db, caplog
):
    tries = [_ipn(client, "203.0.113.7") for _ in range(3)]
    other = _ipn(client, "203.0.113.8")

    assert tries[2].status_code == 429  # answered, so the gateway calls again later
    assert other.status_code != 429
    assert "gateway callback rate limited" in caplog.text
    assert "203.0.113.7" in caplog.text


def test_a_known_gateway_address_is_never_limited(client, limits, db):
    limits.RATE_LIMIT_IPN_TRUSTED_IPS = ["203.0.113.7"]

    statuses = [_ipn(client, "203.0.113.7").status_code for _ in range(5)]

    assert 429 not in statuses


def test_the_default_ipn_limit_takes_a_burst_a_gateway_could_send(client, db):
    """A gateway retrying and a busy evening: 100 callbacks from one address pass."""
    statuses = {_ipn(client, "203.0.113.9").status_code for _ in range(100)}

    assert 429 not in statuses


def test_rate_limits_can_be_turned_off(client, limits, participant):
    limits.RATELIMIT_ENABLE = False

    statuses = [
        client.post(
            "/accounts/login/", {"login": "walker@example.org", "password": "wrong"}
        ).status_code
        for _ in range(3)
    ]

    assert 429 not in statuses
