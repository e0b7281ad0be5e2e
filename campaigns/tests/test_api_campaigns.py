"""/api/v1/campaigns…: list, read, register, withdraw, my registrations —
the registration service's rules and messages, with a personal API token."""

import json
from datetime import timedelta

import pytest

from accounts.models import ApiToken
from campaigns.models import Registration, RegistrationStatus
from campaigns.tests.factories import CampaignFactory, CategoryFactory, enrol
from kindsteps.testing.clock import NOW
from teams.tests.factories import TeamFactory


def _post(client, url: str, body: dict, headers: dict):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_list_shows_published_public_campaigns_only(client, open_campaign, private_campaign, tree):
    CampaignFactory(organiser_unit=tree["LA-CD"], slug="draft", is_published=False)

    response = client.get("/api/v1/campaigns")

    assert response.status_code == 200
    body = response.json()
    assert [item["slug"] for item in body["items"]] == ["open-walk"]
    assert body["count"] == 1
    item = body["items"][0]
    assert item["status"] == "open"
    assert item["organiser_unit"] == "LA-CD"
    assert item["title_vi"] == "Đi bộ đang mở"


def test_list_filters_by_status(client, open_campaign, upcoming_campaign):
    upcoming = client.get("/api/v1/campaigns", {"status": "upcoming"}).json()
    finished = client.get("/api/v1/campaigns", {"status": "finished"}).json()

    assert [item["slug"] for item in upcoming["items"]] == ["upcoming-run"]
    assert finished == {"items": [], "count": 0}


def test_list_refuses_an_unknown_status(client, db):
    assert client.get("/api/v1/campaigns", {"status": "soon"}).status_code == 422


def test_list_is_paginated(client, tree):
    for n in range(23):
        CampaignFactory(organiser_unit=tree["LA-CD"], slug=f"walk-{n:02d}")

    first = client.get("/api/v1/campaigns").json()
    second = client.get("/api/v1/campaigns", {"page": 2}).json()

    assert first["count"] == 23
    assert len(first["items"]) == 20 and len(second["items"]) == 3


def test_read_returns_the_campaign_with_its_categories(client, open_campaign):
    CategoryFactory(campaign=open_campaign, name_vi="5 km", distance_m=5000)

    response = client.get("/api/v1/campaigns/open-walk")

    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "open-walk"
    assert body["vnd_per_km"] == 1000
    assert [(c["name"], c["distance_m"]) for c in body["categories"]] == [("5 km", 5000)]


def test_read_a_private_campaign_needs_its_code(client, private_campaign):
    assert client.get("/api/v1/campaigns/private-walk").status_code == 404
    assert client.get("/api/v1/campaigns/private-walk", {"code": "nope"}).status_code == 404
    response = client.get("/api/v1/campaigns/private-walk", {"code": private_campaign.invite_code})
    assert response.status_code == 200


def test_read_a_private_campaign_without_code_for_its_participants(
    client, private_campaign, participant, bearer
):
    enrol(private_campaign, participant)

    assert client.get("/api/v1/campaigns/private-walk", **bearer).status_code == 200


def test_read_an_unknown_campaign_is_404(client, db):
    assert client.get("/api/v1/campaigns/nowhere").status_code == 404


def test_register_returns_the_registration_with_its_bib(client, open_campaign, bearer, tree):
    category = CategoryFactory(campaign=open_campaign)

    response = _post(
        client,
        "/api/v1/campaigns/open-walk/registration",
        {"category_id": category.pk, "unit_code": "LA-CD-LTR", "accept_rules": True},
        bearer,
    )

    assert response.status_code == 201
    body = response.json()
    assert body["bib"] == 1
    assert body["status"] == "active"
    assert body["campaign"] == "open-walk"
    assert body["category"]["id"] == category.pk
    assert body["unit"] == "LA-CD-LTR"
    assert body["team"] is None
    assert Registration.objects.get().unit == tree["LA-CD-LTR"]


