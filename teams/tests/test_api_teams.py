"""/api/v1/campaigns/{slug}/teams… and /team/leave: the team service's rules
and messages over the API, with a personal API token."""

import json

import pytest

from campaigns.models import Registration, Visibility
from campaigns.tests.factories import CampaignFactory, enrol
from teams.models import Team
from teams.tests.factories import TeamFactory, captained_team

ENDPOINTS = [
    ("get", "/api/v1/campaigns"),
    ("get", "/api/v1/campaigns/{slug}"),
    ("post", "/api/v1/campaigns/{slug}/registration"),
    ("delete", "/api/v1/campaigns/{slug}/registration"),
    ("get", "/api/v1/me/registrations"),
    ("get", "/api/v1/campaigns/{slug}/teams"),
    ("post", "/api/v1/campaigns/{slug}/teams"),
    ("post", "/api/v1/campaigns/{slug}/teams/{team_id}/join"),
    ("post", "/api/v1/campaigns/{slug}/teams/join-by-code"),
    ("post", "/api/v1/campaigns/{slug}/team/leave"),
]


def _post(client, url: str, body: dict | None, headers: dict):
    return client.post(
        url,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        **headers,
    )


def test_every_endpoint_is_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    for method, path in ENDPOINTS:
        assert method in paths.get(path, {}), f"{method.upper()} {path} missing"


def test_list_shows_teams_with_member_counts_and_names_only(client, campaign, user_factory):
    team = captained_team(campaign, user_factory("cap@example.org", full_name="Lý Đội"))
    TeamFactory(campaign=campaign, name="Đội Trống")

    response = client.get(f"/api/v1/campaigns/{campaign.slug}/teams")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_name = {item["name"]: item for item in body["items"]}
    assert by_name[team.name]["members"] == 1
    assert by_name[team.name]["captain_name"] == "Lý Đội"
    assert by_name["Đội Trống"]["members"] == 0
    assert "invite_code" not in by_name[team.name]
    assert "cap@example.org" not in response.content.decode()


def test_list_searches_by_name_and_pages(client, campaign):
    for n in range(22):
        TeamFactory(campaign=campaign, name=f"Đội THPT {n:02d}")
    TeamFactory(campaign=campaign, name="Xã Long Trạch")

    found = client.get(f"/api/v1/campaigns/{campaign.slug}/teams", {"q": "long"}).json()
    page_two = client.get(f"/api/v1/campaigns/{campaign.slug}/teams", {"page": 2}).json()

    assert [item["name"] for item in found["items"]] == ["Xã Long Trạch"]
    assert page_two["count"] == 23 and len(page_two["items"]) == 3


def test_list_of_a_private_campaign_needs_its_code(client, tree):
    private = CampaignFactory(organiser_unit=tree["LA-CD"], visibility=Visibility.PRIVATE)

    assert client.get(f"/api/v1/campaigns/{private.slug}/teams").status_code == 404
    response = client.get(f"/api/v1/campaigns/{private.slug}/teams", {"code": private.invite_code})
    assert response.status_code == 200


def test_create_makes_the_caller_captain_and_returns_the_invite_code(
    client, campaign, participant, bearer, tree
):
    enrol(campaign, participant)

    response = _post(
        client,
        f"/api/v1/campaigns/{campaign.slug}/teams",
        {"name": "Đội THPT Cần Đước", "unit_code": "LA-CD-THPT"},
        bearer,
    )

    assert response.status_code == 201
    body = response.json()
    team = Team.objects.get()
    assert body["id"] == team.pk and body["invite_code"] == team.invite_code
    assert body["members"] == 1 and body["unit"] == "LA-CD-THPT"
    assert team.captain == participant


def test_create_with_a_taken_name_is_409(client, campaign, participant, bearer):
    TeamFactory(campaign=campaign, name="Đội Xanh")
    enrol(campaign, participant)
    client.cookies["kindsteps_language"] = "en"

    response = _post(
        client, f"/api/v1/campaigns/{campaign.slug}/teams", {"name": "ĐỘI XANH"}, bearer
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "name_taken",
        "detail": "A team with this name already exists in this campaign.",
    }


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "X"}, "name_too_short"),
        ({"name": "Đội Lạ", "unit_code": "LA-CG-PL"}, "unit_invalid"),
        ({"name": "Đội Lạ", "unit_code": "NOPE"}, "unit_invalid"),
    ],
)
def test_create_refuses_bad_input(client, campaign, participant, bearer, body, code):
    enrol(campaign, participant)

    response = _post(client, f"/api/v1/campaigns/{campaign.slug}/teams", body, bearer)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Team.objects.exists()


