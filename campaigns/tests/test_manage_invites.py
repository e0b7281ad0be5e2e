"""The organisers' invite links and posters page, for owner, member and outsider."""

import pytest
from django.urls import reverse

from campaigns.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA-CD"], slug="cd-2024")


def url(campaign) -> str:
    return reverse("campaigns:manage_invites", args=[campaign.slug])


def test_owner_sees_every_unit_of_the_district_with_its_link_and_posters(client, owner, campaign):
    client.force_login(owner)
    body = client.get(url(campaign)).content.decode()
    for code in ("LA-CD", "LA-CD-LTR", "LA-CD-THPT"):
        assert f"/c/cd-2024/u/{code}/poster.pdf" in body
        assert f"http://127.0.0.1:8000/c/cd-2024/u/{code}/" in body
    assert "LA-CG-PL" not in body


def test_member_sees_only_their_own_commune(client, member, campaign):
    client.force_login(member)
    body = client.get(url(campaign)).content.decode()
    assert "/c/cd-2024/u/LA-CD-LTR/poster.pdf" in body
    assert "/c/cd-2024/u/LA-CD-THPT/poster.pdf" not in body


def test_outsider_gets_not_found(client, outsider, campaign):
    client.force_login(outsider)
    assert client.get(url(campaign)).status_code == 404


def test_anonymous_is_sent_to_log_in(client, campaign):
    response = client.get(url(campaign))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_search_narrows_the_units(client, owner, campaign):
    client.force_login(owner)
    body = client.get(url(campaign), {"q": "Long Trạch"}).content.decode()
    assert "LA-CD-LTR/poster.pdf" in body and "LA-CD-THPT/poster.pdf" not in body


def test_commune_staff_find_their_invite_link_and_poster_on_their_unit_page(
    client, member, campaign
):
    client.force_login(member)
    body = client.get(reverse("orgs:detail", args=["LA-CD-LTR"])).content.decode()
    assert campaign.title_vi in body
    assert "/c/cd-2024/u/LA-CD-LTR/poster.pdf" in body


def test_unit_page_does_not_offer_finished_campaigns(client, member, tree):
    from datetime import timedelta

    from kindsteps.testing.clock import NOW

    old = CampaignFactory(organiser_unit=tree["LA-CD"], starts_at=NOW - timedelta(days=100))
    client.force_login(member)
    body = client.get(reverse("orgs:detail", args=["LA-CD-LTR"])).content.decode()
    assert old.title_vi not in body