def test_register_twice_is_refused_with_the_services_message(client, open_campaign, bearer):
    _post(client, "/api/v1/campaigns/open-walk/registration", {"accept_rules": True}, bearer)
    client.cookies["kindsteps_language"] = "en"

    response = _post(
        client, "/api/v1/campaigns/open-walk/registration", {"accept_rules": True}, bearer
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "already_registered",
        "detail": "You are already registered for this campaign (bib 1).",
    }


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"accept_rules": False}, "rules_not_accepted"),
        ({"accept_rules": True}, "category_required"),
        ({"accept_rules": True, "category_id": 999999}, "category_invalid"),
    ],
)
def test_register_refuses_incomplete_requests(client, open_campaign, bearer, body, code):
    CategoryFactory(campaign=open_campaign)

    response = _post(client, "/api/v1/campaigns/open-walk/registration", body, bearer)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Registration.objects.exists()


def test_register_refuses_a_unit_outside_the_organisers_subtree(client, open_campaign, bearer):
    response = _post(
        client,
        "/api/v1/campaigns/open-walk/registration",
        {"accept_rules": True, "unit_code": "LA-CG-PL"},
        bearer,
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unit_invalid"
    assert not Registration.objects.exists()


def test_register_refuses_an_unknown_unit_code(client, open_campaign, bearer):
    response = _post(
        client,
        "/api/v1/campaigns/open-walk/registration",
        {"accept_rules": True, "unit_code": "XX-NONE"},
        bearer,
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unit_invalid"


def test_register_refuses_an_unverified_account(client, open_campaign, user_factory):
    person = user_factory("new@example.org", verified=False)
    _token, raw = ApiToken.issue(person, "app")

    response = _post(
        client,
        "/api/v1/campaigns/open-walk/registration",
        {"accept_rules": True},
        {"HTTP_AUTHORIZATION": f"Bearer {raw}"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "email_unverified"


def test_register_refuses_outside_the_registration_window(client, tree, bearer):
    CampaignFactory(
        organiser_unit=tree["LA-CD"],
        slug="later",
        starts_at=NOW + timedelta(days=30),
    )

    response = _post(client, "/api/v1/campaigns/later/registration", {"accept_rules": True}, bearer)

    assert response.status_code == 400
    assert response.json()["code"] == "registration_not_open"


def test_register_needs_a_token_or_session(client, open_campaign):
    response = _post(client, "/api/v1/campaigns/open-walk/registration", {"accept_rules": True}, {})

    assert response.status_code == 401


def test_register_for_a_private_campaign_needs_its_code(client, private_campaign, bearer):
    url = "/api/v1/campaigns/private-walk/registration"

    refused = _post(client, url, {"accept_rules": True}, bearer)
    accepted = _post(
        client, f"{url}?code={private_campaign.invite_code}", {"accept_rules": True}, bearer
    )

    assert refused.status_code == 404
    assert accepted.status_code == 201


def test_withdraw_keeps_the_bib_and_leaves_the_team(client, open_campaign, participant, bearer):
    enrol(open_campaign, participant, TeamFactory(campaign=open_campaign))

    response = client.delete("/api/v1/campaigns/open-walk/registration", **bearer)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "withdrawn" and body["team"] is None and body["bib"] == 1
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.WITHDRAWN


def test_withdraw_without_a_registration_is_refused(client, open_campaign, bearer):
    response = client.delete("/api/v1/campaigns/open-walk/registration", **bearer)

    assert response.status_code == 400
    assert response.json()["code"] == "not_registered"


def test_my_registrations_lists_the_callers_only(
    client, open_campaign, upcoming_campaign, participant, bearer, user_factory
):
    enrol(open_campaign, participant)
    enrol(upcoming_campaign, user_factory("someone@example.org"))

    response = client.get("/api/v1/me/registrations", **bearer)

    assert response.status_code == 200
    assert [(r["campaign"], r["bib"]) for r in response.json()] == [("open-walk", 1)]


def test_my_registrations_needs_authentication(client, db):
    assert client.get("/api/v1/me/registrations").status_code == 401


def test_a_revoked_token_is_refused(client, participant):
    token, raw = ApiToken.issue(participant, "old phone")
    token.revoke()

    response = client.get("/api/v1/me/registrations", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 401
