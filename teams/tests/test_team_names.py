"""A team's page and the teams API name members as each chose for public pages
(accounts/names.py), bibs only beside a full name; the captain also sees bibs
(they manage the team by bib), staff of the member's unit the real name and bib
(orgs/permissions.py). Owner: admin of Cần Đước; member: plain staff of Long
Trạch; outsider: admin of Cần Giuộc."""

import pytest

from accounts.models import PublicName
from accounts.names import anonymous_label
from campaigns.tests.factories import enrol
from teams.tests.factories import captained_team

FULL, SHORT = "Trần Thị Ngọc Ánh", "Trần T. N. Á."


@pytest.fixture
def captain(user_factory):
    return user_factory("captain@example.org", full_name="Nguyễn Thị Đội Trưởng", birth_year=1990)


@pytest.fixture
def team(campaign, captain):
    return captained_team(campaign, captain, name="Đội Long Trạch")


@pytest.fixture
def student(campaign, team, user_factory, tree):
    """A 16-year-old of Long Trạch commune in the team."""
    person = user_factory("student@example.org", full_name=FULL, birth_year=2010)
    registration = enrol(campaign, person, team)
    registration.unit = tree["LA-CD-LTR"]
    registration.save()
    return registration


def _page(client, campaign, team, user=None) -> str:
    if user is not None:
        client.force_login(user)
    return client.get(f"/c/{campaign.slug}/t/{team.pk}/").content.decode()


def test_a_visitor_sees_the_minor_s_short_name_and_no_bib(client, campaign, team, student):
    body = _page(client, campaign, team)
    assert SHORT in body and FULL not in body
    assert f"#{student.bib}<" not in body
    assert "Nguyễn Thị Đội Trưởng" in body  # an adult by full name


def test_the_captain_sees_the_short_name_with_the_bib(client, campaign, team, student, captain):
    body = _page(client, campaign, team, captain)
    assert SHORT in body and FULL not in body
    assert f"#{student.bib}<" in body


def test_member_staff_of_the_student_s_unit_sees_the_real_name(
    client, campaign, team, student, member
):
    body = _page(client, campaign, team, member)
    assert FULL in body and f"#{student.bib}<" in body


def test_owner_above_the_unit_sees_the_real_name(client, campaign, team, student, owner):
    assert FULL in _page(client, campaign, team, owner)


def test_outsider_sees_only_the_public_name(client, campaign, team, student, outsider):
    body = _page(client, campaign, team, outsider)
    assert SHORT in body and FULL not in body and f"#{student.bib}<" not in body


def test_the_student_sees_their_own_name(client, campaign, team, student):
    assert FULL in _page(client, campaign, team, student.user)


def test_the_api_names_the_captain_as_they_chose(client, campaign, team, captain):
    captain.public_name_choice = PublicName.ANONYMOUS
    captain.save()
    body = client.get(f"/api/v1/campaigns/{campaign.slug}/teams").json()
    assert body["items"][0]["captain_name"] == anonymous_label(captain.pk)
    assert "Nguyễn" not in str(body)


def test_the_invite_page_names_the_captain_as_they_chose(client, campaign, team, captain):
    captain.public_name_choice = PublicName.SHORT
    captain.save()
    body = client.get(f"/c/{campaign.slug}/teams/join/{team.invite_code}/").content.decode()
    assert "Nguyễn T. Đ. T." in body and "Nguyễn Thị Đội Trưởng" not in body
