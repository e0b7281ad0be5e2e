"""/api/v1/campaigns/{slug}/standings, /leaderboard, /leaderboard/me and /daily."""

from datetime import timedelta

import pytest

from accounts.models import Gender
from campaigns.models import Visibility
from campaigns.tests.factories import CampaignFactory
from kindsteps.testing.clock import NOW, local_at
from standings import services
from standings.tests.factories import walked
from teams.tests.factories import TeamFactory


@pytest.fixture
def campaign(tree):
    return CampaignFactory(
        slug="walk",
        organiser_unit=tree["LA"],
        starts_at=NOW - timedelta(days=10),
        participant_target=10,
        vnd_per_km=2000,
        money_target=5_000_000,
    )


URL = "/api/v1/campaigns/{}/"


def test_every_endpoint_is_in_the_openapi_schema(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("standings", "leaderboard", "leaderboard/me", "daily"):
        operations = schema["paths"][f"/api/v1/campaigns/{{slug}}/{path}"]
        assert operations["get"]["tags"] == ["standings"]


def test_totals_come_with_the_targets(client, campaign):
    walked(campaign, 12345)
    walked(campaign, 0)

    body = client.get(URL.format("walk") + "standings").json()

    assert body == {
        "participants": 2,
        "participants_credited": 1,
        "distance_m": 12345,
        "activities": 1,
        "steps": 17636,  # 12 345 m at 0.70 m a walking step
        "steps_estimated": True,
        "money_vnd": 24690,
        "vnd_per_km": 2000,
        "targets": {"participants": 10, "money_vnd": 5_000_000, "distance_m": 2_500_000},
    }


def test_individual_board_has_competition_ranks_and_names_only(client, campaign):
    walked(campaign, 9000, name="An")
    walked(campaign, 7000, hours_ago=2, name="Bình")
    walked(campaign, 7000, hours_ago=20, name="Chi")
    walked(campaign, 5000, name="Dũng")

    body = client.get(URL.format("walk") + "leaderboard").json()

    assert body["board"] == "individuals" and body["count"] == 4 and body["page"] == 1
    assert [(item["rank"], item["name"]) for item in body["items"]] == [
        (1, "An"),
        (2, "Chi"),
        (2, "Bình"),
        (4, "Dũng"),
    ]
    assert "@" not in str(body)


def test_individual_board_pages_and_filters_by_gender(client, campaign):
    for n in range(51):
        walked(campaign, 60000 - n * 100)
    woman = walked(campaign, 100, name="Lan")
    woman.user.gender = Gender.FEMALE
    woman.user.save()
    services.refresh(woman.pk)

    second = client.get(URL.format("walk") + "leaderboard", {"page": 2}).json()
    women = client.get(URL.format("walk") + "leaderboard", {"gender": "female"}).json()

    assert [item["rank"] for item in second["items"]] == [51, 52] and second["count"] == 52
    assert [item["name"] for item in women["items"]] == ["Lan"]
    assert client.get(URL.format("walk") + "leaderboard", {"gender": "x"}).status_code == 422


def test_team_and_unit_boards(client, campaign, tree):
    team = TeamFactory(campaign=campaign, name="Fast Feet")
    walked(campaign, 5000, team=team, unit=tree["LA-CD-LTR"])
    walked(campaign, 3000, unit=tree["LA-CG-PL"])

    teams = client.get(URL.format("walk") + "leaderboard", {"board": "teams"}).json()
    communes = client.get(
        URL.format("walk") + "leaderboard", {"board": "units", "kind": "commune"}
    ).json()
    inside = client.get(
        URL.format("walk") + "leaderboard",
        {"board": "units", "kind": "commune", "within": "LA-CG"},
    ).json()

    assert teams["items"] == [
        {
            "rank": 1,
            "name": "Fast Feet",
            "id": team.pk,
            "code": None,
            "bib": None,
            "distance_m": 5000,
            "activities": 1,
            "participants": 1,
        }
    ]
    assert [item["code"] for item in communes["items"]] == ["LA-CD-LTR", "LA-CG-PL"]
    assert [item["code"] for item in inside["items"]] == ["LA-CG-PL"]


def test_unit_board_within_an_unknown_unit_is_404(client, campaign):
    response = client.get(URL.format("walk") + "leaderboard", {"board": "units", "within": "NOPE"})
    assert response.status_code == 404 and response.json()["code"] == "unit_not_found"


def test_my_rank_with_the_people_around_me(client, campaign, participant, bearer):
    for metres in (10000, 9000, 8000, 6000, 5000, 4000):
        walked(campaign, metres)
    mine = walked(campaign, 7000, user=participant)

    body = client.get(URL.format("walk") + "leaderboard/me", **bearer).json()

    assert body["rank"] == 4 and body["of"] == 7 and body["bib"] == mine.bib
    assert body["distance_m"] == 7000 and body["steps_estimated"] is True
    assert [item["rank"] for item in body["neighbours"]] == [2, 3, 4, 5, 6]


def test_my_rank_is_not_ranked_until_something_is_credited(client, campaign, participant, bearer):
    walked(campaign, 0, user=participant)
    response = client.get(URL.format("walk") + "leaderboard/me", **bearer)
    assert response.status_code == 404
    assert response.json()["code"] == "not_ranked"


def test_my_rank_without_a_registration_is_not_ranked(client, campaign, bearer):
    response = client.get(URL.format("walk") + "leaderboard/me", **bearer)
    assert response.status_code == 404 and response.json()["code"] == "not_ranked"


def test_my_rank_needs_authentication(client, campaign):
    assert client.get(URL.format("walk") + "leaderboard/me").status_code == 401


def test_daily_series(client, campaign):
    walked(campaign, 5000, started_at=local_at(-2, 7))  # the day before yesterday
    walked(campaign, 3000, started_at=local_at(-2, 17))
    walked(campaign, 2000, started_at=local_at(0, 11, 30))  # today

    body = client.get(URL.format("walk") + "daily").json()

    assert [(item["distance_m"], item["participants"]) for item in body] == [
        (8000, 2),
        (2000, 1),
    ]
    assert body[0]["day"] == local_at(-2).date().isoformat()


@pytest.mark.parametrize("path", ["standings", "leaderboard", "daily"])
def test_a_private_campaign_needs_its_code(client, tree, path):
    private = CampaignFactory(
        slug="private", organiser_unit=tree["LA"], visibility=Visibility.PRIVATE
    )
    assert client.get(URL.format("private") + path).status_code == 404
    response = client.get(URL.format("private") + path, {"code": private.invite_code})
    assert response.status_code == 200


def test_a_private_campaign_shows_itself_to_its_participant(client, tree, participant, bearer):
    private = CampaignFactory(
        slug="private",
        organiser_unit=tree["LA"],
        visibility=Visibility.PRIVATE,
        starts_at=NOW - timedelta(days=3),
    )
    walked(private, 3000, user=participant)
    assert client.get(URL.format("private") + "leaderboard/me", **bearer).status_code == 200
    assert client.get(URL.format("private") + "standings", **bearer).status_code == 200


def test_a_public_board_is_marked_for_the_proxy_to_share_only_without_a_token(
    client, campaign, bearer, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 30
    walked(campaign, 9000, name="An")

    anonymous = client.get(URL.format("walk") + "leaderboard")
    with_token = client.get(URL.format("walk") + "leaderboard", **bearer)

    assert anonymous["Cache-Control"] == "public, max-age=30"
    assert anonymous.json()["items"][0]["name"] == "An"
    assert "private" in with_token["Cache-Control"]


def test_a_private_campaigns_board_is_never_marked_shared(client, campaign, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 30
    campaign.visibility = Visibility.PRIVATE
    campaign.save()

    answer = client.get(URL.format("walk") + "leaderboard", {"code": campaign.invite_code})

    assert answer.status_code == 200
    assert "private" in answer["Cache-Control"]
