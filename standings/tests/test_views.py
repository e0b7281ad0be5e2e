"""The campaign page's figures, charts and top boards, and the board pages:
ranks, pagination, filters, my rank, and what a visitor may see."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import Gender
from accounts.names import anonymous_label
from campaigns.models import Visibility
from campaigns.tests.factories import CampaignFactory, CategoryFactory
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
        vnd_per_km=1000,
        money_target=20_000_000,
    )


@pytest.fixture
def english(client):
    client.cookies["kindsteps_language"] = "en"
    return client


def _detail(campaign) -> str:
    return reverse("campaigns:detail", args=[campaign.slug])


def _board(campaign, name: str = "board") -> str:
    return reverse(f"standings:{name}", args=[campaign.slug])


def _ranks(body: str) -> list[int]:
    """The rank column of every board row on the page."""
    return [int(rank) for rank in re.findall(r'<tr[^>]*>\s*<td class="num">(\d+)</td>', body)]


def _names(body: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", name).strip()
        for name in re.findall(r'<td class="board-name">(.*?)(?: <small|</td>)', body)
    ]


class TestCampaignPage:
    def test_shows_figures_against_the_targets_the_vietnamese_way(self, client, campaign):
        walked(campaign, 12345)
        walked(campaign, 7000)

        body = client.get(_detail(campaign)).content.decode()

        assert '<progress value="20" max="100"' in body  # 2 of 10 participants
        assert "<strong>19,3</strong>" in body  # 19 345 m
        assert "km / 20.000" in body  # the distance that converts into 20 000 000 đ
        assert "<strong>19.345 đ</strong>" in body
        assert "/ 20.000.000 đ" in body

    def test_shows_figures_with_english_notation(self, english, campaign):
        walked(campaign, 12345)
        walked(campaign, 1_000_000)

        body = english.get(_detail(campaign)).content.decode()

        assert "<strong>1,012.3</strong>" in body
        assert "<strong>1,012,345 đ</strong>" in body
        assert "5% of the target" in body  # 1 012 345 of 20 000 000 đ
        assert "Top individuals" in body

    def test_steps_read_as_partly_estimated(self, english, campaign):
        walked(campaign, 7000)  # the factory's activity has no step count

        body = english.get(_detail(campaign)).content.decode()

        assert "≈</abbr>10,000</strong>" in body  # 7000 m at 0.70 m a walking step
        assert "partly estimated from the distance" in body

    def test_charts_have_km_per_day_and_participants_over_time(self, client, campaign):
        walked(campaign, 5000, started_at=local_at(-1, 6))  # yesterday
        walked(campaign, 3000, started_at=local_at(0, 11))  # today

        body = client.get(_detail(campaign)).content.decode()

        km = json.loads(re.search(r'id="chart-km"[^>]*>(.*?)</script>', body).group(1))
        people = json.loads(
            re.search(r'id="chart-participants"[^>]*>(.*?)</script>', body).group(1)
        )
        assert len(km["labels"]) == 11  # ten days ago to today
        assert sum(km["values"]) == 8.0
        assert people["values"][-1] == 2
        assert 'data-standings-chart="bar"' in body and 'data-standings-chart="line"' in body

    def test_top_ten_of_people_teams_and_units_link_to_the_boards(self, english, campaign, tree):
        team = TeamFactory(campaign=campaign, name="Fast Feet")
        for metres in range(1000, 13000, 1000):
            walked(campaign, metres, team=team, unit=tree["LA-CD-THPT"])

        body = english.get(_detail(campaign)).content.decode()
        section = body[body.index('id="campaign-standings"') :]

        assert _ranks(section)[:10] == list(range(1, 11))
        assert "Người 12000" in section and "Người 2000" not in section.split("Top teams")[0]
        assert "Fast Feet" in section
        assert "Top units: School" in section and "Hội CTĐ CS Trường THPT Cần Đước" in section
        assert _board(campaign) in section and _board(campaign, "teams") in section

    def test_figures_refresh_with_the_standings_out_of_band(self, english, campaign):
        walked(campaign, 4200, name="Lan")

        page = english.get(_detail(campaign)).content.decode()
        part = english.get(_detail(campaign), {"part": "counts"}).content.decode()

        assert f'hx-get="{_detail(campaign)}?part=counts" hx-trigger="every 30s"' in page
        assert "<html" not in part
        assert "<strong>4.2</strong>" in part
        assert 'id="campaign-standings" hx-swap-oob="true"' in part and "Lan" in part
        assert "hx-swap-oob" not in page

    def test_refresh_interval_comes_from_the_settings(self, client, campaign, settings):
        settings.KINDSTEPS_LIVE_REFRESH_SECONDS = 2
        assert 'hx-trigger="every 2s"' in client.get(_detail(campaign)).content.decode()

    def test_a_participant_sees_their_rank_with_neighbours(self, english, campaign, participant):
        for metres in (10000, 9000, 8000, 6000, 5000, 4000):
            walked(campaign, metres)
        mine = walked(campaign, 7000, user=participant)
        english.force_login(participant)

        body = english.get(_detail(campaign)).content.decode()

        start = body.index('class="my-rank"')
        block = body[start : body.index("</section>", start)]
        assert "My rank" in block and "No. 4 of 7" in block
        assert _ranks(block) == [2, 3, 4, 5, 6]
        assert '<tr class="is-me" aria-current="true">\n        <td class="num">4</td>' in block
        assert f"#{mine.bib}" in block

    def test_a_participant_with_nothing_credited_is_told_so(self, english, campaign, participant):
        walked(campaign, 0, user=participant)
        english.force_login(participant)
        body = english.get(_detail(campaign)).content.decode()
        assert "Your rank shows here once one of your activities is credited." in body

    def test_an_upcoming_campaign_without_registrations_shows_no_standings(self, client, tree):
        upcoming = CampaignFactory(organiser_unit=tree["LA"], starts_at=NOW + timedelta(days=3))
        body = client.get(_detail(upcoming)).content.decode()
        assert 'id="campaign-standings"' in body  # the place the refresh fills
        assert "chart-km" not in body and "<h2>" not in body.split('id="campaign-standings"')[1]


class TestIndividualBoard:
    def test_ranks_ties_as_competition_ranks(self, client, campaign):
        walked(campaign, 9000, name="An")
        walked(campaign, 7000, hours_ago=2, name="Bình")
        walked(campaign, 7000, hours_ago=20, name="Chi")
        walked(campaign, 5000, name="Dũng")

        body = client.get(_board(campaign)).content.decode()

        assert _ranks(body) == [1, 2, 2, 4]
        assert _names(body) == ["An", "Chi", "Bình", "Dũng"]

    def test_is_paginated_by_fifty_with_ranks_continuing(self, english, campaign):
        for n in range(52):
            walked(campaign, 60000 - n * 100)

        first = english.get(_board(campaign)).content.decode()
        second = english.get(_board(campaign), {"page": 2}).content.decode()

        assert len(_ranks(first)) == 50 and "Page 1 of 2" in first
        assert 'href="?page=2" rel="next"' in first
        assert _ranks(second) == [51, 52]
        assert 'href="?page=1" rel="prev"' in second
        assert "52 people on this board" in second

    def test_filters_by_category_and_gender_and_keeps_them_in_the_pager(self, client, campaign):
        five = CategoryFactory(campaign=campaign, distance_m=5000)
        a = walked(campaign, 9000, category=five, name="Hoa")
        walked(campaign, 6000, category=five, name="Nam")
        walked(campaign, 20000, name="Xa")
        a.user.gender = Gender.FEMALE
        a.user.save()
        services.refresh(a.pk)

        in_category = client.get(_board(campaign), {"category": five.pk}).content.decode()
        women = client.get(_board(campaign), {"gender": "female"}).content.decode()

        assert _names(in_category) == ["Hoa", "Nam"] and _ranks(in_category) == [1, 2]
        assert _names(women) == ["Hoa"]
        assert f'<option value="{five.pk}" selected>' in in_category

    def test_shows_names_and_totals_but_never_e_mail_addresses(self, client, campaign):
        reg = walked(campaign, 5000, name="")
        reg.user.full_name = ""
        reg.user.save()
        walked(campaign, 6000, name="Mai")

        for url in (_board(campaign), _board(campaign, "days"), _detail(campaign)):
            body = client.get(url).content.decode()
            assert "@example.org" not in body
        # Nameless: the stable anonymous label, and no bib beside it.
        body = client.get(_board(campaign)).content.decode()
        assert _names(body) == ["Mai", anonymous_label(reg.user.pk)]
        assert f"#{reg.bib}<" not in body

    def test_highlights_my_line_and_shows_my_rank(self, english, campaign, participant):
        walked(campaign, 9000)
        walked(campaign, 8000, user=participant)
        english.force_login(participant)

        body = english.get(_board(campaign)).content.decode()

        assert body.count('class="is-me"') == 2  # the board and the my-rank block
        assert "No. 2 of 2" in body


class TestOtherBoards:
    def test_team_board_names_teams_with_one_query(
        self, client, campaign, django_assert_max_num_queries
    ):
        for n in range(6):
            team = TeamFactory(campaign=campaign, name=f"Đội {n}")
            walked(campaign, 1000 * (n + 1), team=team)
        with django_assert_max_num_queries(14):
            body = client.get(_board(campaign, "teams")).content.decode()
        assert _names(body) == [f"Đội {n}" for n in range(5, -1, -1)]
        assert _ranks(body) == [1, 2, 3, 4, 5, 6]

    def test_team_board_highlights_my_team_without_my_rank_block(
        self, client, campaign, participant
    ):
        mine = TeamFactory(campaign=campaign, name="Của tôi")
        walked(campaign, 9000, team=TeamFactory(campaign=campaign, name="Khác"))
        walked(campaign, 4000, team=mine, user=participant)
        client.force_login(participant)

        body = client.get(_board(campaign, "teams")).content.decode()

        assert body.count('class="is-me"') == 1
        assert 'class="my-rank"' not in body
        assert re.search(r'class="is-me"[^>]*>\s*<td class="num">2</td>', body)

    def test_unit_board_by_kind_and_within_a_unit(self, english, campaign, tree):
        walked(campaign, 5000, unit=tree["LA-CD-THPT"])
        walked(campaign, 3000, unit=tree["LA-CD-LTR"])
        walked(campaign, 4000, unit=tree["LA-CG-PL"])

        schools = english.get(_board(campaign, "units"), {"kind": "school"}).content.decode()
        communes = english.get(
            _board(campaign, "units"), {"kind": "commune", "within": "LA-CD"}
        ).content.decode()
        districts = english.get(_board(campaign, "units"), {"kind": "district"}).content.decode()

        assert _names(schools) == ["Hội CTĐ CS Trường THPT Cần Đước"]
        assert _names(communes) == ["Hội CTĐ CS xã Long Trạch"]
        assert "1 unit (Commune / town / ward) in Huyện hội Cần Đước" in communes
        assert _names(districts) == ["Huyện hội Cần Đước", "Huyện hội Cần Giuộc"]
        assert _ranks(districts) == [1, 2]

    def test_day_board_shows_who_walked_furthest_that_day(self, english, campaign):
        walked(campaign, 5000, started_at=local_at(-2, 7), name="Hôm kia")
        walked(campaign, 3000, started_at=local_at(-2, 17), name="Cũng hôm kia")
        walked(campaign, 9000, started_at=local_at(0, 11, 30), name="Hôm nay")
        day = local_at(-2).date()

        body = english.get(_board(campaign, "days"), {"day": day.isoformat()}).content.decode()

        assert _names(body) == ["Hôm kia", "Cũng hôm kia"]
        assert "2 people walked on" in body
        assert f'min="{campaign.starts_at.astimezone(campaign.tz).date().isoformat()}"' in body

    def test_day_board_shows_that_days_steps_marked_where_estimated(self, english, campaign):
        walked(campaign, 7000, started_at=local_at(-2, 7), steps=9100, name="Đồng hồ")
        walked(campaign, 1400, started_at=local_at(-2, 17), name="Ước tính")
        day = local_at(-2).date()

        body = english.get(_board(campaign, "days"), {"day": day.isoformat()}).content.decode()

        assert _names(body) == ["Đồng hồ", "Ước tính"]
        assert '<th scope="col" class="num">Steps</th>' in body
        assert '<td class="num">9,100</td>' in body  # counted by the watch
        assert (  # 1400 m at 0.70 m a walking step
            '<td class="num"><abbr class="steps-estimate" '
            'title="Partly estimated from the distance">≈</abbr>2,000</td>'
        ) in body
        assert "else estimated from the distance; ≈ marks" in body

    def test_day_board_outside_the_campaign_shows_the_latest_day(self, client, campaign):
        walked(campaign, 9000, started_at=local_at(0, 11, 30), name="Hôm nay")
        body = client.get(_board(campaign, "days"), {"day": "1999-01-01"}).content.decode()
        assert _names(body) == ["Hôm nay"]


class TestVisibility:
    @pytest.mark.parametrize("name", ["board", "teams", "units", "days"])
    def test_anyone_sees_the_boards_of_a_public_campaign(self, client, campaign, name):
        walked(campaign, 5000)
        assert client.get(_board(campaign, name)).status_code == 200

    @pytest.mark.parametrize("name", ["board", "teams", "units", "days"])
    def test_a_private_campaign_needs_its_code(self, client, tree, name):
        private = CampaignFactory(organiser_unit=tree["LA"], visibility=Visibility.PRIVATE)
        assert client.get(_board(private, name)).status_code == 404
        assert client.get(_board(private, name), {"code": private.invite_code}).status_code == 200

    def test_an_outsider_without_the_code_does_not_see_a_private_board(
        self, client, tree, outsider
    ):
        private = CampaignFactory(organiser_unit=tree["LA-CD"], visibility=Visibility.PRIVATE)
        client.force_login(outsider)
        assert client.get(_board(private)).status_code == 404

    def test_the_organiser_sees_a_private_board(self, client, tree, owner):
        private = CampaignFactory(organiser_unit=tree["LA-CD"], visibility=Visibility.PRIVATE)
        client.force_login(owner)
        assert client.get(_board(private)).status_code == 200
