"""The public rules page: every rule of the campaign in words, with its own
figures written the way each language writes them, and linked from registration
and every verdict."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from campaigns.rules_text import rules_in_words
from campaigns.tests.factories import CampaignFactory

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def local_at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VIETNAM)


@pytest.fixture
def plan(tree):
    """The plan's campaign, 08:00 25/02/2024 – 24:00 21/04/2024, with a daily cap."""
    return CampaignFactory(
        slug="plan-2024",
        organiser_unit=tree["LA-CD"],
        starts_at=local_at(2024, 2, 25, 8),
        ends_at=local_at(2024, 4, 22),
        registration_opens_at=local_at(2024, 2, 20),
        registration_closes_at=local_at(2024, 4, 22),
        vnd_per_km=2000,
        rules={"daily_cap_m": 12500, "min_distance_m": 1500},
    )


def _page(client, campaign, language):
    client.cookies["kindsteps_language"] = language
    response = client.get(f"/c/{campaign.slug}/rules/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_english_page_states_every_rule_with_the_campaigns_figures(client, plan):
    page = _page(client, plan, "en")

    assert "from 08:00 on 25/02/2024 to 24:00 on 21/04/2024" in page
    assert "This campaign counts: Walk, Run." in page
    assert "An activity counts from 1.5 km." in page
    assert "At most 12.5 km count per person and campaign day" in page
    assert (
        "Running: an average pace between 4:00/km and 15:00/km; no kilometre faster than 3:30."
        in page
    )
    assert (
        "Walking: an average pace between 6:00/km and 20:00/km; no kilometre faster than 5:00."
        in page
    )
    assert "within 72 hours of its end, and no later than 24:00 on 24/04/2024" in page
    assert "Distances typed in by hand do not count." in page
    assert "An activity needs a GPS track" in page
    assert "Activities recorded before you register" in page
    assert "Every valid km adds 2,000 đồng" in page


def test_the_vietnamese_page_writes_numbers_the_vietnamese_way(client, plan):
    page = _page(client, plan, "vi")

    assert "08:00 ngày 25/02/2024" in page and "24:00 ngày 21/04/2024" in page
    assert "1,5 km" in page and "12,5 km" in page
    assert "2.000 đồng" in page
    assert "Thể lệ" in page


def test_the_page_says_what_happens_to_activities_before_registering(client, plan):
    assert "They count." in _page(client, plan, "en")

    plan.count_before_registration = False
    plan.save()

    assert "They do not count." in _page(client, plan, "en")


def test_the_page_says_when_teams_lock(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], starts_at=local_at(2026, 3, 12, 6))
    with translation.override("en"):
        teams = next(s for s in rules_in_words(campaign) if s.key == "teams")
        assert "until 06:00 on 12/03/2026" in teams.lines[0]
        campaign.teams_lock_at = local_at(2026, 3, 20, 20)
        assert "until 20:00 on 20/03/2026" in rules_in_words(campaign)[-2].lines[0]
        campaign.teams_lock_at = local_at(2026, 3, 10, 20)  # the day before the suite's now
        assert "locked since 20:00 on 10/03/2026" in rules_in_words(campaign)[-2].lines[0]


def test_a_private_campaigns_rules_need_its_invite_code(client, tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], visibility="private")

    assert client.get(f"/c/{campaign.slug}/rules/").status_code == 404
    assert client.get(f"/c/{campaign.slug}/rules/?code={campaign.invite_code}").status_code == 200


def test_registration_links_to_the_rules_and_says_what_counts(client, tree, participant):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    client.cookies["kindsteps_language"] = "en"
    client.force_login(participant)

    page = client.get(f"/c/{campaign.slug}/register/").content.decode()

    assert f'href="/c/{campaign.slug}/rules/"' in page
    assert "What you recorded during the campaign before registering counts too" in page
