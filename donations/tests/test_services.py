"""A donation is counted once, whatever the callbacks do."""

import pytest

from campaigns.tests.factories import CampaignFactory
from core.models import AuditEntry
from donations import services
from donations.models import DonationStatus, Method, PaymentEvent


@pytest.fixture
def campaign(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    settings = services.settings_for(campaign)
    settings.methods = [Method.VNPAY, Method.VIETQR]
    settings.save()
    return campaign


def test_a_donation_is_paid_once_however_often_it_is_confirmed(campaign):
    donation = services.create_donation(campaign, amount=200_000, method=Method.VNPAY)
    confirm = {"method": Method.VNPAY, "amount": 200_000, "provider_ref": "14000001"}

    first = services.confirm_paid(donation.reference, kind="ipn", **confirm)
    again = services.confirm_paid(donation.reference, kind="return", **confirm)

    assert (first.outcome, again.outcome) == (services.PAID, services.ALREADY_PAID)
    assert services.paid_total(campaign) == {"total": 200_000, "count": 1}
    assert PaymentEvent.objects.count() == 2
    assert AuditEntry.objects.filter(action="donations.donation.paid").count() == 1


def test_a_wrong_amount_is_refused_and_logged(campaign):
    donation = services.create_donation(campaign, amount=100_000, method=Method.VNPAY)

    result = services.confirm_paid(
        donation.reference, method=Method.VNPAY, amount=10_000, kind="ipn"
    )

    assert result.outcome == services.BAD_AMOUNT
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert AuditEntry.objects.filter(action="donations.donation.amount_mismatch").exists()


def test_limits_and_methods_are_the_campaigns(campaign):
    with pytest.raises(services.DonationError) as error:
        services.create_donation(campaign, amount=5_000, method=Method.VNPAY)
    assert error.value.code == "amount_out_of_range"
    with pytest.raises(services.DonationError) as error:
        services.create_donation(campaign, amount=50_000, method=Method.MOMO)
    assert error.value.code == "method_not_offered"


def test_a_refund_takes_the_donation_out_of_the_total(campaign, owner):
    donation = services.create_donation(campaign, amount=300_000, method=Method.VIETQR)
    services.confirm_paid(
        donation.reference, method=Method.VIETQR, amount=300_000, kind="statement"
    )

    services.mark_refunded(donation, actor=owner, note="chuyển nhầm")

    assert services.paid_total(campaign)["total"] == 0
    late = services.confirm_paid(
        donation.reference, method=Method.VIETQR, amount=300_000, kind="statement"
    )
    assert late.outcome == services.NOT_PAYABLE
