"""The organiser sets whether activities recorded before registering count and
when teams lock, beside the campaign's dates."""

from datetime import datetime
from zoneinfo import ZoneInfo

from campaigns.models import Campaign
from campaigns.tests.conftest import campaign_post

CREATE = "/manage/campaigns/new/"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_new_campaign_counts_what_was_recorded_before_registering(client, owner, tree):
    client.force_login(owner)

    assert client.post(CREATE, campaign_post(tree["LA-CD"])).status_code == 302

    campaign = Campaign.objects.get()
    assert campaign.count_before_registration is True
    assert campaign.teams_lock_at is None
    assert campaign.teams_locked_from == campaign.starts_at


def test_the_organiser_turns_counting_off_and_sets_the_lock(client, owner, tree):
    client.force_login(owner)
    data = campaign_post(tree["LA-CD"], teams_lock_date="2024-03-03", teams_lock_time="20:00")
    del data["count_before_registration"]

    assert client.post(CREATE, data).status_code == 302

    campaign = Campaign.objects.get()
    assert campaign.count_before_registration is False
    assert campaign.teams_lock_at == datetime(2024, 3, 3, 20, tzinfo=VIETNAM)


def test_teams_cannot_lock_after_the_campaign_ends(english, owner, tree):
    english.force_login(owner)
    data = campaign_post(tree["LA-CD"], teams_lock_date="2024-05-01", teams_lock_time="08:00")

    response = english.post(CREATE, data)

    assert response.status_code == 400
    assert "Teams cannot lock after the campaign ends." in response.content.decode()
    assert not Campaign.objects.exists()
