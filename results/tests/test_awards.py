"""Awards read from the frozen results."""

import pytest

from accounts.models import Gender
from orgs.models import UnitKind
from results import services
from results.models import Award, AwardKind


@pytest.fixture
def results(finished, owner, people):
    return services.freeze(finished, actor=owner)


def _award(campaign, owner, **fields):
    return services.add_award(campaign, Award(**fields), actor=owner)


def _names(award, results):
    return [(place, line.name) for place, line in services.winners(award, results)]


def test_top_women_of_a_category_share_a_tied_place(finished, owner, people, results):
    award = _award(
        finished,
        owner,
        kind=AwardKind.TOP_PEOPLE,
        name="Nữ xuất sắc 5 km",
        count=1,
        category=people["five_km"],
        gender=Gender.FEMALE,
    )

    assert _names(award, results) == [(1, "Phạm Thị Chi"), (1, "Trần Thị Bình")]


def test_top_men_overall(finished, owner, results):
    award = _award(
        finished, owner, kind=AwardKind.TOP_PEOPLE, name="Nam", count=2, gender=Gender.MALE
    )

    assert _names(award, results) == [(1, "Nguyễn Văn An"), (2, "Võ Quốc Dũng")]


def test_top_teams_and_top_units_of_a_kind(finished, owner, results):
    teams = _award(finished, owner, kind=AwardKind.TOP_TEAMS, name="Đội", count=3)
    schools = _award(
        finished, owner, kind=AwardKind.TOP_UNITS, name="Trường", count=1, unit_kind=UnitKind.SCHOOL
    )

    assert _names(teams, results) == [(1, "Đội Long Trạch")]
    assert _names(schools, results) == [(1, "Hội CTĐ CS Trường THPT Cần Đước")]


def test_units_over_their_target(finished, owner, people, results):
    award = _award(finished, owner, kind=AwardKind.OVER_TARGET, name="Vượt chỉ tiêu", count=0)

    # The school has 3 of 3 (met, not exceeded); the commune 2 of 5.
    assert _names(award, results) == []


def test_most_active_days(finished, owner, results):
    award = _award(finished, owner, kind=AwardKind.ACTIVE_DAYS, name="Chăm chỉ", count=1)

    winners = services.winners(award, results)

    assert len(winners) == 5  # one active day each: everyone shares first place
    assert {place for place, _line in winners} == {1}


def test_only_organisers_define_awards(finished, member):
    with pytest.raises(services.NotAllowed):
        services.add_award(finished, Award(kind=AwardKind.TOP_TEAMS, name="x"), actor=member)
