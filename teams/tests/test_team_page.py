"""/c/<slug>/t/<id>/: members by bib and name, the invite code for members,
and the captain's rename and remove against a member and an outsider."""

import pytest

from campaigns.models import Registration
from campaigns.tests.factories import enrol
from core.models import AuditEntry
from teams.models import Team
from teams.tests.factories import TeamFactory, captained_team


@pytest.fixture
def captain(user_factory):
    return user_factory("captain@example.org", full_name="Nguyễn Thị Đội Trưởng")


@pytest.fixture
def team(campaign, captain) -> Team:
    return captained_team(campaign, captain, name="Đội Long Trạch")


@pytest.fixture
def teammate(campaign, team, user_factory):
    person = user_factory("mate@example.org", full_name="Phạm Văn Bạn", phone="0912345678")
    enrol(campaign, person, team)
    return person


def test_shows_members_with_bib_and_name_and_nothing_personal(english, campaign, team, teammate):
    body = english.get(f"/c/{campaign.slug}/t/{team.pk}/").content.decode()

    assert "Đội Long Trạch" in body
    assert "Nguyễn Thị Đội Trưởng" in body and "Phạm Văn Bạn" in body
    for registration in Registration.objects.filter(team=team):
        assert f"#{registration.bib}" in body
    assert "@example.org" not in body and "0912345678" not in body
    assert "Captain" in body


def test_a_member_without_a_name_shows_as_participant(english, campaign, team, user_factory):
    enrol(campaign, user_factory("noname@example.org"), team)

    body = english.get(f"/c/{campaign.slug}/t/{team.pk}/").content.decode()

    assert "noname@example.org" not in body
    assert "Participant" in body


def test_invite_code_and_link_are_shown_to_members_only(
    client, campaign, team, teammate, participant
):
    url = f"/c/{campaign.slug}/t/{team.pk}/"
    link = f"/c/{campaign.slug}/teams/join/{team.invite_code}/"

    assert team.invite_code not in client.get(url).content.decode()
    client.force_login(participant)
    assert team.invite_code not in client.get(url).content.decode()
    client.force_login(teammate)
    body = client.get(url).content.decode()
    assert team.invite_code in body and link in body


def test_members_see_a_leave_button_before_the_start(client, campaign, team, teammate):
    client.force_login(teammate)

    body = client.get(f"/c/{campaign.slug}/t/{team.pk}/").content.decode()

    assert f'action="/c/{campaign.slug}/t/{team.pk}/leave/"' in body


def test_after_the_start_members_see_why_they_cannot_leave(english, started_campaign, user_factory):
    person = user_factory("late@example.org")
    team = captained_team(started_campaign, person)
    english.force_login(person)

    body = english.get(f"/c/{started_campaign.slug}/t/{team.pk}/").content.decode()

    assert f'action="/c/{started_campaign.slug}/t/{team.pk}/leave/"' not in body
    assert "Teams are locked now that the campaign has started" in body


def test_a_team_of_another_campaign_is_not_found(client, campaign, started_campaign):
    elsewhere = TeamFactory(campaign=started_campaign)

    assert client.get(f"/c/{campaign.slug}/t/{elsewhere.pk}/").status_code == 404


def test_captain_leaving_passes_the_captaincy_to_the_earliest_member(
    client, campaign, team, captain, teammate
):
    client.force_login(captain)

    client.post(f"/c/{campaign.slug}/t/{team.pk}/leave/")

    team.refresh_from_db()
    assert team.captain == teammate


# --- Rename: captain, member, outsider ---


def test_captain_renames_the_team(client, campaign, team, captain):
    client.force_login(captain)

    response = client.post(f"/c/{campaign.slug}/t/{team.pk}/rename/", {"name": "Đội Xã Long Trạch"})

    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "Đội Xã Long Trạch"
    entry = AuditEntry.objects.get(action="teams.team.renamed")
    assert entry.data == {"from": "Đội Long Trạch", "to": "Đội Xã Long Trạch"}


def test_captain_sees_rename_and_remove_tools(client, campaign, team, captain, teammate):
    client.force_login(captain)

    body = client.get(f"/c/{campaign.slug}/t/{team.pk}/").content.decode()

    assert f'action="/c/{campaign.slug}/t/{team.pk}/rename/"' in body
    assert f'action="/c/{campaign.slug}/t/{team.pk}/remove/"' in body


def test_member_sees_no_captain_tools_and_cannot_rename(english, campaign, team, teammate):
    english.force_login(teammate)

    page = english.get(f"/c/{campaign.slug}/t/{team.pk}/").content.decode()
    response = english.post(
        f"/c/{campaign.slug}/t/{team.pk}/rename/", {"name": "Đội Của Tôi"}, follow=True
    )

    assert f'action="/c/{campaign.slug}/t/{team.pk}/rename/"' not in page
    assert f'action="/c/{campaign.slug}/t/{team.pk}/remove/"' not in page
    assert "Only the team captain can do that." in response.content.decode()
    team.refresh_from_db()
    assert team.name == "Đội Long Trạch"


def test_outsider_cannot_rename(english, campaign, team, outsider):
    english.force_login(outsider)

    response = english.post(
        f"/c/{campaign.slug}/t/{team.pk}/rename/", {"name": "Đội Lạ"}, follow=True
    )

    assert "Only the team captain can do that." in response.content.decode()
    team.refresh_from_db()
    assert team.name == "Đội Long Trạch"


def test_rename_to_a_taken_name_keeps_the_old_one(english, campaign, team, captain):
    TeamFactory(campaign=campaign, name="Đội Phước Lý")
    english.force_login(captain)

    response = english.post(
        f"/c/{campaign.slug}/t/{team.pk}/rename/", {"name": "ĐỘI PHƯỚC LÝ"}, follow=True
    )

    assert "A team with this name already exists in this campaign." in response.content.decode()
    team.refresh_from_db()
    assert team.name == "Đội Long Trạch"


# --- Remove: captain, member, outsider ---


def test_captain_removes_a_member(client, campaign, team, captain, teammate):
    client.force_login(captain)
    registration = Registration.objects.get(user=teammate)

    response = client.post(
        f"/c/{campaign.slug}/t/{team.pk}/remove/", {"registration": registration.pk}
    )

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.team is None
    assert AuditEntry.objects.filter(action="teams.member.removed").count() == 1


def test_member_cannot_remove_the_captain(english, campaign, team, captain, teammate):
    english.force_login(teammate)
    captains = Registration.objects.get(user=captain)

    response = english.post(
        f"/c/{campaign.slug}/t/{team.pk}/remove/", {"registration": captains.pk}, follow=True
    )

    assert "Only the team captain can do that." in response.content.decode()
    captains.refresh_from_db()
    assert captains.team == team


def test_outsider_cannot_remove_a_member(english, campaign, team, teammate, outsider):
    english.force_login(outsider)
    registration = Registration.objects.get(user=teammate)

    english.post(f"/c/{campaign.slug}/t/{team.pk}/remove/", {"registration": registration.pk})

    registration.refresh_from_db()
    assert registration.team == team


def test_captain_cannot_remove_after_the_start(english, started_campaign, user_factory):
    captain = user_factory("cap2@example.org")
    team = captained_team(started_campaign, captain)
    other = enrol(started_campaign, user_factory("other2@example.org"), team)
    english.force_login(captain)

    response = english.post(
        f"/c/{started_campaign.slug}/t/{team.pk}/remove/", {"registration": other.pk}, follow=True
    )

    assert "Teams are locked now." in response.content.decode()
    other.refresh_from_db()
    assert other.team == team
