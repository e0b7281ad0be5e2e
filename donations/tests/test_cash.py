"""Cash recorded by a unit's staff, with a receipt number unique per campaign."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from campaigns.tests.factories import CampaignFactory
from core.models import AuditEntry
from donations import services
from donations.models import Donation, DonationStatus, Method, PaymentEvent
from donations.providers.cash import record_cash


@pytest.fixture
def campaign(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], slug="cash-campaign")
    services.settings_for(campaign)  # takes bank transfers and cash by default
    return campaign


def test_unit_staff_record_cash_which_counts_as_paid_at_once(campaign, member, tree):
    donation = record_cash(
        campaign,
        tree["LA-CD-LTR"],
        amount=300_000,
        receipt_number=" 0001234 ",
        donor_name="Bà Sáu",
        actor=member,
    )

    assert donation.status == DonationStatus.PAID
    assert (donation.method, donation.receipt_number, donation.recorded_by) == (
        Method.CASH,
        "0001234",
        member,
    )
    assert donation.unit == tree["LA-CD-LTR"]
    assert services.paid_total(campaign) == {"total": 300_000, "count": 1}
    assert PaymentEvent.objects.get(donation=donation).kind == "cash"
    paid = AuditEntry.objects.get(action="donations.donation.paid")
    assert paid.actor == member


def test_the_same_receipt_is_refused_within_a_campaign_but_not_in_another(campaign, member, tree):
    record_cash(campaign, tree["LA-CD-LTR"], amount=100_000, receipt_number="A1", actor=member)

    with pytest.raises(services.DonationError) as error:
        record_cash(campaign, tree["LA-CD-LTR"], amount=50_000, receipt_number="A1", actor=member)

    assert error.value.code == "receipt_duplicate"
    assert services.paid_total(campaign)["count"] == 1
    other = CampaignFactory(organiser_unit=tree["LA-CD"])
    services.settings_for(other)
    assert record_cash(other, tree["LA-CD-LTR"], amount=50_000, receipt_number="A1", actor=member)


def test_staff_cannot_record_cash_for_a_unit_not_theirs(campaign, member, outsider, tree):
    with pytest.raises(services.DonationError) as error:
        record_cash(campaign, tree["LA-CD-THPT"], amount=100_000, receipt_number="1", actor=member)
    assert error.value.code == "not_unit_staff"
    with pytest.raises(services.DonationError):
        record_cash(campaign, tree["LA-CG-PL"], amount=100_000, receipt_number="2", actor=outsider)
    assert services.paid_total(campaign)["count"] == 0


def test_a_receipt_number_is_required_and_limits_apply(campaign, owner, tree):
    with pytest.raises(services.DonationError) as missing:
        record_cash(campaign, tree["LA-CD"], amount=100_000, receipt_number=" ", actor=owner)
    with pytest.raises(services.DonationError) as small:
        record_cash(campaign, tree["LA-CD"], amount=500, receipt_number="9", actor=owner)

    assert (missing.value.code, small.value.code) == ("receipt_missing", "amount_out_of_range")


def test_member_records_cash_through_the_form(client, campaign, member, tree):
    client.force_login(member)
    url = reverse("donations_manage:cash", args=[campaign.slug])

    page = client.get(url)
    response = client.post(
        url,
        {
            "unit": tree["LA-CD-LTR"].pk,
            "receipt_number": "LT-77",
            "amount": "200000",
            "donor_name": "Ông Bảy",
            "is_anonymous": "on",
        },
    )

    assert list(page.context["form"].fields["unit"].queryset) == [tree["LA-CD-LTR"]]
    assert response.status_code == 302
    donation = campaign.donations.get()
    assert (donation.receipt_number, donation.is_anonymous, donation.amount) == (
        "LT-77",
        True,
        200_000,
    )
    again = client.post(
        url, {"unit": tree["LA-CD-LTR"].pk, "receipt_number": "LT-77", "amount": "1000000"}
    )
    assert again.status_code == 400
    assert "LT-77" in again.content.decode()
    assert campaign.donations.count() == 1


@pytest.mark.parametrize(("typed", "amount"), [("300.000", 300_000), ("1,500,000", 1_500_000)])
def test_the_cash_desk_reads_an_amount_as_written_on_the_receipt(
    client, campaign, member, tree, typed, amount
):
    client.force_login(member)

    client.post(
        reverse("donations_manage:cash", args=[campaign.slug]),
        {"unit": tree["LA-CD-LTR"].pk, "receipt_number": "LT-9", "amount": typed},
    )

    assert campaign.donations.get().amount == amount


def test_the_cash_desk_refuses_a_fractional_dong(client, campaign, member, tree):
    client.force_login(member)

    response = client.post(
        reverse("donations_manage:cash", args=[campaign.slug]),
        {"unit": tree["LA-CD-LTR"].pk, "receipt_number": "LT-9", "amount": "300.000,50"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors.as_data()["amount"][0].code == "amount_fractional"
    assert not campaign.donations.exists()


def test_member_cannot_post_cash_for_another_unit(client, campaign, member, tree):
    client.force_login(member)
    response = client.post(
        reverse("donations_manage:cash", args=[campaign.slug]),
        {"unit": tree["LA-CD-THPT"].pk, "receipt_number": "X", "amount": "100000"},
    )

    assert response.status_code == 400
    assert not campaign.donations.exists()


def test_outsider_gets_not_found_for_cash(client, campaign, outsider, tree):
    client.force_login(outsider)
    url = reverse("donations_manage:cash", args=[campaign.slug])

    assert client.get(url).status_code == 404
    response = client.post(
        url, {"unit": tree["LA-CG-PL"].pk, "receipt_number": "X", "amount": "100000"}
    )
    assert response.status_code == 404
    assert not campaign.donations.exists()


@pytest.mark.parametrize("again", ["AUD-777", "aud-777", " Aud-777 ", "AUD-777\u00a0"])
def test_a_receipt_number_is_the_same_whatever_its_case(campaign, member, tree, again):
    record_cash(campaign, tree["LA-CD-LTR"], amount=100_000, receipt_number="aud-777", actor=member)

    with pytest.raises(services.DonationError) as error:
        record_cash(campaign, tree["LA-CD-LTR"], amount=100_000, receipt_number=again, actor=member)

    assert error.value.code == "receipt_duplicate"
    assert campaign.donations.get().receipt_number == "aud-777"


def test_spaces_inside_a_receipt_number_are_collapsed(campaign, member, tree):
    first = record_cash(
        campaign, tree["LA-CD-LTR"], amount=100_000, receipt_number="BL  01", actor=member
    )

    with pytest.raises(services.DonationError):
        record_cash(
            campaign, tree["LA-CD-LTR"], amount=100_000, receipt_number="bl 01", actor=member
        )
    assert first.receipt_number == "BL 01"


def test_the_desk_refuses_a_receipt_recorded_in_another_case(client, campaign, member, tree):
    client.force_login(member)
    url = reverse("donations_manage:cash", args=[campaign.slug])
    form = {"unit": tree["LA-CD-LTR"].pk, "amount": "100000"}

    client.post(url, {**form, "receipt_number": "AUD-777"})
    again = client.post(url, {**form, "receipt_number": "aud-777"})

    assert again.status_code == 400
    assert campaign.donations.count() == 1


def test_the_migration_normalises_receipts_and_keeps_the_clashing_ones(campaign, member, tree):
    from django.apps import apps

    migration = importlib.import_module(
        "donations.migrations.0002_cash_receipt_numbers_ignore_case"
    )
    moment = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)

    def recorded_before(number: str, minutes: int) -> Donation:
        return Donation.objects.create(
            campaign=campaign,
            amount=100_000,
            method=Method.CASH,
            status=DonationStatus.PAID,
            receipt_number=number,
            provider_ref=f"receipt:{campaign.pk}:{number}",
            created_at=moment + timedelta(minutes=minutes),
            paid_at=moment + timedelta(minutes=minutes),
        )

    later = recorded_before("AUD-777", 5)
    first = recorded_before("aud-777", 0)
    alone = recorded_before("Lt-1", 9)

    migration.normalise_receipts(apps, None)

    refs = {d.pk: d.provider_ref for d in Donation.objects.all()}
    assert refs == {
        first.pk: f"receipt:{campaign.pk}:AUD-777",
        later.pk: f"receipt:{campaign.pk}:AUD-777#{later.pk}",
        alone.pk: f"receipt:{campaign.pk}:LT-1",
    }
    clash = AuditEntry.objects.get(action="donations.cash.receipt_clash")
    assert (clash.object_id, clash.data) == (
        str(later.pk),
        {"receipt": "AUD-777", "same_as": first.reference},
    )
    assert services.paid_total(campaign) == {"total": 300_000, "count": 3}
    with pytest.raises(services.DonationError):
        record_cash(
            campaign, tree["LA-CD-LTR"], amount=1_000_000, receipt_number="lt-1", actor=member
        )
