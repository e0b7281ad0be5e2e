"""A campaign of Cần Đước district that ended three days before the suite's fixed
now (its 48-hour appeal window closed a day ago), with people in its units and
teams who walked during it."""

from datetime import timedelta

import pytest

from accounts.models import Gender
from campaigns.models import TargetRule
from campaigns.tests.factories import CampaignFactory, CategoryFactory, UserFactory
from kindsteps.testing.clock import NOW
from orgs.models import UnitKind
from standings.tests.factories import walked
from teams.tests.factories import TeamFactory


@pytest.fixture
def finished(tree):
    return CampaignFactory(
        organiser_unit=tree["LA-CD"],
        starts_at=NOW - timedelta(days=30),
        ends_at=NOW - timedelta(days=3),
        vnd_per_km=1000,
    )


def walk(campaign, metres, name, *, days_before_end=2, **registration):
    gender = registration.pop("gender", "")
    user = UserFactory(full_name=name, gender=gender)
    return walked(
        campaign,
        metres,
        user=user,
        started_at=campaign.ends_at - timedelta(days=days_before_end, hours=3),
        **registration,
    )


@pytest.fixture
def people(finished, tree, participant):
    """Five walkers: two in Long Trạch commune (a team), two at the high school, the
    suite's participant (Lê Minh Anh) at the high school; the school's target is 3."""
    commune, school = tree["LA-CD-LTR"], tree["LA-CD-THPT"]
    team = TeamFactory(campaign=finished, name="Đội Long Trạch", unit=commune)
    TargetRule.objects.create(campaign=finished, unit_kind=UnitKind.SCHOOL, participants=3)
    TargetRule.objects.create(campaign=finished, unit_kind=UnitKind.COMMUNE, participants=5)
    five_km = CategoryFactory(campaign=finished)
    return {
        "team": team,
        "five_km": five_km,
        "an": walk(finished, 42_195, "Nguyễn Văn An", unit=commune, team=team, gender=Gender.MALE),
        "binh": walk(
            finished,
            21_100,
            "Trần Thị Bình",
            unit=commune,
            team=team,
            gender=Gender.FEMALE,
            category=five_km,
        ),
        "chi": walk(
            finished,
            21_100,
            "Phạm Thị Chi",
            unit=school,
            gender=Gender.FEMALE,
            days_before_end=10,
            category=five_km,
        ),
        "dung": walk(finished, 5_000, "Võ Quốc Dũng", unit=school, gender=Gender.MALE),
        "anh": walked(
            finished,
            12_345,
            user=participant,
            unit=school,
            started_at=finished.ends_at - timedelta(days=1),
        ),
    }
