from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from campaigns.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_panel_says_registration_is_open_until_24_00_of_the_last_day(client, tree, participant):
    today = timezone.now().astimezone(VN).date()
    closes = datetime(today.year, today.month, today.day, tzinfo=VN) + timedelta(days=11)
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], registration_closes_at=closes)
    client.force_login(participant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(f"/c/{campaign.slug}/").content.decode()
    last_day = (closes - timedelta(days=1)).strftime("%d/%m/%Y")
    assert f"Registration is open until 24:00 {last_day}." in body
