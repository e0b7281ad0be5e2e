from datetime import timedelta

import pytest
from django.urls import reverse

from campaigns.tests.factories import CampaignFactory
from kindsteps.testing.clock import NOW


@pytest.fixture
def draft(tree):
    return CampaignFactory(
        organiser_unit=tree["LA-CD-LTR"],
        title_en="Draft walk",
        is_published=False,
        starts_at=NOW + timedelta(days=5),
    )


def _url(campaign) -> str:
    return reverse("campaigns:manage_preview", args=[campaign.slug])


def test_owner_previews_an_unpublished_campaign_as_participants_will_see_it(english, owner, draft):
    english.force_login(owner)
    response = english.get(_url(draft))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Draft walk" in body
    assert "It is not published yet." in body
    assert "Starts in" in body
    assert "campaigns/_registration_panel.html" in [t.name for t in response.templates]


def test_member_previews_a_campaign_of_their_unit(client, member, draft):
    client.force_login(member)
    assert client.get(_url(draft)).status_code == 200


def test_member_gets_not_found_for_a_campaign_above_their_unit(client, member, plan_campaign):
    client.force_login(member)
    assert client.get(_url(plan_campaign)).status_code == 404


def test_outsider_gets_not_found(client, outsider, draft):
    client.force_login(outsider)
    assert client.get(_url(draft)).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, draft):
    assert client.get(_url(draft))["Location"].startswith(reverse("account_login"))
