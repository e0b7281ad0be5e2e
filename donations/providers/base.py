"""The interface every payment provider implements, after pretix's BasePaymentProvider.

A provider's life with one donation:

1. `prepare(donation, request)` creates the payment at the gateway and moves no
   money. It returns where to send the donor (a signed gateway URL) or what to
   show them (bank details and a QR code).
2. The gateway calls back: the donor's browser comes back to the return URL,
   and the gateway calls the IPN URL server to server. `read_callback` takes
   the gateway's data out of the request; `verify_callback` checks its
   signature and reads the outcome into a `CallbackResult`, or raises a
   `CallbackError` with a stable code. It changes nothing.
3. `donations.services.apply_callback` records the result once (the donation
   is paid at most once, however many callbacks arrive), and `answer` shapes
   the HTTP answer the gateway expects, or sends the donor to the receipt.
4. `refund(donation, actor=…)` gives the money back and records it.

Steps 2 and 3 run in `donations.views.payment_ipn` and `payment_return`, one
pair of views for every provider, chosen from `donations.providers.PROVIDERS`.

A callback names its order before we know whose keys to check it with, so
`read_callback`, `verify_callback` and `answer` are class methods: the provider
for the donation's campaign is made inside, once the order is found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, TypeVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from donations import services
from donations.models import Donation, PaymentSettings

if TYPE_CHECKING:
    from accounts.models import User
    from campaigns.models import Campaign

CallbackKind = Literal["ipn", "return"]
Status = Literal["paid", "failed", "pending"]
C = TypeVar("C")

# Codes of a callback we cannot take, kept as the PaymentEvent's outcome.
BAD_SIGNATURE = services.BAD_SIGNATURE
NOT_FOUND = services.NOT_FOUND
MALFORMED = "malformed"  # not even readable (a body that is not JSON): nothing is kept


@dataclass
class Prepared:
    """What the donor does next: go to `redirect_url`, or follow `instructions`."""

    redirect_url: str = ""
    instructions: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CallbackResult:
    """What a verified callback says about its donation; nothing is recorded yet.

    `amount` is in đồng, None when the gateway's figure cannot be read;
    `payload` is the data as it came, kept on the PaymentEvent for the audit."""

    donation: Donation
    status: Status
    amount: int | None
    transaction_id: str
    payload: dict[str, Any]


class CallbackError(services.DonationError):
    """A callback that is not taken: unsigned or wrongly signed, for an order
    that is not ours, or unreadable. Its `code` is one of BAD_SIGNATURE,
    NOT_FOUND and MALFORMED; `donation` is known for a bad signature."""

    def __init__(
        self, code: str, *, payload: dict[str, Any], donation: Donation | None = None
    ) -> None:
        super().__init__(_("We could not read the payment's answer"), code=code)
        self.payload = payload
        self.donation = donation


Reply = services.Confirmation | CallbackError


class BasePaymentProvider:
    """One way of paying; subclasses set `method` (a `Method` value) and `verbose_name`."""

    method: ClassVar[str]
    verbose_name: ClassVar[str | Promise]
    # Gateways that call the site back (return and IPN) set this, and the
    # HTTP methods their IPN uses.
    takes_callbacks: ClassVar[bool] = False
    ipn_http_methods: ClassVar[tuple[str, ...]] = ("POST",)

    def __init__(self, settings: PaymentSettings) -> None:
        self.settings = settings

    @classmethod
    def for_campaign(cls, campaign: Campaign) -> Self:
        return cls(services.settings_for(campaign))

    def is_configured(self) -> bool:
        """Whether donors can be offered this method now."""
        return True

    def uses_stand_in(self) -> bool:
        """Whether donors go to the site's stand-in gateway (`sandbox.py`) instead:
        their donations are tests (`Donation.is_test`)."""
        return False

    def setup_problem(self) -> str | Promise:
        """Why an organiser who turned this method on sees it offered to no
        donor, or "" when donors are offered it."""
        if self.is_configured():
            return ""
        return _("%(method)s is turned on but not set up yet, so donors are not offered it.") % {
            "method": self.verbose_name
        }

    def prepare(self, donation: Donation, request: HttpRequest) -> Prepared:
        """Create the payment at the gateway; no money moves until the donor pays there."""
        raise NotImplementedError

    def refund(self, donation: Donation, *, actor: User | None, note: str = "") -> None:
        """Give the money back (or record that it was given back by hand)."""
        raise NotImplementedError

    def return_url(self, request: HttpRequest) -> str:
        return request.build_absolute_uri(
            reverse("donations:payment_return", kwargs={"method": self.method})
        )

    def ipn_url(self, request: HttpRequest) -> str:
        return request.build_absolute_uri(
            reverse("donations:payment_ipn", kwargs={"method": self.method})
        )

    @classmethod
    def read_callback(cls, request: HttpRequest, kind: CallbackKind) -> dict[str, Any]:
        """The gateway's data: the return's query string, the IPN's query or form.

        Raises CallbackError(MALFORMED) for data that cannot be read at all."""
        data = request.GET if kind == "return" or request.method == "GET" else request.POST
        return data.dict()

    @classmethod
    def verify_callback(cls, data: dict[str, Any]) -> CallbackResult:
        """Check the signature and read the outcome; raises CallbackError."""
        raise NotImplementedError

    @classmethod
    def answer(cls, request: HttpRequest, reply: Reply, kind: CallbackKind) -> HttpResponse:
        """The answer to a callback once recorded (or refused).

        The donor coming back sees their receipt, or a page saying the answer
        could not be read; each gateway's IPN answer is its own (override)."""
        if kind == "return":
            if isinstance(reply, CallbackError) or reply.donation is None:
                return render(request, "donations/return_error.html", status=400)
            return redirect("donations:receipt", reference=reply.donation.reference)
        raise NotImplementedError

    @classmethod
    def find_donation(cls, reference: str, payload: dict[str, Any]) -> Donation:
        """The donation a callback names, or CallbackError(NOT_FOUND)."""
        donation = (
            Donation.all_objects.select_related("campaign")
            .filter(reference=reference, method=cls.method)
            .first()
        )
        if donation is None:
            raise CallbackError(NOT_FOUND, payload=payload)
        return donation


class KeyedProvider(BasePaymentProvider):
    """A gateway that needs merchant keys: set up once `credentials()` gives some,
    the stand-in's when they are the stand-in's (`sandbox.py`)."""

    def credentials(self) -> Any:
        """The keys to pay with (each gateway's own dataclass with a `stand_in`
        flag), or None when there are none."""
        raise NotImplementedError

    def is_configured(self) -> bool:
        return self.credentials() is not None

    def uses_stand_in(self) -> bool:
        credentials = self.credentials()
        return credentials is not None and credentials.stand_in


def require_credentials(credentials: C | None) -> C:
    """The provider's keys, or a clear error for the donor or organiser when there are none."""
    if credentials is None:
        raise services.DonationError(
            _("This payment method is not set up yet."), code="provider_not_configured"
        )
    return credentials
