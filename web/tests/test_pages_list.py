from datetime import timedelta

import pytest
from django.urls import reverse

from campaigns.tests.factories import CampaignFactory
from kindsteps.testing.clock import NOW


@pytest.fixture
def finished_campaign(tree):
    ends = NOW - timedelta(days=2)
    return CampaignFactory(
        slug="finished-walk",
        title_en="Finished walk",
        organiser_unit=tree["LA-CD"],
        starts_at=ends - timedelta(days=30),
        ends_at=ends,
    )


def test_list_groups_public_campaigns_by_status(
    english, open_campaign, upcoming_campaign, finished_campaign
):
    body = english.get(reverse("campaigns:list")).content.decode()
    open_at = body.index('id="group-open"')
    upcoming_at = body.index('id="group-upcoming"')
    finished_at = body.index('id="group-finished"')
    assert open_at < body.index("Open walk") < upcoming_at
    assert upcoming_at < body.index("Upcoming run") < finished_at
    assert finished_at < body.index("Finished walk")


def test_list_never_shows_private_or_unpublished_campaigns(english, private_campaign, tree):
    CampaignFactory(title_en="Draft walk", organiser_unit=tree["LA-CD"], is_published=False)
    body = english.get(reverse("campaigns:list")).content.decode()
    assert "Private walk" not in body
    assert "Draft walk" not in body
    assert "No campaign is open right now." in body


def test_list_filters_by_status(english, open_campaign, upcoming_campaign, finished_campaign):
    body = english.get(reverse("campaigns:list"), {"status": "upcoming"}).content.decode()
    assert "Upcoming run" in body
    assert "Open walk" not in body and "Finished walk" not in body
    assert 'href="?status=upcoming" aria-current="page"' in body


def test_unknown_status_filter_shows_every_group(english, open_campaign):
    body = english.get(reverse("campaigns:list"), {"status": "bogus"}).content.decode()
    assert 'id="group-open"' in body and 'id="group-finished"' in body


def test_home_lists_open_and_upcoming_public_campaigns(
    english, open_campaign, upcoming_campaign, finished_campaign, private_campaign
):
    body = english.get(reverse("home")).content.decode()
    assert "Open walk" in body and "Upcoming run" in body
    assert "Finished walk" not in body and "Private walk" not in body
    assert "No campaigns yet." not in body
    assert body.index("Open walk") < body.index("Upcoming run")


def test_home_says_honestly_when_only_finished_campaigns_exist(english, finished_campaign):
    body = english.get(reverse("home")).content.decode()
    assert "No campaign is open or coming up right now." in body
    assert "?status=finished" in body
