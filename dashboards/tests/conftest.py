"""The plan's campaign in Cần Đước with its targets (district 65, stretch 70;
communes ≥ 2, schools ≥ 10) and helpers that register, withdraw and donate on
given days through the real services."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from campaigns.models import TargetRule
from campaigns.services import register, withdraw
from campaigns.tests.factories import CampaignFactory
from conftest import make_user
from donations.models import Donation, DonationStatus, Method
from orgs.models import UnitKind

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, month: int = 3, hour: int = 10) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=VN)


@pytest.fixture(autouse=True)
def fresh_cache():
    """The dashboard keeps donation sums for a few seconds: not across tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def campaign(tree):
    campaign = CampaignFactory(
        slug="trieu-buoc-chan-nhan-ai-2024",
        title_vi="Triệu bước chân nhân ái 2024",
        title_en="A Million Steps of Compassion 2024",
        organiser_unit=tree["LA-CD"],
        starts_at=datetime(2024, 2, 25, 8, tzinfo=VN),
        ends_at=datetime(2024, 4, 22, 0, tzinfo=VN),
        registration_opens_at=datetime(2024, 2, 20, tzinfo=VN),
        registration_closes_at=datetime(2024, 4, 22, tzinfo=VN),
        vnd_per_km=1000,
    )
    TargetRule.objects.create(campaign=campaign, unit=tree["LA-CD"], participants=65, stretch=70)
    TargetRule.objects.create(campaign=campaign, unit_kind=UnitKind.COMMUNE, participants=2)
    TargetRule.objects.create(campaign=campaign, unit_kind=UnitKind.SCHOOL, participants=10)
    return campaign


@pytest.fixture
def people():
    """join(unit, moment) registers a new person; people are numbered."""
    counter = {"n": 0}

    def join(campaign, unit, moment, **extra):
        counter["n"] += 1
        n = counter["n"]
        user = make_user(
            f"p{n}@example.org", full_name=extra.pop("full_name", f"Người {n}"), phone="0900000000"
        )
        return register(campaign, user, unit=unit, accept_rules=True, now=moment)

    return join


def leave(registration, moment):
    return withdraw(registration, actor=registration.user, now=moment)


def donate(campaign, unit, amount: int, moment, **extra) -> Donation:
    return Donation.objects.create(
        campaign=campaign,
        unit=unit,
        amount=amount,
        method=Method.CASH,
        status=DonationStatus.PAID,
        paid_at=moment,
        created_at=moment,
        **extra,
    )
