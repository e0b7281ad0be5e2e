"""/c/<slug>/teams/: browse and search the campaign's teams."""

import pytest

from campaigns.models import Visibility
from campaigns.tests.factories import CampaignFactory, enrol
from teams import services
from teams.tests.factories import TeamFactory, captained_team


def test_lists_teams_with_their_member_counts(english, campaign, user_factory):
    team = captained_team(campaign, user_factory("captain@example.org"))
    enrol(campaign, user_factory("second@example.org"), team)
    TeamFactory(campaign=campaign, name="Đội Trống")

    response = english.get(f"/c/{campaign.slug}/teams/")

    assert response.status_code == 200
    body = response.content.decode()
    assert team.name in body and "2 members" in body
    assert "Đội Trống" in body and "0 members" in body


def test_search_keeps_teams_whose_name_contains_the_words(client, campaign):
    TeamFactory(campaign=campaign, name="Trường THPT Cần Đước")
    TeamFactory(campaign=campaign, name="Xã Long Trạch")

    response = client.get(f"/c/{campaign.slug}/teams/", {"q": "THPT"})

    body = response.content.decode()
    assert "Trường THPT Cần Đước" in body
    assert "Xã Long Trạch" not in body


def test_live_search_answers_htmx_with_the_results_only(client, campaign):
    TeamFactory(campaign=campaign, name="Trường THPT Cần Đước")

    response = client.get(f"/c/{campaign.slug}/teams/", {"q": "thpt"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert "Trường THPT Cần Đước" in body
    assert "<html" not in body and 'role="search"' not in body
    assert "HX-Request" in response["Vary"]


def test_results_come_in_pages(client, campaign):
    for n in range(services.TEAMS_PER_PAGE + 3):
        TeamFactory(campaign=campaign, name=f"Đội {n:02d}")

    first = client.get(f"/c/{campaign.slug}/teams/").content.decode()
    second = client.get(f"/c/{campaign.slug}/teams/", {"page": 2}).content.decode()

    assert "Đội 00" in first and "Đội 22" not in first
    assert "Đội 22" in second and "Đội 00" not in second


def test_registered_person_without_a_team_sees_join_buttons(client, campaign, participant):
    team = TeamFactory(campaign=campaign)
    enrol(campaign, participant)
    client.force_login(participant)

    body = client.get(f"/c/{campaign.slug}/teams/").content.decode()

    assert f'action="/c/{campaign.slug}/t/{team.pk}/join/"' in body
    assert f'href="/c/{campaign.slug}/teams/new/"' in body


def test_visitors_and_team_members_see_no_join_buttons(english, campaign, participant):
    client = english
    team = TeamFactory(campaign=campaign)
    other = TeamFactory(campaign=campaign)
    join_action = f'action="/c/{campaign.slug}/t/{other.pk}/join/"'

    assert join_action not in client.get(f"/c/{campaign.slug}/teams/").content.decode()

    enrol(campaign, participant, team)
    client.force_login(participant)
    body = client.get(f"/c/{campaign.slug}/teams/")
    assert join_action not in body.content.decode()
    assert "To switch, leave it first" in body.content.decode()


def test_after_the_start_a_member_is_told_why_switching_is_locked(
    english, started_campaign, participant
):
    client = english
    enrol(started_campaign, participant, TeamFactory(campaign=started_campaign))
    client.force_login(participant)

    response = client.get(f"/c/{started_campaign.slug}/teams/")

    assert "Teams are locked now" in response.content.decode()


@pytest.mark.parametrize("code", ["", "wrong"])
def test_private_campaign_teams_are_hidden_without_its_code(client, tree, code):
    private = CampaignFactory(organiser_unit=tree["LA-CD"], visibility=Visibility.PRIVATE)

    response = client.get(f"/c/{private.slug}/teams/", {"code": code} if code else {})

    assert response.status_code == 404


def test_private_campaign_teams_open_with_its_code(client, tree):
    private = CampaignFactory(organiser_unit=tree["LA-CD"], visibility=Visibility.PRIVATE)
    TeamFactory(campaign=private, name="Đội Kín")

    response = client.get(f"/c/{private.slug}/teams/", {"code": private.invite_code})

    assert response.status_code == 200
    assert "Đội Kín" in response.content.decode()
    # remembered for the session, as the campaign page does
    assert client.get(f"/c/{private.slug}/teams/", {"page": 1}).status_code == 200
