"""Fixtures for the campaign pages and organiser screens."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from campaigns.models import Campaign, Visibility
from campaigns.tests.factories import CampaignFactory
from kindsteps.testing.clock import NOW

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def plan_campaign(tree) -> Campaign:
    """The 2024 plan's campaign: 08:00 25/02/2024 to 24:00 21/04/2024, Cần Đước."""
    return CampaignFactory(
        slug="trieu-buoc-chan-nhan-ai-2024",
        title_vi="Triệu bước chân nhân ái 2024",
        title_en="A Million Steps of Compassion 2024",
        organiser_unit=tree["LA-CD"],
        starts_at=datetime(2024, 2, 25, 8, tzinfo=VN),
        ends_at=datetime(2024, 4, 22, 0, tzinfo=VN),
        registration_opens_at=datetime(2024, 2, 20, tzinfo=VN),
        registration_closes_at=datetime(2024, 4, 22, tzinfo=VN),
    )


@pytest.fixture
def open_campaign(tree) -> Campaign:
    return CampaignFactory(
        slug="open-walk",
        title_en="Open walk",
        title_vi="Đi bộ đang mở",
        organiser_unit=tree["LA-CD"],
    )


@pytest.fixture
def upcoming_campaign(tree) -> Campaign:
    starts = NOW + timedelta(days=3)
    return CampaignFactory(
        slug="upcoming-run",
        title_en="Upcoming run",
        title_vi="Chạy sắp tới",
        organiser_unit=tree["LA-CD"],
        starts_at=starts,
        registration_opens_at=NOW - timedelta(days=1),
    )


@pytest.fixture
def private_campaign(tree) -> Campaign:
    return CampaignFactory(
        slug="private-walk",
        title_en="Private walk",
        title_vi="Đi bộ nội bộ",
        organiser_unit=tree["LA-CD"],
        visibility=Visibility.PRIVATE,
    )


@pytest.fixture
def english(client):
    """The test client reading English (the source language of every string)."""
    client.cookies["kindsteps_language"] = "en"
    return client


@pytest.fixture
def complete(participant):
    """The participant with every profile field filled in."""
    participant.gender = "female"
    participant.birth_year = 2007
    participant.phone = "0912345678"
    participant.province = "Long An"
    participant.save()
    return participant


def campaign_post(unit, **overrides) -> dict:
    """A valid organiser form submission: the plan's campaign."""
    data = {
        "title_vi": "Triệu bước chân nhân ái 2024",
        "title_en": "A Million Steps of Compassion 2024",
        "slug": "",
        "description_vi": "Mỗi bước chân",
        "description_en": "Every step",
        "organiser_unit": unit.pk,
        "time_zone": "Asia/Ho_Chi_Minh",
        "start_date": "2024-02-25",
        "start_time": "08:00",
        "end_date": "2024-04-21",
        "end_time": "24:00",
        "registration_opens_date": "2024-02-20",
        "registration_opens_time": "00:00",
        "registration_closes_date": "",
        "registration_closes_time": "",
        "sports": ["walk", "run"],
        "participant_target": "65",
        "money_target": "20000000",
        "vnd_per_km": "1000",
        "count_before_registration": "on",
        "visibility": "public",
        "is_published": "on",
        "categories-TOTAL_FORMS": "2",
        "categories-INITIAL_FORMS": "0",
        "categories-MIN_NUM_FORMS": "0",
        "categories-MAX_NUM_FORMS": "12",
        "categories-0-name_vi": "5 km",
        "categories-0-name_en": "5 km",
        "categories-0-km": "5",
        "categories-1-name_vi": "Tích lũy tự do",
        "categories-1-name_en": "Free accumulation",
        "categories-1-km": "",
        "rules-min_distance_km": "1",
        "rules-max_distance_km": "",
        "rules-daily_cap_km": "",
        "rules-sync_window_hours": "72",
        "rules-close_grace_hours": "72",
        "rules-run_min_pace_s": "4:00",
        "rules-run_max_pace_s": "15:00",
        "rules-run_fastest_split_s": "3:30",
        "rules-walk_min_pace_s": "6:00",
        "rules-walk_max_pace_s": "20:00",
        "rules-walk_fastest_split_s": "5:00",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
