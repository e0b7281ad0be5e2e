"""The team panel on the campaign page (teams/_campaign_team_panel.html)."""

from campaigns.tests.factories import enrol
from teams.tests.factories import TeamFactory


def test_visitors_get_a_hint_to_register(english, campaign):
    TeamFactory(campaign=campaign)

    body = english.get(f"/c/{campaign.slug}/").content.decode()

    assert "1 team so far." in body
    assert "Register to join one or start your own." in body
    assert f'href="/c/{campaign.slug}/teams/new/"' not in body


def test_registered_person_without_a_team_is_asked_to_choose_one(english, campaign, participant):
    enrol(campaign, participant)
    english.force_login(participant)

    body = english.get(f"/c/{campaign.slug}/").content.decode()

    assert "Choose a team" in body
    assert f'href="/c/{campaign.slug}/teams/"' in body
    assert f'href="/c/{campaign.slug}/teams/new/"' in body
    assert f'href="/c/{campaign.slug}/teams/join/"' in body


def test_team_member_sees_the_team_and_its_link(english, campaign, participant):
    team = TeamFactory(campaign=campaign, name="Đội Long Trạch")
    enrol(campaign, participant, team)
    english.force_login(participant)

    body = english.get(f"/c/{campaign.slug}/").content.decode()

    assert "Your team" in body
    assert f'href="/c/{campaign.slug}/t/{team.pk}/"' in body and "Đội Long Trạch" in body
    assert "Choose a team" not in body


def test_after_the_start_the_panel_says_teams_are_locked(english, started_campaign, participant):
    enrol(started_campaign, participant, TeamFactory(campaign=started_campaign))
    english.force_login(participant)

    body = english.get(f"/c/{started_campaign.slug}/").content.decode()

    assert "Teams are locked now." in body


def test_organisers_preview_shows_no_team_panel(english, campaign, owner):
    english.force_login(owner)

    response = english.get(f"/manage/campaigns/{campaign.slug}/preview/")

    assert response.status_code == 200
    assert 'class="team-panel"' not in response.content.decode()
