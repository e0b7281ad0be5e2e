"""VNPay payment gateway, API version 2.1.0.

`prepare` builds the payment URL: the `vnp_` parameters sorted by name, each
value URL-encoded (spaces as `+`), joined with `&`, and signed with
HMAC-SHA512 under the merchant's hash secret (`vnp_SecureHash`, hex). VNPay
sends the donor back to the return URL and calls the IPN URL server to server,
both with the result signed the same way. Only a result whose response code
and transaction status are both `00` pays; the IPN is answered with VNPay's
JSON codes (`RspCode`/`Message`).

A campaign in sandbox mode without keys uses the site's stand-in gateway
(`donations.providers.sandbox`), which signs with `conf.sandbox_secret()`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote_plus, urlencode
from zoneinfo import ZoneInfo

import requests
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.audit import log_action
from donations import conf, services
from donations.models import Donation, DonationStatus, Method
from donations.providers import BasePaymentProvider, Prepared, register

if TYPE_CHECKING:
    from django.http import HttpRequest

VERSION = "2.1.0"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
STAND_IN_TMN_CODE = "KSSANDBX"
# A "not paid" result for a donation that is no longer pending: nothing changes.
ALREADY_SETTLED = "already_settled"
UNSIGNED = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})

# IPN answers: (RspCode, Message), as VNPay's integration guide spells them.
CONFIRMED = ("00", "Confirm Success")
ORDER_NOT_FOUND = ("01", "Order not found")
ALREADY_CONFIRMED = ("02", "Order already confirmed")
INVALID_AMOUNT = ("04", "invalid amount")
INVALID_SIGNATURE = ("97", "Invalid signature")

_ANSWERS = {
    services.PAID: CONFIRMED,
    services.ALREADY_PAID: ALREADY_CONFIRMED,
    services.NOT_PAYABLE: ALREADY_CONFIRMED,
    services.NOT_FOUND: ORDER_NOT_FOUND,
    services.BAD_AMOUNT: INVALID_AMOUNT,
}


def hash_data(params: Mapping[str, object]) -> str:
    """The signed text: every `vnp_` parameter but the hash itself, sorted by name."""
    return "&".join(
        f"{key}={quote_plus(str(params[key]))}"
        for key in sorted(params)
        if key.startswith("vnp_") and key not in UNSIGNED
    )


def sign(params: Mapping[str, object], secret: str) -> str:
    return hmac.new(secret.encode(), hash_data(params).encode(), hashlib.sha512).hexdigest()


def verify(params: Mapping[str, object], secret: str) -> bool:
    given = str(params.get("vnp_SecureHash", ""))
    return bool(given) and hmac.compare_digest(given.lower(), sign(params, secret))


def signed_query(params: Mapping[str, object], secret: str) -> str:
    """The query string VNPay expects: sorted parameters, then the hash."""
    ordered = [(key, str(params[key])) for key in sorted(params) if key not in UNSIGNED]
    return urlencode([*ordered, ("vnp_SecureHash", sign(params, secret))])


def vnpay_time(moment: datetime) -> str:
    """yyyyMMddHHmmss in Vietnam's time (GMT+7), as VNPay's dates are."""
    return moment.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


def order_info(donation: Donation) -> str:
    # VNPay wants plain ASCII here (no Vietnamese diacritics).
    return f"Ung ho {donation.campaign.slug} ma {donation.reference}"[:255]


@dataclass(frozen=True)
class Credentials:
    tmn_code: str
    secret: str
    gateway_url: str
    stand_in: bool = False


@dataclass
class Callback:
    """What a return or IPN came to: VNPay's answer code and our outcome."""

    code: str
    message: str
    outcome: str
    donation: Donation | None


