from datetime import timedelta

import pytest
from django.core.cache import cache

from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from kindsteps.testing.clock import NOW


@pytest.fixture(autouse=True)
def strava_settings(settings, tmp_path):
    settings.STRAVA_CLIENT_ID = "12345"
    settings.STRAVA_CLIENT_SECRET = "client-secret"
    settings.STRAVA_WEBHOOK_VERIFY_TOKEN = "verify-me"
    settings.STRAVA_SUBSCRIPTION_ID = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # the shared rate budget
    yield settings
    cache.clear()


@pytest.fixture
def campaign(tree, participant):
    campaign = CampaignFactory(organiser_unit=tree["LA"], starts_at=NOW - timedelta(days=5))
    RegistrationFactory(campaign=campaign, user=participant, registered_at=NOW - timedelta(days=4))
    return campaign
