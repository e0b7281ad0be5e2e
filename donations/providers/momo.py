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

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.audit import log_action
from donations import conf, services
from donations.models import Donation, DonationStatus, Method
from donations.providers import BasePaymentProvider, Prepared, register

if TYPE_CHECKING:
    from django.http import HttpRequest

CREATE_FIELDS = [
    "accessKey",
    "amount",
    "extraData",
    "ipnUrl",
    "orderId",
    "orderInfo",
    "partnerCode",
    "redirectUrl",
    "requestId",
    "requestType",
]
RESULT_FIELDS = [
    "accessKey",
    "amount",
    "extraData",
    "message",
    "orderId",
    "orderInfo",
    "orderType",
    "partnerCode",
    "payType",
    "requestId",
    "responseTime",
    "resultCode",
    "transId",
]
REFUND_FIELDS = [
    "accessKey",
    "amount",
    "description",
    "orderId",
    "partnerCode",
    "requestId",
    "transId",
]

REQUEST_TYPE = "captureWallet"
STAND_IN_PARTNER = "MOMOKSSANDBOX"
STAND_IN_ACCESS_KEY = "kssandbox"
# Result codes that are not final: the payment may still go through.
PENDING_CODES = frozenset({1000, 7000, 7002, 9000})
ALREADY_SETTLED = "already_settled"
STILL_PENDING = "still_pending"


def raw_signature(fields: list[str], data: Mapping[str, object], access_key: str) -> str:
    return "&".join(
        f"{name}={access_key if name == 'accessKey' else _text(data.get(name, ''))}"
        for name in fields
    )


def _text(value: object) -> str:
    return "" if value is None else str(value)


def sign(fields: list[str], data: Mapping[str, object], access_key: str, secret: str) -> str:
    raw = raw_signature(fields, data, access_key)
    return hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()


def verify(fields: list[str], data: Mapping[str, object], access_key: str, secret: str) -> bool:
    given = _text(data.get("signature"))
    return bool(given) and hmac.compare_digest(
        given.lower(), sign(fields, data, access_key, secret)
    )


@dataclass(frozen=True)
class Credentials:
    partner_code: str
    access_key: str
    secret: str
    api_url: str
    stand_in: bool = False


@dataclass
class Callback:
    """What a redirect or IPN came to: the HTTP status to answer and our outcome."""

    status: int
    outcome: str
    donation: Donation | None


class ProviderUnavailable(services.DonationError):
    code = "provider_unavailable"
    status = 502


