"""Boards: competition ranking (1, 2, 2, 4), ties listed by who got there first,
"my rank" with the neighbours, team, unit and day boards."""

from datetime import timedelta

import pytest

from accounts.models import Gender
from campaigns.tests.factories import CampaignFactory, CategoryFactory
from kindsteps.testing.clock import NOW, local_at
from orgs.models import UnitKind
from standings import queries, services
from standings.rebuild import rebuild_campaign
from standings.tests.factories import walked
from teams.tests.factories import TeamFactory


@pytest.fixture
def campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA"], starts_at=NOW - timedelta(days=10))


def test_ties_share_a_rank_and_the_earlier_achiever_is_listed_first(campaign):
    walked(campaign, 9000, name="An")
    late = walked(campaign, 7000, hours_ago=2, name="Bình")  # reached 7 km later
    early = walked(campaign, 7000, hours_ago=20, name="Chi")
    walked(campaign, 5000, name="Dũng")

    rows, count = queries.board_page(campaign)

    assert count == 4
    assert [(row.rank, row.name) for row in rows] == [
        (1, "An"),
        (2, "Chi"),
        (2, "Bình"),
        (4, "Dũng"),
    ]
    assert queries.my_standing(campaign, late)["rank"] == 2
    assert queries.my_standing(campaign, early)["rank"] == 2


def test_ranks_continue_across_pages(campaign):
    for metres in (12000, 11000, 11000, 11000, 9000, 8000):
        walked(campaign, metres)

    second_page, _count = queries.board_page(campaign, page=2, size=2)
    third_page, _count = queries.board_page(campaign, page=3, size=2)

    assert [row.rank for row in second_page] == [2, 2]
    assert [row.rank for row in third_page] == [5, 6]


def test_my_rank_shows_the_people_just_above_and_below(campaign):
    regs = {m: walked(campaign, m, name=f"P{m}") for m in (10000, 9000, 8000, 7000, 6000, 5000)}

    mine = queries.my_standing(campaign, regs[7000], around=2)

    assert mine["rank"] == 4 and mine["of"] == 6
    assert [row.name for row in mine["rows"]] == ["P9000", "P8000", "P7000", "P6000", "P5000"]
    assert [row.rank for row in mine["rows"]] == [2, 3, 4, 5, 6]


def test_rank_counts_people_in_the_same_hundred_metres(campaign):
    for metres in (5050, 5099, 5020, 5000, 4999):
        walked(campaign, metres)
    assert queries.rank_of_distance(campaign, 5020) == 3
    assert queries.rank_of_distance(campaign, 4999) == 5
    assert queries.rank_of_distance(campaign, 20000) == 1


def test_ranks_are_exact_across_every_ten_kilometres(campaign):
    """A rank sums 10 km buckets above and 100 m buckets within the person's 10 km:
    distances on both sides of each boundary, ties and a long tail all count once."""
    distances = [150, 9950, 9999, 10000, 10050, 19999, 20000, 35400, 35400, 35450, 410000]
    people = [walked(campaign, metres) for metres in distances]

    for metres in sorted({*distances, 0, 1, 9900, 10001, 19900, 35399, 500000}):
        ahead = sum(1 for other in distances if other > metres)
        assert queries.rank_of_distance(campaign, metres) == 1 + ahead, metres
    for registration, metres in zip(people, distances, strict=True):
        mine = queries.my_standing(campaign, registration)
        assert mine["rank"] == 1 + sum(1 for other in distances if other > metres)
        assert [row.rank for row in mine["rows"]] == [
            1 + sum(1 for other in distances if other > row.standing.distance_m)
            for row in mine["rows"]
        ]
    assert rebuild_campaign(campaign, fix=False).total == 0


def test_nobody_with_nothing_credited_is_on_a_board(campaign):
    walked(campaign, 0)
    nobody = walked(campaign, 0)
    assert queries.board_page(campaign) == ([], 0)
    assert queries.my_standing(campaign, nobody) is None


