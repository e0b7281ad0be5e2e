"""Money for the fund: donations (one payment each), how they were paid, and
sponsors' pledges per credited kilometre.

A donation is `pending` until its provider confirms it, then `paid`, and may be
`refunded`; it becomes paid exactly once, under a row lock, whatever number of
callbacks arrive. Amounts are whole đồng (VND has no minor unit).

A donation paid through the site's stand-in gateway is a test (`is_test`): no
money moved. `Donation.objects` holds real donations only, so every figure the
site publishes (totals, donor counts, the dashboards) leaves tests out without
having to remember to; `Donation.all_objects` holds tests too, for the pages
that show a test as such (its receipt, the ledger, the organisers' screens).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import names


def _reference() -> str:
    """A short, unambiguous transfer reference (no 0/O, 1/I), unique per donation."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "KS" + "".join(secrets.choice(alphabet) for _ in range(8))


class Method(models.TextChoices):
    VNPAY = "vnpay", "VNPay"
    MOMO = "momo", "MoMo"
    VIETQR = "vietqr", _("bank transfer (VietQR)")
    CASH = "cash", _("cash or offline")


class DonationStatus(models.TextChoices):
    PENDING = "pending", _("waiting for payment")
    PAID = "paid", _("paid")
    FAILED = "failed", _("not paid")
    REFUNDED = "refunded", _("refunded")


class DonationQuerySet(models.QuerySet):
    def real(self) -> DonationQuerySet:
        """Donations that moved money: not paid through the stand-in gateway."""
        return self.filter(is_test=False)


class RealDonationManager(models.Manager.from_queryset(DonationQuerySet)):  # type: ignore[misc]
    """Real donations only: what totals, counts and dashboards add up."""

    def get_queryset(self) -> DonationQuerySet:
        return super().get_queryset().filter(is_test=False)


class Donation(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="donations"
    )
    # Given through a team's or unit's page: still the campaign's fund, shown there too.
    team = models.ForeignKey(
        "teams.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="donations"
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="donations"
    )
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    method = models.CharField(_("payment method"), max_length=16, choices=Method.choices)
    status = models.CharField(
        max_length=16, choices=DonationStatus.choices, default=DonationStatus.PENDING
    )
    reference = models.CharField(max_length=16, unique=True, default=_reference)
    donor_name = models.CharField(_("name"), max_length=120, blank=True)
    is_anonymous = models.BooleanField(_("give anonymously"), default=False)
    message = models.CharField(_("message"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail for a receipt"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The provider's own transaction id once it confirms, and what it sent.
    provider_ref = models.CharField(max_length=100, blank=True)
    provider_data = models.JSONField(default=dict, blank=True)
    # Cash: the receipt book number, and who recorded it.
    receipt_number = models.CharField(_("receipt number"), max_length=50, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    # Made through the stand-in gateway (`providers/sandbox.py`): a TEST, no money moved.
    is_test = models.BooleanField(_("test payment"), default=False, editable=False)

    all_objects = DonationQuerySet.as_manager()
    objects = RealDonationManager()

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-paid_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False),
                name="donation_paid_has_time",
            ),
            models.UniqueConstraint(
                fields=["method", "provider_ref"],
                condition=~Q(provider_ref=""),
                name="donation_provider_ref_once",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "-paid_at"]),
            models.Index(fields=["campaign", "method", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} ₫ {self.status}"

    @property
    def shown_donor_name(self) -> str:
        """The donor's name as public lists show it, "" for anonymous: nothing when the
        donor asked for it on this donation; a donor with an account as their
        profile's public-name choice allows (accounts/names.py), so shortened or
        left out. Lists load ``user`` and ``campaign`` with the donations."""
        name = "" if self.is_anonymous else self.donor_name
        if name and self.user_id is not None:
            name = names.public_form_of(name, self.user, self.campaign)
        return name

    @property
    def public_name(self) -> str:
        return self.shown_donor_name or str(_("Anonymous"))


class PaymentEvent(models.Model):
    """Everything a provider told us about a donation, kept as it came, accepted or not."""

    donation = models.ForeignKey(
        Donation, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    method = models.CharField(max_length=16, choices=Method.choices)
    kind = models.CharField(max_length=20)  # "return", "ipn", "statement", "refund", "cash"
    payload = models.JSONField(default=dict)
    outcome = models.CharField(max_length=40)  # e.g. "paid", "already_paid", "bad_signature"
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.method} {self.kind}: {self.outcome}"


class Sponsor(models.Model):
    """A pledge of so many đồng per valid kilometre, campaign-wide or for one team or unit."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="sponsors"
    )
    name = models.CharField(_("sponsor"), max_length=200)
    logo = models.ImageField(_("logo"), upload_to="sponsors/", blank=True)
    website = models.URLField(_("website"), blank=True)
    vnd_per_km = models.PositiveIntegerField(_("đồng per valid km"))
    cap = models.PositiveBigIntegerField(_("at most (đồng)"), null=True, blank=True)
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, null=True, blank=True)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-vnd_per_km", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(unit__isnull=True),
                name="sponsor_team_or_unit",
            )
        ]

    def __str__(self) -> str:
        return self.name


def _default_presets() -> list[int]:
    return [50_000, 100_000, 200_000, 500_000]


class PaymentSettings(models.Model):
    """How one campaign takes money: which methods, limits, and each provider's keys.

    A provider in sandbox mode talks to the provider's test system (or, with no keys,
    to the site's own stand-in gateway, for demos and tests); no real money moves."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="payment_settings"
    )
    methods = models.JSONField(_("payment methods"), default=list)  # Method values
    min_amount = models.PositiveBigIntegerField(_("smallest donation (đồng)"), default=10_000)
    max_amount = models.PositiveBigIntegerField(_("largest donation (đồng)"), default=100_000_000)
    presets = models.JSONField(_("suggested amounts"), default=_default_presets)
    sandbox = models.BooleanField(_("sandbox (test) mode"), default=True)
    vnpay_tmn_code = models.CharField(max_length=20, blank=True)
    vnpay_hash_secret = models.CharField(max_length=100, blank=True)
    momo_partner_code = models.CharField(max_length=40, blank=True)
    momo_access_key = models.CharField(max_length=100, blank=True)
    momo_secret_key = models.CharField(max_length=100, blank=True)
    bank_bin = models.CharField(_("bank BIN"), max_length=6, blank=True)
    bank_name = models.CharField(_("bank"), max_length=120, blank=True)
    bank_account = models.CharField(_("account number"), max_length=30, blank=True)
    bank_account_name = models.CharField(_("account holder"), max_length=120, blank=True)

    class Meta:
        verbose_name_plural = "payment settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(max_amount__gte=models.F("min_amount")), name="payment_limits_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"payments of {self.campaign_id}"
