"""MoMo e-wallet, "All In One" payment gateway v2.

`prepare` POSTs a create request (JSON) to MoMo and sends the donor to the
`payUrl` it answers with. Requests and results are signed with HMAC-SHA256
(hex) under the partner's secret key, over a raw string of `key=value` pairs
joined with `&` in the fixed, alphabetical order MoMo documents, values as
they are (not URL-encoded). MoMo calls the IPN URL with the result as JSON and
expects HTTP 204; the same fields come back on the redirect URL's query string.
A result pays only with `resultCode` 0, for the donation's order id and amount.

A campaign in sandbox mode without keys uses the site's stand-in gateway
(`donations.providers.sandbox`), which signs with `conf.sandbox_secret()`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.http import BadJSON, loads_json
from donations import conf, services
from donations.models import Donation, Method
from donations.providers import sandbox, wire
from donations.providers.base import (
    BAD_SIGNATURE,
    MALFORMED,
    CallbackError,
    CallbackKind,
    CallbackResult,
    KeyedProvider,
    Prepared,
    Reply,
    Status,
    require_credentials,
)

if TYPE_CHECKING:
    from accounts.models import User

REQUEST_TYPE = "captureWallet"
STAND_IN_PARTNER = sandbox.MOMO_PARTNER
STAND_IN_ACCESS_KEY = sandbox.MOMO_ACCESS_KEY
# Result codes that are not final: the payment may still go through.
PENDING_CODES = frozenset({1000, 7000, 7002, 9000})

# MoMo's signing, under the names this module has always offered.
CREATE_FIELDS = wire.MOMO_CREATE_FIELDS
RESULT_FIELDS = wire.MOMO_RESULT_FIELDS
REFUND_FIELDS = wire.MOMO_REFUND_FIELDS
raw_signature = wire.momo_raw_signature
sign = wire.momo_sign
verify = wire.momo_verify


@dataclass(frozen=True)
class Credentials:
    partner_code: str
    access_key: str
    secret: str
    api_url: str
    stand_in: bool = False


class ProviderUnavailable(services.DonationError):
    code = "provider_unavailable"
    status = 502


class MoMoProvider(KeyedProvider):
    method = Method.MOMO
    verbose_name = "MoMo"
    takes_callbacks = True
    ipn_http_methods = ("POST",)

    def credentials(self) -> Credentials | None:
        """The campaign's partner keys; with none, the stand-in in sandbox mode only."""
        s = self.settings
        if s.momo_partner_code and s.momo_access_key and s.momo_secret_key:
            return Credentials(
                s.momo_partner_code, s.momo_access_key, s.momo_secret_key, conf.momo_url(s.sandbox)
            )
        if sandbox.available(s):
            return Credentials(
                STAND_IN_PARTNER, STAND_IN_ACCESS_KEY, sandbox.secret(), "", stand_in=True
            )
        return None

    def setup_problem(self) -> str | Promise:
        if self.is_configured():
            return ""
        return _(
            "MoMo is turned on but has no merchant keys, so donors are not offered it. "
            "Enter the partner code, the access key and the secret key that MoMo gave you."
        )

    def create_request(
        self, donation: Donation, credentials: Credentials, *, redirect_url: str, ipn_url: str
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "partnerCode": credentials.partner_code,
            "requestType": REQUEST_TYPE,
            "ipnUrl": ipn_url,
            "redirectUrl": redirect_url,
            "orderId": donation.reference,
            "amount": donation.amount,
            "orderInfo": f"Ung ho {donation.campaign.slug} ma {donation.reference}"[:255],
            "requestId": f"{donation.reference}-{secrets.token_hex(4)}",
            "extraData": "",
            "lang": "en" if (translation.get_language() or "vi").startswith("en") else "vi",
        }
        body["signature"] = sign(CREATE_FIELDS, body, credentials.access_key, credentials.secret)
        return body

    def prepare(self, donation: Donation, request: HttpRequest) -> Prepared:
        """Ask MoMo for a payment page; no money moves until the donor pays there."""
        credentials = require_credentials(self.credentials())
        body = self.create_request(
            donation,
            credentials,
            redirect_url=self.return_url(request),
            ipn_url=self.ipn_url(request),
        )
        if credentials.stand_in:
            answer = sandbox.momo_create(body)
        else:
            answer = _post(f"{credentials.api_url}/v2/gateway/api/create", body)
        services.record_event(
            donation, Method.MOMO, "create", {"request": body, "response": answer}, "created"
        )
        if answer.get("resultCode") != 0 or not answer.get("payUrl"):
            raise ProviderUnavailable(_("MoMo could not start the payment. Please try again."))
        return Prepared(redirect_url=answer["payUrl"])

    @classmethod
    def read_callback(cls, request: HttpRequest, kind: CallbackKind) -> dict[str, Any]:
        """The IPN is a JSON object in the body; the redirect, the same fields in the query."""
        if kind == "return":
            return super().read_callback(request, kind)
        try:
            data = loads_json(request.body)
        except BadJSON:  # not JSON, or nested too deeply to be MoMo's flat object
            data = None
        if not isinstance(data, dict):
            raise CallbackError(MALFORMED, payload={})
        return data

    @classmethod
    def verify_callback(cls, data: dict[str, Any]) -> CallbackResult:
        """A redirect or IPN, signed with the campaign's secret key for its partner code.

        `resultCode` 0 pays; 1000, 7000, 7002 and 9000 are not final; any other fails."""
        payload = dict(data)
        donation = cls.find_donation(wire.text(payload.get("orderId")), payload)
        credentials = cls.for_campaign(donation.campaign).credentials()
        if (
            credentials is None
            # The stand-in's key pays test donations only, and only it does.
            or credentials.stand_in != donation.is_test
            or wire.text(payload.get("partnerCode")) != credentials.partner_code
            or not verify(RESULT_FIELDS, payload, credentials.access_key, credentials.secret)
        ):
            raise CallbackError(BAD_SIGNATURE, payload=payload, donation=donation)
        return CallbackResult(
            donation=donation,
            status=_status(_as_int(payload.get("resultCode"))),
            amount=_as_int(payload.get("amount")),
            transaction_id=wire.text(payload.get("transId")),
            payload=payload,
        )

    @classmethod
    def answer(cls, request: HttpRequest, reply: Reply, kind: CallbackKind) -> HttpResponse:
        """The IPN's answer, as MoMo expects: 204 No Content once taken (whatever
        came of it, so MoMo stops retrying); 400 for a bad signature or body."""
        if kind != "ipn":
            return super().answer(request, reply, kind)
        refused = isinstance(reply, CallbackError) and reply.code in (BAD_SIGNATURE, MALFORMED)
        return HttpResponse(status=400 if refused else 204)

    def refund(self, donation: Donation, *, actor: User | None, note: str = "") -> None:
        """A full refund through MoMo's API; a test payment's is only recorded
        (no money moved). Real money is never "refunded" with the stand-in's key."""
        if donation.is_test:
            services.mark_refunded(donation, actor=actor, note=note)
            return
        credentials = self.credentials()
        credentials = require_credentials(
            None if credentials is None or credentials.stand_in else credentials
        )
        body: dict[str, Any] = {
            "partnerCode": credentials.partner_code,
            "orderId": f"{donation.reference}-R{secrets.token_hex(3)}",
            "requestId": secrets.token_hex(8),
            "amount": donation.amount,
            "transId": int(donation.provider_ref),
            "lang": "vi",
            "description": (note or f"Hoan tien {donation.reference}")[:255],
        }
        body["signature"] = sign(REFUND_FIELDS, body, credentials.access_key, credentials.secret)
        answer = _post(f"{credentials.api_url}/v2/gateway/api/refund", body)
        services.record_event(
            donation, Method.MOMO, "refund", {"request": body, "response": answer}, "refund"
        )
        if answer.get("resultCode") != 0:
            raise services.DonationError(
                _("MoMo did not accept the refund."), code="refund_refused", status=502
            )
        services.mark_refunded(donation, actor=actor, note=note)


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    try:
        response = requests.post(url, json=body, timeout=conf.http_timeout())
        answer = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(
            _("MoMo could not start the payment. Please try again.")
        ) from error
    return answer if isinstance(answer, dict) else {}


def _status(result_code: int | None) -> Status:
    if result_code == 0:
        return "paid"
    return "pending" if result_code in PENDING_CODES else "failed"


def _as_int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
