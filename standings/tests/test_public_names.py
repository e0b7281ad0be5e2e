"""Boards, the campaign page and the standings API name each person as they chose
(accounts/names.py): full name, short name, or the anonymous label; minors by
short name; bibs only beside a full name. Reading the names costs no query per
line. The suite's clock is 11/03/2026."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Gender, PublicName
from accounts.names import anonymous_label
from campaigns.tests.factories import CampaignFactory, UserFactory
from kindsteps.testing.clock import NOW
from standings.tests.factories import walked


@pytest.fixture
def campaign(tree):
    return CampaignFactory(
        slug="walk", organiser_unit=tree["LA"], starts_at=NOW - timedelta(days=10)
    )


def person(name, *, birth_year=1990, choice=PublicName.AUTO, gender=Gender.FEMALE):
    return UserFactory(
        full_name=name, birth_year=birth_year, public_name_choice=choice, gender=gender
    )


@pytest.fixture
def people(campaign):
    """An adult by full name, a student (16), an adult who chose the short name and
    one who chose to be anonymous, best first."""
    return {
        "adult": walked(campaign, 9000, user=person("Nguyễn Văn An")),
        "student": walked(campaign, 8000, user=person("Trần Thị Ngọc Ánh", birth_year=2010)),
        "short": walked(campaign, 7000, user=person("Lê Minh", choice=PublicName.SHORT)),
        "anonymous": walked(
            campaign, 6000, user=person("Phạm Bí Mật", choice=PublicName.ANONYMOUS)
        ),
    }


def _expected(people) -> list[tuple[str, int | None]]:
    return [
        ("Nguyễn Văn An", people["adult"].bib),
        ("Trần T. N. Á.", None),
        ("Lê M.", None),
        (anonymous_label(people["anonymous"].user_id), None),
    ]


def _board_url(campaign, name="board") -> str:
    return reverse(f"standings:{name}", args=[campaign.slug])


def _assert_public(body: str, people) -> None:
    for name, _bib in _expected(people):
        assert name in body
    for key in ("student", "short", "anonymous"):
        assert people[key].user.full_name not in body
        assert f"#{people[key].bib}<" not in body
    assert f"#{people['adult'].bib}<" in body


def test_the_board_names_everyone_as_they_chose(client, campaign, people):
    _assert_public(client.get(_board_url(campaign)).content.decode(), people)


def test_a_filtered_board_and_the_day_board_too(client, campaign, people):
    women = client.get(_board_url(campaign), {"gender": Gender.FEMALE}).content.decode()
    _assert_public(women, people)
    _assert_public(client.get(_board_url(campaign, "days")).content.decode(), people)


def test_the_campaign_page_top_board_too(client, campaign, people):
    body = client.get(reverse("campaigns:detail", args=[campaign.slug])).content.decode()
    _assert_public(body, people)


def test_a_logged_in_organiser_sees_the_same_public_board(client, campaign, people, owner):
    client.force_login(owner)
    _assert_public(client.get(_board_url(campaign)).content.decode(), people)


def test_the_api_board_gives_the_public_names_and_no_hidden_bibs(client, campaign, people):
    body = client.get(f"/api/v1/campaigns/{campaign.slug}/leaderboard").json()
    assert [(item["name"], item["bib"]) for item in body["items"]] == _expected(people)
    text = str(body)
    assert all(people[key].user.full_name not in text for key in ("student", "short"))


def test_my_rank_neighbours_are_named_as_they_chose(client, campaign, people, participant):
    walked(campaign, 7500, user=participant)
    client.force_login(participant)
    body = client.get(f"/api/v1/campaigns/{campaign.slug}/leaderboard/me").json()
    names = [item["name"] for item in body["neighbours"]]
    assert names == ["Nguyễn Văn An", "Trần T. N. Á.", "Lê Minh Anh", "Lê M.", names[-1]]
    assert names[-1] == anonymous_label(people["anonymous"].user_id)
    assert [item["bib"] is None for item in body["neighbours"]] == [
        False,
        True,
        False,  # my own line: the participant is an adult with a full name
        True,
        True,
    ]


def test_a_minor_at_the_campaign_start_stays_short_on_its_board(client, tree):
    # Born 2006: an adult today, maybe 17 on 25/02/2024.
    old = CampaignFactory(
        slug="walk-2024",
        organiser_unit=tree["LA"],
        starts_at=NOW - timedelta(days=760),
        ends_at=NOW + timedelta(days=10),
    )
    walked(old, 5000, user=person("Võ Hoàng Yến", birth_year=2006))
    body = client.get(_board_url(old)).content.decode()
    assert "Võ H. Y." in body and "Võ Hoàng Yến" not in body


@pytest.mark.parametrize(("name", "params"), [("board", {}), ("board", {"gender": "female"})])
def test_names_cost_no_query_per_line(client, campaign, name, params):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_board_url(campaign, name), params).status_code == 200
        return len(captured)

    for n in range(3):
        walked(campaign, 1000 + n, user=person(f"Người {n}", birth_year=2000 + 5 * n))
    few = queries()
    for n in range(3, 30):
        walked(campaign, 1000 + n, user=person(f"Người {n}", birth_year=1980 + n))
    assert queries() == few


def test_the_day_board_costs_no_query_per_line(client, campaign):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_board_url(campaign, "days")).status_code == 200
        return len(captured)

    walked(campaign, 1000, user=person("Người 1"))
    few = queries()
    for n in range(2, 25):
        walked(campaign, 1000 + n, user=person(f"Người {n}", birth_year=2011))
    assert queries() == few
