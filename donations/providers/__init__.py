"""Payment providers behind one interface, chosen from a registry by method.

Modelled on pretix's BasePaymentProvider: `prepare` moves no money and returns
where to send the donor (a signed gateway URL) or what to show them (bank
details and a QR code); the provider's callback confirms; `refund` gives back.
Confirmation always goes through `donations.services.confirm_paid`, which
counts a donation once however many callbacks arrive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from django.http import HttpRequest

    from donations.models import Donation, PaymentSettings


@dataclass
class Prepared:
    """What the donor does next: go to `redirect_url`, or follow `instructions`."""

    redirect_url: str = ""
    instructions: dict = field(default_factory=dict)


class BasePaymentProvider:
    method: ClassVar[str]
    verbose_name: ClassVar[str]

    def __init__(self, settings: PaymentSettings) -> None:
        self.settings = settings

    def prepare(self, donation: Donation, request: HttpRequest) -> Prepared:
        raise NotImplementedError

    def refund(self, donation: Donation, *, actor) -> None:
        """Give the money back (or record that it was given back by hand)."""
        raise NotImplementedError

    def credentials(self):
        """The provider's keys for this campaign, or None when it is not set up."""
        return None

    def required_credentials(self):
        """The keys, or a clear error for the donor or organiser when there are none."""
        credentials = self.credentials()
        if credentials is None:
            from django.utils.translation import gettext_lazy as _

            from donations.services import DonationError

            raise DonationError(
                _("This payment method is not set up yet."), code="provider_not_configured"
            )
        return credentials


PROVIDERS: dict[str, type[BasePaymentProvider]] = {}


def register(provider: type[BasePaymentProvider]) -> type[BasePaymentProvider]:
    PROVIDERS[provider.method] = provider
    return provider


def provider_for(method: str, settings: PaymentSettings) -> BasePaymentProvider:
    return PROVIDERS[method](settings)
