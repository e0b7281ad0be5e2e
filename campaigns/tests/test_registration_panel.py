import pytest
from django.conf import settings

from campaigns.tests.factories import CampaignFactory
from kindsteps.testing.clock import local_at

pytestmark = pytest.mark.django_db


def test_panel_says_registration_is_open_until_24_00_of_the_last_day(client, tree, participant):
    closes = local_at(11, 0)  # the midnight that ends 21/03/2026
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], registration_closes_at=closes)
    client.force_login(participant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(f"/c/{campaign.slug}/").content.decode()
    assert "Registration is open until 24:00 21/03/2026." in body