@register
class MoMoProvider(BasePaymentProvider):
    method = Method.MOMO
    verbose_name = "MoMo"

    def credentials(self) -> Credentials | None:
        """The campaign's partner keys; with none, the stand-in in sandbox mode only."""
        s = self.settings
        if s.momo_partner_code and s.momo_access_key and s.momo_secret_key:
            return Credentials(
                s.momo_partner_code, s.momo_access_key, s.momo_secret_key, conf.momo_url(s.sandbox)
            )
        if s.sandbox:
            return Credentials(
                STAND_IN_PARTNER, STAND_IN_ACCESS_KEY, conf.sandbox_secret(), "", stand_in=True
            )
        return None

    def is_configured(self) -> bool:
        return self.credentials() is not None

    def create_request(
        self, donation: Donation, credentials: Credentials, *, redirect_url: str, ipn_url: str
    ) -> dict:
        body = {
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
        credentials = self.required_credentials()
        body = self.create_request(
            donation,
            credentials,
            redirect_url=request.build_absolute_uri(reverse("donations:momo_return")),
            ipn_url=request.build_absolute_uri(reverse("donations:momo_ipn")),
        )
        if credentials.stand_in:
            from donations.providers import sandbox

            answer = sandbox.momo_create(body)
        else:
            answer = _post(f"{credentials.api_url}/v2/gateway/api/create", body)
        services.record_event(
            donation, Method.MOMO, "create", {"request": body, "response": answer}, "created"
        )
        if answer.get("resultCode") != 0 or not answer.get("payUrl"):
            raise ProviderUnavailable(_("MoMo could not start the payment. Please try again."))
        return Prepared(redirect_url=answer["payUrl"])

    def refund(self, donation: Donation, *, actor, note: str = "") -> None:
        """A full refund through MoMo's API (the stand-in just records it)."""
        credentials = self.required_credentials()
        if not credentials.stand_in:
            body = {
                "partnerCode": credentials.partner_code,
                "orderId": f"{donation.reference}-R{secrets.token_hex(3)}",
                "requestId": secrets.token_hex(8),
                "amount": donation.amount,
                "transId": int(donation.provider_ref),
                "lang": "vi",
                "description": (note or f"Hoan tien {donation.reference}")[:255],
            }
            body["signature"] = sign(
                REFUND_FIELDS, body, credentials.access_key, credentials.secret
            )
            answer = _post(f"{credentials.api_url}/v2/gateway/api/refund", body)
            services.record_event(
                donation, Method.MOMO, "refund", {"request": body, "response": answer}, "refund"
            )
            if answer.get("resultCode") != 0:
                raise services.DonationError(
                    _("MoMo did not accept the refund."), code="refund_refused", status=502
                )
        services.mark_refunded(donation, actor=actor, note=note)


def _post(url: str, body: dict) -> dict:
    try:
        response = requests.post(url, json=body, timeout=conf.http_timeout())
        return response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(
            _("MoMo could not start the payment. Please try again.")
        ) from error


def _as_int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def handle_callback(data: Mapping[str, object], *, kind: str) -> Callback:
    """Verify and apply a MoMo result (`kind` is "ipn" or "return"), once."""
    payload = {key: value for key, value in data.items()}
    reference = _text(payload.get("orderId"))
    donation = (
        Donation.objects.select_related("campaign")
        .filter(reference=reference, method=Method.MOMO)
        .first()
    )
    if donation is None:
        services.record_event(None, Method.MOMO, kind, payload, services.NOT_FOUND)
        return Callback(204, services.NOT_FOUND, None)
    credentials = MoMoProvider(services.settings_for(donation.campaign)).credentials()
    if (
        credentials is None
        or _text(payload.get("partnerCode")) != credentials.partner_code
        or not verify(RESULT_FIELDS, payload, credentials.access_key, credentials.secret)
    ):
        services.record_event(donation, Method.MOMO, kind, payload, services.BAD_SIGNATURE)
        log_action(
            "donations.payment.bad_signature",
            donation,
            campaign=donation.campaign,
            data={"method": Method.MOMO, "kind": kind},
        )
        return Callback(400, services.BAD_SIGNATURE, donation)
    amount = _as_int(payload.get("amount"))
    result_code = _as_int(payload.get("resultCode"))
    if result_code == 0:
        result = services.confirm_paid(
            reference,
            method=Method.MOMO,
            amount=-1 if amount is None else amount,
            provider_ref=_text(payload.get("transId")),
            kind=kind,
            payload=payload,
        )
        return Callback(204, result.outcome, result.donation or donation)
    if result_code in PENDING_CODES:
        services.record_event(donation, Method.MOMO, kind, payload, STILL_PENDING)
        return Callback(204, STILL_PENDING, donation)
    if donation.status != DonationStatus.PENDING:
        services.record_event(donation, Method.MOMO, kind, payload, ALREADY_SETTLED)
        return Callback(204, ALREADY_SETTLED, donation)
    if amount != donation.amount:
        services.record_event(donation, Method.MOMO, kind, payload, services.BAD_AMOUNT)
        return Callback(204, services.BAD_AMOUNT, donation)
    services.mark_failed(reference, method=Method.MOMO, kind=kind, payload=payload)
    return Callback(204, services.DECLINED, donation)
