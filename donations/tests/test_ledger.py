"""The open ledger: the public list, receipts, and a CSV whose amounts add up
to the total the campaign page shows."""

import csv
import io
import re

import pytest

from campaigns.models import Visibility
from campaigns.tests.factories import CampaignFactory
from donations import services
from donations.models import Donation, Method
from donations.providers.cash import record_cash
from kindsteps.testing.spreadsheets import FORMULA_LIKE
from teams.tests.factories import TeamFactory


@pytest.fixture
def campaign(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], money_target=2_000_000)
    settings = services.settings_for(campaign)
    settings.methods = [Method.VNPAY, Method.VIETQR]
    settings.save()
    return campaign


def paid(campaign, amount, **fields) -> Donation:
    donation = services.create_donation(campaign, amount=amount, method=Method.VNPAY, **fields)
    services.confirm_paid(
        donation.reference,
        method=Method.VNPAY,
        amount=amount,
        provider_ref=donation.reference,
        kind="ipn",
    )
    return donation


def read_csv(client, campaign) -> list[dict]:
    response = client.get(f"/c/{campaign.slug}/donations.csv")
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def shown_total(html: str, testid: str) -> int:
    match = re.search(rf'data-testid="{testid}">([\d.]+) đ<', html)
    return int(match.group(1).replace(".", ""))


def test_the_exported_ledger_adds_up_to_the_total_on_the_campaign_page(client, campaign, owner):
    for amount in (50_000, 123_456, 1_000_000, 77_777):
        paid(campaign, amount, donor_name="Người ủng hộ")
    refunded = paid(campaign, 300_000)
    services.mark_refunded(refunded, actor=owner)
    services.create_donation(campaign, amount=90_000, method=Method.VNPAY)  # never paid

    rows = read_csv(client, campaign)
    box = client.get(f"/c/{campaign.slug}/donations/box/").content.decode()
    ledger = client.get(f"/c/{campaign.slug}/donations/").content.decode()
    page = client.get(f"/c/{campaign.slug}/").content.decode()

    exported = sum(int(row["amount_vnd"]) for row in rows)
    assert exported == 1_251_233
    assert shown_total(page, "raised") == exported
    assert shown_total(box, "raised") == exported
    assert shown_total(ledger, "ledger-total") == exported
    assert refunded.reference not in {row["reference"] for row in rows}


def test_the_number_of_donors_counts_people_not_donations(
    client, campaign, participant, owner, member, tree
):
    settings = services.settings_for(campaign)
    settings.methods = [*settings.methods, Method.CASH]
    settings.save()
    paid(campaign, 50_000, user=participant)
    paid(campaign, 70_000, user=participant, is_anonymous=True)
    paid(campaign, 80_000, email="walker@example.org")  # the same person, not logged in
    paid(campaign, 60_000, email="Hoa@Example.org")
    paid(campaign, 40_000, email="hoa@example.org")
    paid(campaign, 30_000, donor_name="Ẩn danh 1")
    paid(campaign, 30_000, donor_name="Ẩn danh 1")  # no account, no e-mail: two gifts
    refunded = paid(campaign, 90_000, email="someone@example.org")
    services.mark_refunded(refunded, actor=owner)
    services.create_donation(campaign, amount=90_000, method=Method.VNPAY, email="x@example.org")
    record_cash(campaign, tree["LA-CD-LTR"], amount=20_000, receipt_number="C1", actor=member)

    box = client.get(f"/c/{campaign.slug}/donations/box/").content.decode()
    ledger = client.get(f"/c/{campaign.slug}/donations/").content.decode()

    assert services.donor_count(campaign) == 5
    assert services.paid_total(campaign)["count"] == 8
    assert "từ 5 người ủng hộ" in box and "từ 5 người ủng hộ" in ledger


def test_anonymous_donors_are_shown_as_such_everywhere(client, campaign):
    hidden = paid(campaign, 60_000, donor_name="Phạm Văn Kín", is_anonymous=True)
    paid(campaign, 70_000, donor_name="Lê Thị Hoa")

    ledger = client.get(f"/c/{campaign.slug}/donations/").content.decode()
    receipt = client.get(f"/donations/{hidden.reference}/").content.decode()
    rows = read_csv(client, campaign)

    assert "Phạm Văn Kín" not in ledger + receipt + str(rows)
    assert "Lê Thị Hoa" in ledger
    assert ledger.count("Ẩn danh") == 1
    assert {row["donor"] for row in rows} == {"Anonymous", "Lê Thị Hoa"}


def test_the_ledger_is_paginated_fifty_a_page_newest_first(client, campaign):
    for n in range(53):
        paid(campaign, 10_000 + n, donor_name=f"Donor {n:02d}")

    first = client.get(f"/c/{campaign.slug}/donations/").content.decode()
    second = client.get(f"/c/{campaign.slug}/donations/?page=2").content.decode()

    assert first.count('class="who"') == 50 and second.count('class="who"') == 3
    assert "Donor 52" in first and "Donor 00" in second
    assert "?page=2" in first
    assert len(read_csv(client, campaign)) == 53


def test_the_ledger_does_not_show_e_mail_addresses(client, campaign):
    paid(campaign, 50_000, donor_name="Hùng", email="hung@example.org")

    ledger = client.get(f"/c/{campaign.slug}/donations/").content.decode()

    assert "hung@example.org" not in ledger + str(read_csv(client, campaign))


def test_a_name_that_looks_like_a_formula_is_exported_as_text(client, campaign):
    paid(campaign, 50_000, donor_name='=HYPERLINK("http://x")')

    assert read_csv(client, campaign)[0]["donor"].startswith("'=")


@pytest.mark.parametrize("name", FORMULA_LIKE)
def test_formula_like_donor_and_team_names_are_escaped_and_amounts_stay_numbers(
    client, campaign, name
):
    team = TeamFactory(campaign=campaign, name=name)
    paid(campaign, 50_000, donor_name=name, team=team)

    (row,) = read_csv(client, campaign)

    assert (row["donor"], row["team"]) == (f"'{name}", f"'{name}")
    assert row["amount_vnd"] == "50000"


def test_the_ledger_of_a_private_campaign_is_not_found_for_a_stranger(client, campaign):
    campaign.visibility = Visibility.PRIVATE
    campaign.save()

    assert client.get(f"/c/{campaign.slug}/donations/").status_code == 404
    assert client.get(f"/c/{campaign.slug}/donations.csv").status_code == 404


def test_the_ledger_of_a_private_campaign_opens_for_its_organiser(client, campaign, owner):
    campaign.visibility = Visibility.PRIVATE
    campaign.save()
    client.force_login(owner)

    assert client.get(f"/c/{campaign.slug}/donations/").status_code == 200


def test_an_unknown_receipt_is_not_found(client, campaign):
    assert client.get("/donations/KSNOTHERE/").status_code == 404
