"""Donations' life: created pending, confirmed paid exactly once, perhaps refunded.

Every callback, statement line and cash entry goes through `confirm_paid`, which
locks the donation row and checks the amount, so a confirmation that arrives
twice, late, out of order or at the same moment as another counts once; and
every answer is kept as a PaymentEvent, accepted or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Case, CharField, Count, Q, Sum, Value, When
from django.db.models.functions import Cast, Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import log_action
from core.errors import DomainError
from core.formatting import digits
from donations.models import Donation, DonationStatus, Method, PaymentEvent, PaymentSettings

if TYPE_CHECKING:
    from accounts.models import User
    from campaigns.models import Campaign
    from donations.providers.base import CallbackError, CallbackResult
    from orgs.models import Unit
    from teams.models import Team

# Outcomes of a confirmation, stable codes kept on the PaymentEvent.
PAID = "paid"
ALREADY_PAID = "already_paid"
NOT_FOUND = "not_found"
BAD_AMOUNT = "bad_amount"
BAD_SIGNATURE = "bad_signature"
NOT_PAYABLE = "not_payable"  # refunded or failed for good
DECLINED = "declined"  # the provider says the payment did not go through
STILL_PENDING = "still_pending"  # not final yet: the payment may still go through
ALREADY_SETTLED = "already_settled"  # "not paid" for a donation no longer pending


class DonationError(DomainError):
    code = "donation_error"


def settings_for(campaign: Campaign) -> PaymentSettings:
    settings, _created = PaymentSettings.objects.get_or_create(
        campaign=campaign, defaults={"methods": [Method.VIETQR, Method.CASH]}
    )
    return settings


def create_donation(
    campaign: Campaign,
    *,
    amount: int,
    method: str,
    donor_name: str = "",
    is_anonymous: bool = False,
    message: str = "",
    email: str = "",
    team: Team | None = None,
    unit: Unit | None = None,
    user: User | None = None,
    is_test: bool = False,
) -> Donation:
    """A pending donation, checked against the campaign's methods and limits;
    `is_test` for one to be paid through the stand-in gateway (no money moves)."""
    settings = settings_for(campaign)
    if method not in settings.methods:
        raise DonationError(
            _("This campaign does not take payments that way."), code="method_not_offered"
        )
    if amount < settings.min_amount or amount > settings.max_amount:
        raise DonationError(
            _("Give between %(min)s and %(max)s đồng.")
            % {
                "min": digits(settings.min_amount),
                "max": digits(settings.max_amount),
            },
            code="amount_out_of_range",
        )
    with transaction.atomic():
        donation = Donation.all_objects.create(
            campaign=campaign,
            amount=amount,
            method=method,
            donor_name=donor_name.strip()[:120],
            is_anonymous=is_anonymous,
            message=message.strip()[:300],
            email=email.strip(),
            team=team,
            unit=unit,
            user=user if getattr(user, "is_authenticated", False) else None,
            is_test=is_test,
        )
        data = {"amount": amount, "method": method, "reference": donation.reference}
        log_action(
            "donations.donation.created",
            donation,
            actor=user,
            campaign=campaign,
            data={**data, "test": True} if is_test else data,
        )
    return donation


@dataclass
class Confirmation:
    outcome: str
    donation: Donation | None


def record_event(
    donation: Donation | None, method: str, kind: str, payload: dict, outcome: str
) -> PaymentEvent:
    return PaymentEvent.objects.create(
        donation=donation, method=method, kind=kind, payload=payload, outcome=outcome
    )


def confirm_paid(
    reference: str,
    *,
    method: str,
    amount: int,
    provider_ref: str = "",
    kind: str,
    payload: dict | None = None,
    actor: User | None = None,
) -> Confirmation:
    """Mark the donation with this reference paid, once; the outcome says what happened."""
    payload = payload or {}
    with transaction.atomic():
        donation = (
            Donation.all_objects.select_for_update(of=("self",))
            .filter(reference=reference, method=method)
            .first()
        )
        if donation is None:
            record_event(None, method, kind, payload, NOT_FOUND)
            return Confirmation(NOT_FOUND, None)
        if donation.status == DonationStatus.PAID:
            record_event(donation, method, kind, payload, ALREADY_PAID)
            return Confirmation(ALREADY_PAID, donation)
        if donation.status == DonationStatus.REFUNDED:
            record_event(donation, method, kind, payload, NOT_PAYABLE)
            return Confirmation(NOT_PAYABLE, donation)
        if amount != donation.amount:
            record_event(donation, method, kind, payload, BAD_AMOUNT)
            log_action(
                "donations.donation.amount_mismatch",
                donation,
                actor=actor,
                campaign=donation.campaign,
                data={"expected": donation.amount, "received": amount, "kind": kind},
            )
            return Confirmation(BAD_AMOUNT, donation)
        donation.status = DonationStatus.PAID
        donation.paid_at = timezone.now()
        donation.provider_ref = provider_ref[:100]
        donation.provider_data = payload
        donation.save(update_fields=["status", "paid_at", "provider_ref", "provider_data"])
        record_event(donation, method, kind, payload, PAID)
        log_action(
            "donations.donation.paid",
            donation,
            actor=actor,
            campaign=donation.campaign,
            data={
                "amount": donation.amount,
                "method": method,
                "via": kind,
                "provider_ref": donation.provider_ref,
                **({"test": True} if donation.is_test else {}),
            },
        )
    return Confirmation(PAID, donation)


def mark_failed(reference: str, *, method: str, kind: str, payload: dict | None = None) -> None:
    """The provider says the donor did not pay: a pending donation becomes failed."""
    with transaction.atomic():
        donation = (
            Donation.all_objects.select_for_update(of=("self",))
            .filter(reference=reference, method=method)
            .first()
        )
        record_event(donation, method, kind, payload or {}, DECLINED)
        if donation is not None and donation.status == DonationStatus.PENDING:
            donation.status = DonationStatus.FAILED
            donation.save(update_fields=["status"])
            log_action(
                "donations.donation.failed",
                donation,
                campaign=donation.campaign,
                data={"via": kind},
            )


def apply_callback(result: CallbackResult, *, kind: str) -> Confirmation:
    """Record what a provider read from a verified callback (`kind` "ipn" or
    "return"): paid once, a pending donation failed, or nothing but the event."""
    donation, payload = result.donation, result.payload
    method = donation.method
    if result.status == "paid":
        confirmation = confirm_paid(
            donation.reference,
            method=method,
            amount=-1 if result.amount is None else result.amount,
            provider_ref=result.transaction_id,
            kind=kind,
            payload=payload,
        )
        return Confirmation(confirmation.outcome, confirmation.donation or donation)
    if result.status == "pending":
        record_event(donation, method, kind, payload, STILL_PENDING)
        return Confirmation(STILL_PENDING, donation)
    # Not paid: a pending donation fails; one already settled keeps its state.
    if donation.status != DonationStatus.PENDING:
        record_event(donation, method, kind, payload, ALREADY_SETTLED)
        return Confirmation(ALREADY_SETTLED, donation)
    if result.amount != donation.amount:
        record_event(donation, method, kind, payload, BAD_AMOUNT)
        return Confirmation(BAD_AMOUNT, donation)
    mark_failed(donation.reference, method=method, kind=kind, payload=payload)
    return Confirmation(DECLINED, donation)


def refuse_callback(error: CallbackError, *, method: str, kind: str) -> None:
    """Keep a callback that was not taken: a bad signature is also an audit entry."""
    if error.code == NOT_FOUND:
        record_event(None, method, kind, error.payload, NOT_FOUND)
    elif error.code == BAD_SIGNATURE and error.donation is not None:
        record_event(error.donation, method, kind, error.payload, BAD_SIGNATURE)
        log_action(
            "donations.payment.bad_signature",
            error.donation,
            campaign=error.donation.campaign,
            data={"method": method, "kind": kind},
        )


def mark_refunded(donation: Donation, *, actor: User | None, note: str = "") -> Donation:
    with transaction.atomic():
        donation = Donation.all_objects.select_for_update(of=("self",)).get(pk=donation.pk)
        if donation.status != DonationStatus.PAID:
            raise DonationError(_("Only a paid donation can be refunded."), code="not_paid")
        donation.status = DonationStatus.REFUNDED
        donation.refunded_at = timezone.now()
        donation.save(update_fields=["status", "refunded_at"])
        record_event(donation, donation.method, "refund", {"note": note}, "refunded")
        log_action(
            "donations.donation.refunded",
            donation,
            actor=actor,
            campaign=donation.campaign,
            data={"amount": donation.amount, "note": note},
        )
    return donation


def donor_key() -> Case:
    """Who gave a donation, to count donors rather than donations: a logged-in
    donor by their account's e-mail, else the e-mail given (lower case), else
    the donation itself (a gift without either counts as one donor)."""
    return Case(
        When(user__isnull=False, then=Concat(Value("e:"), Lower("user__email"))),
        When(~Q(email=""), then=Concat(Value("e:"), Lower("email"))),
        default=Concat(Value("d:"), Cast("pk", CharField())),
        output_field=CharField(),
    )


def paid_total(campaign: Campaign) -> dict:
    """The published total: paid donations (refunds and tests excluded), their sum and count."""
    sums = Donation.objects.filter(campaign=campaign, status=DonationStatus.PAID).aggregate(
        total=Sum("amount"), count=Count("pk")
    )
    return {"total": sums["total"] or 0, "count": sums["count"]}


def donor_count(campaign: Campaign) -> int:
    """How many people gave the paid donations (tests excluded): distinct `donor_key`s."""
    return Donation.objects.filter(campaign=campaign, status=DonationStatus.PAID).aggregate(
        donors=Count(donor_key(), distinct=True)
    )["donors"]
