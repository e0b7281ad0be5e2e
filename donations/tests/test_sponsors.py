"""Sponsors' pledges converted live from the standings totals, with caps."""

import pytest

from campaigns.tests.factories import CampaignFactory
from donations.models import Sponsor
from donations.sponsors import contribution, sponsor_rows, sponsors_context, sponsors_total
from standings.models import Scope, Total
from teams.models import Team


@pytest.fixture
def campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA-CD"])


def credit(campaign, scope: str, key: int, metres: int, shard: int = 0) -> None:
    Total.objects.update_or_create(
        campaign=campaign, scope=scope, key=key, shard=shard, defaults={"distance_m": metres}
    )


def test_the_plans_rate_gives_a_thousand_dong_per_km_pro_rata():
    assert contribution(12_345_678, 1000, None) == 12_345_678
    assert contribution(1_500, 1000, None) == 1_500
    assert contribution(999, 3, None) == 2
    assert contribution(50_000_000, 1000, 20_000_000) == 20_000_000


def test_campaign_team_and_unit_pledges_follow_their_totals(campaign, tree):
    team = Team.objects.create(campaign=campaign, name="CLB Chạy bộ")
    Sponsor.objects.create(campaign=campaign, name="Toàn chiến dịch", vnd_per_km=1000)
    Sponsor.objects.create(campaign=campaign, name="Đội", vnd_per_km=2000, cap=50_000, team=team)
    Sponsor.objects.create(campaign=campaign, name="Xã", vnd_per_km=500, unit=tree["LA-CD-LTR"])
    credit(campaign, Scope.CAMPAIGN, 0, 100_000, shard=0)
    credit(campaign, Scope.CAMPAIGN, 0, 23_456, shard=1)
    credit(campaign, Scope.TEAM, team.pk, 40_000)
    credit(campaign, Scope.UNIT, tree["LA-CD-LTR"].pk, 7_000)

    rows = {row.sponsor.name: row for row in sponsor_rows(campaign)}

    assert (rows["Toàn chiến dịch"].distance_m, rows["Toàn chiến dịch"].amount) == (
        123_456,
        123_456,
    )
    assert (rows["Đội"].amount, rows["Đội"].capped) == (50_000, True)
    assert (rows["Xã"].amount, rows["Xã"].capped) == (3_500, False)
    assert sponsors_total(list(rows.values())) == 123_456 + 50_000 + 3_500


def test_contribution_is_live_when_kilometres_come_in_or_are_taken_back(campaign):
    Sponsor.objects.create(campaign=campaign, name="Nhà tài trợ", vnd_per_km=1000)
    credit(campaign, Scope.CAMPAIGN, 0, 5_000)
    assert sponsor_rows(campaign)[0].amount == 5_000

    credit(campaign, Scope.CAMPAIGN, 0, 12_000)
    assert sponsor_rows(campaign)[0].amount == 12_000

    credit(campaign, Scope.CAMPAIGN, 0, 2_000)
    assert sponsor_rows(campaign)[0].amount == 2_000


def test_another_campaigns_kilometres_do_not_count(campaign, tree):
    other = CampaignFactory(organiser_unit=tree["LA-CD"])
    Sponsor.objects.create(campaign=campaign, name="Nhà tài trợ", vnd_per_km=1000)
    credit(other, Scope.CAMPAIGN, 0, 90_000)

    assert sponsor_rows(campaign)[0].amount == 0


def test_sponsor_list_renders_the_live_contribution(campaign):
    from django.template.loader import render_to_string

    Sponsor.objects.create(campaign=campaign, name="Công ty Cần Đước", vnd_per_km=1000)
    credit(campaign, Scope.CAMPAIGN, 0, 1_234_000)

    html = render_to_string("donations/_sponsors.html", sponsors_context(campaign))

    assert "Công ty Cần Đước" in html
    assert "1.234.000 đ" in html
    assert "1.234,0 km" in html  # the campaign's km as the board writes them
    assert (
        render_to_string(
            "donations/_sponsors.html", sponsors_context(other_campaign(campaign))
        ).strip()
        == ""
    )


def other_campaign(campaign):
    return CampaignFactory(organiser_unit=campaign.organiser_unit)
