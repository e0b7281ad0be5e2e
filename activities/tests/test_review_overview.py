"""The organiser's menu leads to the review queue: the Review entry lists the
campaigns a person reviews with how many activities wait in each."""

from datetime import timedelta

import pytest
from django.urls import reverse

from activities.tests.factories import ActivityFactory, VerdictFactory
from campaigns.tests.factories import CampaignFactory
from kindsteps.testing.clock import NOW

pytestmark = pytest.mark.django_db
OVERVIEW = "/manage/review/"


@pytest.fixture
def district_campaign(tree, participant):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], slug="cd-review")
    VerdictFactory(
        campaign=campaign,
        activity=ActivityFactory(user=participant),
        judged_at=NOW - timedelta(hours=2),
    )
    return campaign


def test_the_menu_of_an_organiser_links_to_review(client, owner, district_campaign):
    client.force_login(owner)

    page = client.get(reverse("campaigns:manage_list")).content.decode()

    assert f'href="{OVERVIEW}"' in page


def test_a_participant_sees_no_review_entry_and_cannot_open_it(client, participant):
    client.force_login(participant)

    assert f'href="{OVERVIEW}"' not in client.get("/").content.decode()
    assert client.get(OVERVIEW).status_code == 404


def test_one_campaign_leads_straight_to_its_queue(client, owner, district_campaign):
    client.force_login(owner)

    response = client.get(OVERVIEW)

    assert response.status_code == 302
    assert response["Location"] == reverse("review:queue", args=[district_campaign.slug])


def test_several_campaigns_are_listed_with_what_waits(client, owner, tree, district_campaign):
    quiet = CampaignFactory(organiser_unit=tree["LA-CD"], title_en="Quiet walk")
    client.cookies["kindsteps_language"] = "en"
    client.force_login(owner)

    page = client.get(OVERVIEW).content.decode()

    assert "1 activity waits for review" in page
    assert "Nothing waits for review." in page
    assert reverse("review:queue", args=[quiet.slug]) in page
    assert page.index(district_campaign.title_en) < page.index("Quiet walk")


def test_commune_staff_reach_the_district_campaign_they_review(client, member, district_campaign):
    client.force_login(member)

    response = client.get(OVERVIEW)

    assert response["Location"] == reverse("review:queue", args=[district_campaign.slug])


def test_an_outsider_does_not_see_the_neighbours_campaign(client, outsider, district_campaign):
    client.cookies["kindsteps_language"] = "en"
    client.force_login(outsider)

    page = client.get(OVERVIEW).content.decode()

    assert district_campaign.slug not in page