def test_category_and_gender_boards(campaign):
    five = CategoryFactory(campaign=campaign, distance_m=5000)
    a = walked(campaign, 9000, category=five)
    b = walked(campaign, 6000, category=five)
    walked(campaign, 20000)
    a.user.gender = Gender.FEMALE
    a.user.save()
    services.refresh(a.pk)

    rows, count = queries.board_page(campaign, category_id=five.pk)
    assert count == 2 and [row.rank for row in rows] == [1, 2]
    assert [row.standing.registration_id for row in rows] == [a.pk, b.pk]
    women, count = queries.board_page(campaign, gender=Gender.FEMALE)
    assert count == 1 and women[0].standing.registration_id == a.pk


def test_team_and_unit_boards(campaign, tree):
    red, blue = TeamFactory(campaign=campaign, name="Đỏ"), TeamFactory(campaign=campaign)
    walked(campaign, 4000, team=red, unit=tree["LA-CD-LTR"])
    walked(campaign, 3000, team=red, unit=tree["LA-CD-THPT"])
    walked(campaign, 9000, team=blue, unit=tree["LA-CD-THPT"])

    teams, count = queries.team_board(campaign)
    assert count == 2
    assert [(t["rank"], t["key"], t["distance_m"]) for t in teams] == [
        (1, blue.pk, 9000),
        (2, red.pk, 7000),
    ]
    schools, _count = queries.unit_board(campaign, kind=UnitKind.SCHOOL)
    assert [(u["key"], u["distance_m"], u["participants"]) for u in schools] == [
        (tree["LA-CD-THPT"].pk, 12000, 2)
    ]
    inside, _count = queries.unit_board(campaign, within=tree["LA-CD"])
    assert [u["key"] for u in inside] == [tree["LA-CD-THPT"].pk, tree["LA-CD-LTR"].pk]


def test_the_day_board_ranks_one_campaign_day(campaign):
    walked(campaign, 4000, name="Sáng", started_at=local_at(-1, 6))  # yesterday morning
    walked(campaign, 6000, name="Chiều", started_at=local_at(-1, 17))  # and afternoon
    series = queries.daily_series(campaign)
    day = series[0]["day"]

    board = queries.day_board(campaign, day)

    assert [(row["rank"], row["name"]) for row in board] == [(1, "Chiều"), (2, "Sáng")]
    # That day's steps, estimated at 0.70 m a walking step: the activities have no count.
    assert [(row["steps"], row["steps_estimated"]) for row in board] == [(8571, 8571), (5714, 5714)]


def test_my_neighbours_among_people_with_my_distance_follow_who_got_there_first(campaign):
    walked(campaign, 9000, name="Trước xa", hours_ago=1)
    walked(campaign, 7000, name="Sớm nhất", hours_ago=30)
    walked(campaign, 7000, name="Sớm", hours_ago=20)
    me = walked(campaign, 7000, name="Tôi", hours_ago=10)
    walked(campaign, 7000, name="Muộn", hours_ago=5)
    walked(campaign, 3000, name="Sau xa", hours_ago=3)

    mine = queries.my_standing(campaign, me, around=2)

    assert [row.name for row in mine["rows"]] == ["Sớm nhất", "Sớm", "Tôi", "Muộn", "Sau xa"]
    assert [row.rank for row in mine["rows"]] == [2, 2, 2, 2, 6]
    assert (mine["rank"], mine["of"]) == (2, 6)


def test_a_page_that_starts_inside_a_tie_ranks_the_next_distance_by_its_place(campaign):
    for metres in (12000, 11000, 11000, 11000, 9000, 8000):
        walked(campaign, metres)

    page, _count = queries.board_page(campaign, page=2, size=3)

    assert [row.standing.distance_m for row in page] == [11000, 9000, 8000]
    assert [row.rank for row in page] == [2, 5, 6]


def test_my_neighbours_ranks_count_the_ties_beyond_them(campaign):
    walked(campaign, 12000)
    for _ in range(3):
        walked(campaign, 11000)
    me = walked(campaign, 10000)
    for _ in range(3):
        walked(campaign, 9000)
    walked(campaign, 8000)

    mine = queries.my_standing(campaign, me, around=2)  # two of each three tied

    ranks = [(row.standing.distance_m, row.rank) for row in mine["rows"]]
    assert ranks == [(11000, 2), (11000, 2), (10000, 5), (9000, 6), (9000, 6)]
    assert mine["rank"] == 5
