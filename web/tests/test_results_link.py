"""The campaign page leads to the results once the campaign is over."""

from datetime import timedelta

from django.urls import reverse

from campaigns.tests.factories import CampaignFactory
from kindsteps.testing.clock import NOW


def test_a_finished_campaign_links_to_its_results(client, tree):
    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"],
        starts_at=NOW - timedelta(days=30),
        ends_at=NOW - timedelta(days=1),
    )

    page = client.get(reverse("campaigns:detail", args=[campaign.slug])).content.decode()

    assert reverse("results:page", args=[campaign.slug]) in page


def test_an_open_campaign_has_no_results_link_yet(client, tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])

    page = client.get(reverse("campaigns:detail", args=[campaign.slug])).content.decode()

    assert reverse("results:page", args=[campaign.slug]) not in page
