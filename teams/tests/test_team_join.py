"""Joining: the Join button, the invite code form and the shareable link;
one team at a time, switching free until the start."""

from campaigns.models import Registration
from campaigns.tests.factories import enrol
from core.models import AuditEntry
from teams.tests.factories import TeamFactory, captained_team


def test_join_button_puts_the_person_in_the_team(client, campaign, participant):
    team = TeamFactory(campaign=campaign)
    registration = enrol(campaign, participant)
    client.force_login(participant)

    response = client.post(f"/c/{campaign.slug}/t/{team.pk}/join/")

    assert response.status_code == 302
    assert response["Location"] == f"/c/{campaign.slug}/t/{team.pk}/"
    registration.refresh_from_db()
    assert registration.team == team
    assert registration.team_joined_at is not None
    assert AuditEntry.objects.filter(action="teams.member.joined").count() == 1


def test_a_second_join_is_refused_with_a_clear_message(english, campaign, participant):
    first = TeamFactory(campaign=campaign, name="Đội Một")
    second = TeamFactory(campaign=campaign, name="Đội Hai")
    enrol(campaign, participant, first)
    english.force_login(participant)

    response = english.post(f"/c/{campaign.slug}/t/{second.pk}/join/", follow=True)

    assert "You are already in the team “Đội Một”. Each participant can join only one team." in (
        response.content.decode()
    )
    assert Registration.objects.get(user=participant).team == first


def test_invite_code_form_joins_the_team_with_that_code(client, campaign, participant):
    team = TeamFactory(campaign=campaign)
    registration = enrol(campaign, participant)
    client.force_login(participant)

    response = client.post(
        f"/c/{campaign.slug}/teams/join/", {"code": f" {team.invite_code.lower()} "}
    )

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.team == team


def test_invite_code_form_says_when_no_team_has_the_code(english, campaign, participant):
    TeamFactory(campaign=campaign)
    enrol(campaign, participant)
    english.force_login(participant)

    response = english.post(f"/c/{campaign.slug}/teams/join/", {"code": "ZZZZZZZZ"})

    assert response.status_code == 400
    assert "No team in this campaign has that invite code." in response.content.decode()


def test_a_code_of_another_campaigns_team_does_not_work(
    client, campaign, started_campaign, participant
):
    elsewhere = TeamFactory(campaign=started_campaign)
    registration = enrol(campaign, participant)
    client.force_login(participant)

    response = client.post(f"/c/{campaign.slug}/teams/join/", {"code": elsewhere.invite_code})

    assert response.status_code == 400
    registration.refresh_from_db()
    assert registration.team is None


def test_shareable_link_shows_the_team_and_a_join_button(
    english, campaign, participant, user_factory
):
    team = captained_team(campaign, user_factory("cap@example.org", full_name="Trần Văn Đội"))
    enrol(campaign, participant)
    english.force_login(participant)

    response = english.get(f"/c/{campaign.slug}/teams/join/{team.invite_code}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert team.name in body and "Trần Văn Đội" in body and "1 member" in body
    assert f'action="/c/{campaign.slug}/t/{team.pk}/join/"' in body
    assert "cap@example.org" not in body


def test_shareable_link_asks_visitors_to_log_in_and_register(english, campaign):
    team = TeamFactory(campaign=campaign)

    body = english.get(f"/c/{campaign.slug}/teams/join/{team.invite_code}/").content.decode()

    assert "/accounts/login/?next=" in body
    assert f'action="/c/{campaign.slug}/t/{team.pk}/join/"' not in body


def test_a_wrong_shareable_link_is_not_found(client, campaign):
    assert client.get(f"/c/{campaign.slug}/teams/join/NOTACODE/").status_code == 404


def test_switching_before_the_start_is_leave_then_join(client, campaign, participant):
    old = TeamFactory(campaign=campaign)
    new = TeamFactory(campaign=campaign)
    registration = enrol(campaign, participant, old)
    client.force_login(participant)

    left = client.post(f"/c/{campaign.slug}/t/{old.pk}/leave/")
    joined = client.post(f"/c/{campaign.slug}/t/{new.pk}/join/")

    assert left.status_code == 302 and joined.status_code == 302
    registration.refresh_from_db()
    assert registration.team == new


def test_leaving_after_the_start_is_refused_with_the_reason(english, started_campaign, participant):
    team = TeamFactory(campaign=started_campaign)
    registration = enrol(started_campaign, participant, team)
    english.force_login(participant)

    response = english.post(f"/c/{started_campaign.slug}/t/{team.pk}/leave/", follow=True)

    assert "Teams are locked now." in response.content.decode()
    registration.refresh_from_db()
    assert registration.team == team


def test_joining_needs_a_log_in_and_a_post(client, campaign):
    team = TeamFactory(campaign=campaign)

    assert client.get(f"/c/{campaign.slug}/t/{team.pk}/join/").status_code == 405
    response = client.post(f"/c/{campaign.slug}/t/{team.pk}/join/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