def test_create_needs_a_registration(client, campaign, bearer):
    response = _post(client, f"/api/v1/campaigns/{campaign.slug}/teams", {"name": "Đội"}, bearer)

    assert response.status_code == 400
    assert response.json()["code"] == "not_registered"


def test_create_needs_authentication(client, campaign):
    response = _post(client, f"/api/v1/campaigns/{campaign.slug}/teams", {"name": "Đội"}, {})

    assert response.status_code == 401


def test_join_puts_the_caller_in_the_team(client, campaign, participant, bearer):
    team = TeamFactory(campaign=campaign)
    enrol(campaign, participant)

    response = _post(
        client, f"/api/v1/campaigns/{campaign.slug}/teams/{team.pk}/join", None, bearer
    )

    assert response.status_code == 200
    assert response.json()["members"] == 1
    assert Registration.objects.get(user=participant).team == team


def test_a_second_join_is_409_with_the_same_message_as_the_web(
    client, campaign, participant, bearer
):
    first = TeamFactory(campaign=campaign, name="Đội Một")
    second = TeamFactory(campaign=campaign, name="Đội Hai")
    enrol(campaign, participant, first)
    client.cookies["kindsteps_language"] = "en"

    response = _post(
        client, f"/api/v1/campaigns/{campaign.slug}/teams/{second.pk}/join", None, bearer
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "already_in_team",
        "detail": "You are already in the team “Đội Một”. Each participant can join only one team.",
    }


def test_join_a_team_of_another_campaign_is_404(
    client, campaign, started_campaign, participant, bearer
):
    elsewhere = TeamFactory(campaign=started_campaign)
    enrol(campaign, participant)

    response = _post(
        client, f"/api/v1/campaigns/{campaign.slug}/teams/{elsewhere.pk}/join", None, bearer
    )

    assert response.status_code == 404


def test_join_by_code(client, campaign, participant, bearer):
    team = TeamFactory(campaign=campaign)
    enrol(campaign, participant)

    response = _post(
        client,
        f"/api/v1/campaigns/{campaign.slug}/teams/join-by-code",
        {"code": team.invite_code.lower()},
        bearer,
    )

    assert response.status_code == 200
    assert response.json()["id"] == team.pk
    assert Registration.objects.get(user=participant).team == team


def test_join_by_a_wrong_code_is_404_with_a_message(client, campaign, participant, bearer):
    enrol(campaign, participant)

    response = _post(
        client,
        f"/api/v1/campaigns/{campaign.slug}/teams/join-by-code",
        {"code": "NOPE1234"},
        bearer,
    )

    assert response.status_code == 404
    assert response.json()["code"] == "bad_code"


def test_leave_before_the_start(client, campaign, participant, bearer):
    enrol(campaign, participant, TeamFactory(campaign=campaign))

    response = _post(client, f"/api/v1/campaigns/{campaign.slug}/team/leave", None, bearer)

    assert response.status_code == 204
    assert Registration.objects.get(user=participant).team is None


def test_leave_after_the_start_is_refused(client, started_campaign, participant, bearer):
    team = TeamFactory(campaign=started_campaign)
    enrol(started_campaign, participant, team)

    response = _post(client, f"/api/v1/campaigns/{started_campaign.slug}/team/leave", None, bearer)

    assert response.status_code == 400
    assert response.json()["code"] == "teams_locked"
    assert Registration.objects.get(user=participant).team == team


def test_leave_without_a_team_is_refused(client, campaign, participant, bearer):
    enrol(campaign, participant)

    response = _post(client, f"/api/v1/campaigns/{campaign.slug}/team/leave", None, bearer)

    assert response.status_code == 400
    assert response.json()["code"] == "not_in_team"
