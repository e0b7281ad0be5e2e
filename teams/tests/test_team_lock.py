"""When teams lock: at the campaign's start unless the organiser sets another
moment, and the join buttons say so before the click."""

from datetime import timedelta

from campaigns.tests.factories import enrol
from kindsteps.testing.clock import NOW
from teams.tests.factories import TeamFactory


def test_the_join_page_says_until_when_you_can_switch(english, campaign, participant):
    team = TeamFactory(campaign=campaign, name="Đội Bình Minh")
    enrol(campaign, participant)
    english.force_login(participant)

    page = english.get(f"/c/{campaign.slug}/t/{team.pk}/").content.decode()

    # The campaign starts in three days, at noon (Vietnam time).
    assert "You can leave or switch team until 12:00 on 14/03/2026." in page
    assert "data-confirm" not in page  # nothing to confirm while switching is free


def test_once_locked_joining_asks_to_confirm_first(english, started_campaign, participant):
    team = TeamFactory(campaign=started_campaign, name="Đội Bình Minh")
    enrol(started_campaign, participant)
    english.force_login(participant)

    for url in (
        f"/c/{started_campaign.slug}/t/{team.pk}/",
        f"/c/{started_campaign.slug}/teams/",
    ):
        page = english.get(url).content.decode()
        assert "once you join a team, you stay in it for the rest of the campaign" in page
        assert (
            'data-confirm="Join “Đội Bình Minh”? Teams are locked: you will stay in this team '
            'for the rest of the campaign."' in page
        )


def test_the_vietnamese_page_warns_too(client, started_campaign, participant):
    enrol(started_campaign, participant)
    client.force_login(participant)

    page = client.get(f"/c/{started_campaign.slug}/teams/join/").content.decode()

    assert "Các đội đã khóa" in page


def test_an_organiser_can_keep_teams_open_after_the_start(client, started_campaign, participant):
    started_campaign.teams_lock_at = NOW + timedelta(days=2)
    started_campaign.save()
    team = TeamFactory(campaign=started_campaign)
    registration = enrol(started_campaign, participant, team)
    client.force_login(participant)

    response = client.post(f"/c/{started_campaign.slug}/t/{team.pk}/leave/")

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.team is None


def test_an_organiser_can_lock_teams_before_the_start(english, campaign, participant):
    campaign.teams_lock_at = NOW - timedelta(hours=1)
    campaign.save()
    team = TeamFactory(campaign=campaign)
    registration = enrol(campaign, participant, team)
    english.force_login(participant)

    response = english.post(f"/c/{campaign.slug}/t/{team.pk}/leave/", follow=True)

    assert "Teams are locked now." in response.content.decode()
    registration.refresh_from_db()
    assert registration.team == team
