from datetime import UTC, timedelta

import pytest
from django.urls import reverse

from campaigns.models import Registration, RegistrationStatus
from campaigns.tests.factories import CampaignFactory, CategoryFactory
from kindsteps.testing.clock import NOW
from teams.tests.factories import TeamFactory


def _detail(campaign) -> str:
    return reverse("campaigns:detail", args=[campaign.slug])


def test_campaign_page_shows_the_plan_window_in_local_time(english, plan_campaign):
    body = english.get(_detail(plan_campaign)).content.decode()
    assert "A Million Steps of Compassion 2024" in body
    assert "08:00 25/02/2024 – 24:00 21/04/2024" in body
    assert '<span class="badge status-finished">Finished</span>' in body
    assert "This campaign has finished." in body


def test_campaign_page_formats_the_rate_the_vietnamese_way(client, open_campaign):
    body = client.get(_detail(open_campaign)).content.decode()
    assert "1.000 đ / km" in body
    assert "Đi bộ đang mở" in body


def test_campaign_page_formats_the_rate_with_commas_in_english(english, tree):
    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"], vnd_per_km=1500, money_target=20_000_000
    )
    body = english.get(_detail(campaign)).content.decode()
    assert "1,500 đ / km" in body
    assert "20,000,000 đ" in body


def test_description_is_escaped_and_keeps_line_breaks(english, tree):
    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"],
        description_en="First line\nsecond <script>alert(1)</script>\n\nNew paragraph",
    )
    body = english.get(_detail(campaign)).content.decode()
    assert "First line<br>second &lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<p>New paragraph</p>" in body
    assert "<script>alert(1)" not in body


def test_campaign_page_lists_sports_categories_and_counts(english, open_campaign, participant):
    CategoryFactory(campaign=open_campaign, name_en="5 km")
    CategoryFactory(
        campaign=open_campaign, name_en="Free accumulation", distance_m=None, position=1
    )
    team = TeamFactory(campaign=open_campaign)
    Registration.objects.create(
        campaign=open_campaign, user=participant, bib=1, team=team, rules_accepted_at=NOW
    )
    body = english.get(_detail(open_campaign)).content.decode()
    assert "Walk, Run" in body
    assert "5 km" in body and "Free accumulation <small>(no fixed distance)</small>" in body
    assert "<strong>1</strong>\n    <span>participants / 65</span>" in body
    assert 'hx-trigger="every 30s"' in body
    assert f'hx-get="{_detail(open_campaign)}?part=counts"' in body


def test_live_counts_partial_counts_only_active_registrations(
    english, open_campaign, participant, user_factory
):
    now = NOW
    Registration.objects.create(
        campaign=open_campaign, user=participant, bib=1, rules_accepted_at=now
    )
    Registration.objects.create(
        campaign=open_campaign,
        user=user_factory("gone@example.org"),
        bib=2,
        rules_accepted_at=now,
        status=RegistrationStatus.WITHDRAWN,
    )
    TeamFactory(campaign=open_campaign)
    TeamFactory(campaign=open_campaign)
    response = english.get(_detail(open_campaign), {"part": "counts"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "<strong>1</strong>" in body and "<strong>2</strong>" in body


def test_upcoming_campaign_counts_down_to_its_start(english, upcoming_campaign):
    body = english.get(_detail(upcoming_campaign)).content.decode()
    assert "Starts in" in body
    assert "data-countdown-until=" in body
    assert "2 days" in body or "3 days" in body


def test_open_campaign_counts_down_to_its_end(english, open_campaign):
    body = english.get(_detail(open_campaign)).content.decode()
    assert "Ends in" in body
    assert f'data-countdown-until="{open_campaign.ends_at.astimezone(UTC).isoformat()}"' in body


def test_campaign_page_keeps_the_registration_and_team_panels(english, open_campaign):
    response = english.get(_detail(open_campaign))
    names = [template.name for template in response.templates]
    assert "campaigns/_registration_panel.html" in names
    assert "teams/_campaign_team_panel.html" in names


def test_unknown_campaign_is_not_found(client, db):
    assert client.get(reverse("campaigns:detail", args=["nope"])).status_code == 404


class TestPrivateCampaign:
    def test_is_not_found_without_the_invite_code(self, client, private_campaign):
        assert client.get(_detail(private_campaign)).status_code == 404

    def test_is_not_found_with_a_wrong_code(self, client, private_campaign):
        response = client.get(_detail(private_campaign), {"code": "wrong"})
        assert response.status_code == 404

    def test_opens_with_the_invite_code_and_stays_open_for_the_session(
        self, english, private_campaign
    ):
        response = english.get(_detail(private_campaign), {"code": private_campaign.invite_code})
        assert response.status_code == 200
        assert "Private walk" in response.content.decode()
        assert english.get(_detail(private_campaign)).status_code == 200

    def test_opens_for_its_organisers(self, client, private_campaign, owner, member):
        client.force_login(owner)
        assert client.get(_detail(private_campaign)).status_code == 200
        client.force_login(member)
        # Staff of a commune below the organiser do not organise the campaign.
        assert client.get(_detail(private_campaign)).status_code == 404

    def test_is_not_found_for_an_outsider(self, client, private_campaign, outsider):
        client.force_login(outsider)
        assert client.get(_detail(private_campaign)).status_code == 404

    def test_opens_for_someone_registered(self, client, private_campaign, participant):
        Registration.objects.create(
            campaign=private_campaign, user=participant, bib=1, rules_accepted_at=NOW
        )
        client.force_login(participant)
        assert client.get(_detail(private_campaign)).status_code == 200


@pytest.fixture
def draft(tree):
    return CampaignFactory(
        organiser_unit=tree["LA-CD"],
        is_published=False,
        starts_at=NOW + timedelta(days=10),
    )


def test_unpublished_campaign_is_not_found_for_the_public(client, draft, outsider):
    assert client.get(_detail(draft)).status_code == 404
    client.force_login(outsider)
    assert client.get(_detail(draft)).status_code == 404


def test_unpublished_campaign_opens_for_its_organisers(client, draft, owner):
    client.force_login(owner)
    assert client.get(_detail(draft)).status_code == 200


def test_organisers_get_a_link_to_manage_the_campaign(english, open_campaign, owner, member):
    manage_url = reverse("campaigns:manage_edit", args=[open_campaign.slug])
    assert manage_url not in english.get(_detail(open_campaign)).content.decode()
    english.force_login(member)
    assert manage_url not in english.get(_detail(open_campaign)).content.decode()
    english.force_login(owner)
    assert manage_url in english.get(_detail(open_campaign)).content.decode()
