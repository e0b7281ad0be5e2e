"""The appeal window after a campaign's end, set on the organiser's campaign form."""

from datetime import timedelta

from django.urls import reverse

from campaigns.models import Campaign
from campaigns.tests.conftest import campaign_post
from campaigns.tests.factories import CampaignFactory

CREATE = "/manage/campaigns/new/"


def test_the_organiser_sets_the_appeal_window_in_hours(client, owner, tree):
    client.force_login(owner)

    client.post(CREATE, campaign_post(tree["LA-CD"], appeal_window_hours="72"))

    campaign = Campaign.objects.get()
    assert campaign.appeal_window_hours == 72
    assert campaign.appeal_ends_at == campaign.ends_at + timedelta(hours=72)


def test_an_empty_appeal_window_is_the_default_48_hours(client, owner, tree):
    client.force_login(owner)

    client.post(CREATE, campaign_post(tree["LA-CD"], appeal_window_hours=""))

    assert Campaign.objects.get().appeal_window_hours == 48


def test_the_settings_screen_links_to_the_results_screen(client, owner, tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    client.force_login(owner)

    page = client.get(reverse("campaigns:manage_edit", args=[campaign.slug])).content.decode()

    assert reverse("results:manage", args=[campaign.slug]) in page
