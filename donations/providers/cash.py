"""Cash and other offline gifts, recorded by a unit's staff with a receipt number.

The donor hands the money to a Red Cross unit, which writes a receipt from its
receipt book; a staff member of that unit records it here. The receipt number
is unique within the campaign whatever its case or spacing ("aud-777" is
"AUD-777"): it is kept on the donation as typed and, normalised, as
``receipt:<campaign id>:<NUMBER>``, as the provider reference, whose database
constraint refuses the same receipt twice even when two people record it at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from campaigns.access import staff_units_in
from donations.models import Donation, Method
from donations.providers.base import BasePaymentProvider, Prepared
from donations.services import DonationError, confirm_paid, create_donation, mark_refunded

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from accounts.models import User
    from campaigns.models import Campaign
    from orgs.models import Unit


def normalise_receipt(receipt_number: str) -> str:
    """What identifies a receipt: spaces collapsed, letters in upper case."""
    return " ".join(receipt_number.split()).upper()


def receipt_ref(campaign: Campaign, receipt_number: str) -> str:
    return f"receipt:{campaign.pk}:{normalise_receipt(receipt_number)}"


def cash_units(user: User, campaign: Campaign) -> QuerySet[Unit]:
    """The units of the campaign's subtree this person may record cash for."""
    return staff_units_in(user, campaign)


def record_cash(
    campaign: Campaign,
    unit: Unit,
    *,
    amount: int,
    receipt_number: str,
    actor: User,
    donor_name: str = "",
    is_anonymous: bool = False,
    message: str = "",
) -> Donation:
    """A paid cash donation for `unit`, recorded by one of its staff."""
    receipt_number = " ".join(receipt_number.split())[:50]
    if not receipt_number:
        raise DonationError(_("Enter the receipt number."), code="receipt_missing")
    if not cash_units(actor, campaign).filter(pk=unit.pk).exists():
        raise DonationError(
            _("You can record cash only for your own units."), code="not_unit_staff", status=403
        )
    duplicate = DonationError(
        _("Receipt %(number)s is already recorded for this campaign.") % {"number": receipt_number},
        code="receipt_duplicate",
    )
    key = receipt_ref(campaign, receipt_number)
    if Donation.objects.filter(method=Method.CASH, provider_ref=key).exists():
        raise duplicate
    try:
        with transaction.atomic():
            donation = create_donation(
                campaign,
                amount=amount,
                method=Method.CASH,
                donor_name=donor_name,
                is_anonymous=is_anonymous,
                message=message,
                unit=unit,
                user=None,
            )
            donation.receipt_number = receipt_number
            donation.recorded_by = actor
            donation.save(update_fields=["receipt_number", "recorded_by"])
            confirm_paid(
                donation.reference,
                method=Method.CASH,
                amount=amount,
                provider_ref=key,
                kind="cash",
                payload={"receipt": receipt_number, "unit": unit.code},
                actor=actor,
            )
    except IntegrityError:
        raise duplicate from None
    donation.refresh_from_db()
    return donation


class CashProvider(BasePaymentProvider):
    method = Method.CASH
    verbose_name = _("cash or offline")

    def prepare(self, donation: Donation, request: HttpRequest | None = None) -> Prepared:
        """Nothing to pay online: the donor gives the money to a unit, which records it."""
        return Prepared(instructions={"reference": donation.reference, "amount": donation.amount})

    def refund(self, donation: Donation, *, actor: User | None, note: str = "") -> None:
        """The unit hands the money back; this records it."""
        mark_refunded(donation, actor=actor, note=note)