@register
class VNPayProvider(BasePaymentProvider):
    method = Method.VNPAY
    verbose_name = "VNPay"

    def credentials(self) -> Credentials | None:
        """The campaign's merchant keys; with none, the stand-in in sandbox mode only."""
        s = self.settings
        if s.vnpay_tmn_code and s.vnpay_hash_secret:
            return Credentials(s.vnpay_tmn_code, s.vnpay_hash_secret, conf.vnpay_url(s.sandbox))
        if s.sandbox:
            return Credentials(STAND_IN_TMN_CODE, conf.sandbox_secret(), "", stand_in=True)
        return None

    def is_configured(self) -> bool:
        return self.credentials() is not None

    def payment_params(
        self,
        donation: Donation,
        *,
        tmn_code: str,
        return_url: str,
        ip_address: str,
        now: datetime | None = None,
    ) -> dict[str, str]:
        now = now or timezone.now()
        language = (translation.get_language() or "vi")[:2]
        return {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": tmn_code,
            "vnp_Amount": str(donation.amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": donation.reference,
            "vnp_OrderInfo": order_info(donation),
            "vnp_OrderType": "other",
            "vnp_Locale": "en" if language == "en" else "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": ip_address or "127.0.0.1",
            "vnp_CreateDate": vnpay_time(now),
            "vnp_ExpireDate": vnpay_time(now + timedelta(minutes=conf.payment_minutes())),
        }

    def prepare(self, donation: Donation, request: HttpRequest) -> Prepared:
        """The signed payment URL; no money moves until the donor pays there."""
        credentials = self.required_credentials()
        params = self.payment_params(
            donation,
            tmn_code=credentials.tmn_code,
            return_url=request.build_absolute_uri(reverse("donations:vnpay_return")),
            ip_address=request.META.get("REMOTE_ADDR", ""),
        )
        gateway = credentials.gateway_url or reverse(
            "donations:sandbox_gateway", args=[self.method, donation.reference]
        )
        return Prepared(redirect_url=f"{gateway}?{signed_query(params, credentials.secret)}")

    def refund(self, donation: Donation, *, actor, note: str = "") -> None:
        """A full refund through VNPay's merchant API (the stand-in just records it)."""
        credentials = self.required_credentials()
        if not credentials.stand_in:
            _refund_through_api(donation, credentials, sandbox=self.settings.sandbox, actor=actor)
        services.mark_refunded(donation, actor=actor, note=note)


def refund_url(sandbox: bool) -> str:
    host = "https://sandbox.vnpayment.vn" if sandbox else "https://merchant.vnpay.vn"
    return f"{host}/merchant_webapi/api/transaction"


def _refund_through_api(
    donation: Donation, credentials: Credentials, *, sandbox: bool, actor
) -> None:
    now = vnpay_time(timezone.now())
    body = {
        "vnp_RequestId": secrets.token_hex(8),
        "vnp_Version": VERSION,
        "vnp_Command": "refund",
        "vnp_TmnCode": credentials.tmn_code,
        "vnp_TransactionType": "02",  # full refund
        "vnp_TxnRef": donation.reference,
        "vnp_Amount": str(donation.amount * 100),
        "vnp_TransactionNo": donation.provider_ref,
        "vnp_TransactionDate": str(donation.provider_data.get("vnp_PayDate", "")),
        "vnp_CreateBy": getattr(actor, "email", "") or "kindsteps",
        "vnp_CreateDate": now,
        "vnp_IpAddr": "127.0.0.1",
        "vnp_OrderInfo": f"Hoan tien {donation.reference}",
    }
    # The merchant API signs a `|`-joined list of values in this fixed order.
    order = [
        "vnp_RequestId",
        "vnp_Version",
        "vnp_Command",
        "vnp_TmnCode",
        "vnp_TransactionType",
        "vnp_TxnRef",
        "vnp_Amount",
        "vnp_TransactionNo",
        "vnp_TransactionDate",
        "vnp_CreateBy",
        "vnp_CreateDate",
        "vnp_IpAddr",
        "vnp_OrderInfo",
    ]
    text = "|".join(body[key] for key in order)
    body["vnp_SecureHash"] = hmac.new(
        credentials.secret.encode(), text.encode(), hashlib.sha512
    ).hexdigest()
    try:
        answer = requests.post(refund_url(sandbox), json=body, timeout=conf.http_timeout()).json()
    except (requests.RequestException, ValueError):
        answer = {}
    services.record_event(
        donation, Method.VNPAY, "refund", {"request": body, "response": answer}, "refund_request"
    )
    if answer.get("vnp_ResponseCode") != "00":
        raise services.DonationError(
            _("VNPay did not accept the refund."), code="refund_refused", status=502
        )


def refuse_signature(donation: Donation, kind: str, payload: dict) -> None:
    services.record_event(donation, Method.VNPAY, kind, payload, services.BAD_SIGNATURE)
    log_action(
        "donations.payment.bad_signature",
        donation,
        campaign=donation.campaign,
        data={"method": Method.VNPAY, "kind": kind},
    )


def handle_callback(params: Mapping[str, str], *, kind: str) -> Callback:
    """Verify and apply a VNPay result (`kind` is "ipn" or "return"), once."""
    payload = {key: str(value) for key, value in params.items()}
    reference = payload.get("vnp_TxnRef", "")
    donation = (
        Donation.objects.select_related("campaign")
        .filter(reference=reference, method=Method.VNPAY)
        .first()
    )
    if donation is None:
        services.record_event(None, Method.VNPAY, kind, payload, services.NOT_FOUND)
        return Callback(*ORDER_NOT_FOUND, services.NOT_FOUND, None)
    credentials = VNPayProvider(services.settings_for(donation.campaign)).credentials()
    if (
        credentials is None
        or payload.get("vnp_TmnCode") != credentials.tmn_code
        or not verify(payload, credentials.secret)
    ):
        refuse_signature(donation, kind, payload)
        return Callback(*INVALID_SIGNATURE, services.BAD_SIGNATURE, donation)
    amount_text = payload.get("vnp_Amount", "")
    amount = int(amount_text) // 100 if amount_text.isdigit() and amount_text.endswith("00") else -1
    if payload.get("vnp_ResponseCode") == "00" and payload.get("vnp_TransactionStatus") == "00":
        result = services.confirm_paid(
            reference,
            method=Method.VNPAY,
            amount=amount,
            provider_ref=payload.get("vnp_TransactionNo", ""),
            kind=kind,
            payload=payload,
        )
        return Callback(*_ANSWERS[result.outcome], result.outcome, result.donation or donation)
    # Not paid: a pending donation fails; one already settled keeps its state.
    if donation.status != DonationStatus.PENDING:
        services.record_event(donation, Method.VNPAY, kind, payload, ALREADY_SETTLED)
        return Callback(*ALREADY_CONFIRMED, ALREADY_SETTLED, donation)
    if amount != donation.amount:
        services.record_event(donation, Method.VNPAY, kind, payload, services.BAD_AMOUNT)
        return Callback(*INVALID_AMOUNT, services.BAD_AMOUNT, donation)
    services.mark_failed(reference, method=Method.VNPAY, kind=kind, payload=payload)
    return Callback(*CONFIRMED, services.DECLINED, donation)
