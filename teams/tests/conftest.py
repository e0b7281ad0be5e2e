"""Fixtures for the team pages, services and API: a campaign that has not
started yet (teams can still be switched) and one that has (teams locked),
both organised by Cần Đước district."""

from datetime import timedelta

import pytest

from campaigns.models import Campaign
from campaigns.tests.factories import CampaignFactory
from kindsteps.testing.clock import NOW


@pytest.fixture
def campaign(tree) -> Campaign:
    """Registration open, starts in three days: switching teams is free."""
    return CampaignFactory(
        slug="trieu-buoc-chan",
        title_vi="Triệu bước chân",
        title_en="A Million Steps",
        organiser_unit=tree["LA-CD"],
        starts_at=NOW + timedelta(days=3),
        registration_opens_at=NOW - timedelta(days=1),
    )


@pytest.fixture
def started_campaign(tree) -> Campaign:
    """Started yesterday: teams are locked."""
    return CampaignFactory(slug="started-walk", organiser_unit=tree["LA-CD"])


@pytest.fixture
def english(client):
    client.cookies["kindsteps_language"] = "en"
    return client
