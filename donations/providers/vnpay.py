"""VNPay payment gateway, API version 2.1.0.

`prepare` builds the payment URL: the `vnp_` parameters sorted by name, each
value URL-encoded (spaces as `+`), joined with `&`, and signed with
HMAC-SHA512 under the merchant's hash secret (`vnp_SecureHash`, hex; see
`wire.py`). VNPay sends the donor back to the return URL and calls the IPN URL
server to server, both with the result signed the same way. Only a result
whose response code and transaction status are both `00` pays; the IPN is
answered with VNPay's JSON codes (`RspCode`/`Message`).

A campaign in sandbox mode without keys uses the site's stand-in gateway
(`donations.providers.sandbox`), which signs with `conf.sandbox_secret()`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from donations import conf, services
from donations.models import Donation, Method
from donations.providers import sandbox, wire
from donations.providers.base import (
    BAD_SIGNATURE,
    CallbackError,
    CallbackKind,
    CallbackResult,
    KeyedProvider,
    Prepared,
    Reply,
    require_credentials,
)

if TYPE_CHECKING:
    from accounts.models import User

VERSION = "2.1.0"
STAND_IN_TMN_CODE = sandbox.VNPAY_TMN_CODE

# VNPay's signing, under the names this module has always offered.
hash_data = wire.vnpay_hash_data
sign = wire.vnpay_sign
verify = wire.vnpay_verify
signed_query = wire.vnpay_signed_query
vnpay_time = wire.vnpay_time

# IPN answers: (RspCode, Message), as VNPay's integration guide spells them.
CONFIRMED = ("00", "Confirm Success")
ORDER_NOT_FOUND = ("01", "Order not found")
ALREADY_CONFIRMED = ("02", "Order already confirmed")
INVALID_AMOUNT = ("04", "invalid amount")
INVALID_SIGNATURE = ("97", "Invalid signature")
UNKNOWN_ERROR = ("99", "Unknow error")  # VNPay's own spelling

# By the outcome recorded (`services`); a refused callback's code is one too.
ANSWERS = {
    services.PAID: CONFIRMED,
    services.DECLINED: CONFIRMED,  # a recorded failure is confirmed too
    services.ALREADY_PAID: ALREADY_CONFIRMED,
    services.NOT_PAYABLE: ALREADY_CONFIRMED,
    services.ALREADY_SETTLED: ALREADY_CONFIRMED,
    services.NOT_FOUND: ORDER_NOT_FOUND,
    services.BAD_AMOUNT: INVALID_AMOUNT,
    services.BAD_SIGNATURE: INVALID_SIGNATURE,
}


def order_info(donation: Donation) -> str:
    # VNPay wants plain ASCII here (no Vietnamese diacritics).
    return f"Ung ho {donation.campaign.slug} ma {donation.reference}"[:255]


@dataclass(frozen=True)
class Credentials:
    tmn_code: str
    secret: str
    gateway_url: str
    stand_in: bool = False


class VNPayProvider(KeyedProvider):
    method = Method.VNPAY
    verbose_name = "VNPay"
    takes_callbacks = True
    ipn_http_methods = ("GET", "POST")

    def credentials(self) -> Credentials | None:
        """The campaign's merchant keys; with none, the stand-in in sandbox mode only."""
        s = self.settings
        if s.vnpay_tmn_code and s.vnpay_hash_secret:
            return Credentials(s.vnpay_tmn_code, s.vnpay_hash_secret, conf.vnpay_url(s.sandbox))
        if sandbox.available(s):
            return Credentials(STAND_IN_TMN_CODE, sandbox.secret(), "", stand_in=True)
        return None

    def setup_problem(self) -> str | Promise:
        if self.is_configured():
            return ""
        return _(
            "VNPay is turned on but has no merchant keys, so donors are not offered it. "
            "Enter the TMN code and the hash secret that VNPay gave you."
        )

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
        credentials = require_credentials(self.credentials())
        params = self.payment_params(
            donation,
            tmn_code=credentials.tmn_code,
            return_url=self.return_url(request),
            ip_address=request.META.get("REMOTE_ADDR", ""),
        )
        gateway = credentials.gateway_url or sandbox.gateway_path(self.method, donation.reference)
        return Prepared(redirect_url=f"{gateway}?{signed_query(params, credentials.secret)}")

    @classmethod
    def verify_callback(cls, data: dict[str, Any]) -> CallbackResult:
        """A return or IPN, signed with the campaign's hash secret for its merchant code."""
        payload = {key: str(value) for key, value in data.items()}
        donation = cls.find_donation(payload.get("vnp_TxnRef", ""), payload)
        credentials = cls.for_campaign(donation.campaign).credentials()
        if (
            credentials is None
            # The stand-in's key pays test donations only, and only it does.
            or credentials.stand_in != donation.is_test
            or payload.get("vnp_TmnCode") != credentials.tmn_code
            or not verify(payload, credentials.secret)
        ):
            raise CallbackError(BAD_SIGNATURE, payload=payload, donation=donation)
        amount = payload.get("vnp_Amount", "")
        paid = (
            payload.get("vnp_ResponseCode") == "00" and payload.get("vnp_TransactionStatus") == "00"
        )
        return CallbackResult(
            donation=donation,
            status="paid" if paid else "failed",
            amount=int(amount) // 100 if amount.isdigit() and amount.endswith("00") else None,
            transaction_id=payload.get("vnp_TransactionNo", ""),
            payload=payload,
        )

    @classmethod
    def answer(cls, request: HttpRequest, reply: Reply, kind: CallbackKind) -> HttpResponse:
        """The IPN's JSON answer: `00` taken, `01` not found, `02` already
        confirmed, `04` wrong amount, `97` bad signature."""
        if kind != "ipn":
            return super().answer(request, reply, kind)
        code = reply.code if isinstance(reply, CallbackError) else reply.outcome
        rsp_code, message = ANSWERS.get(code, UNKNOWN_ERROR)
        return JsonResponse({"RspCode": rsp_code, "Message": message})

    def refund(self, donation: Donation, *, actor: User | None, note: str = "") -> None:
        """A full refund through VNPay's merchant API; a test payment's is only recorded
        (no money moved). Real money is never "refunded" with the stand-in's key."""
        if donation.is_test:
            services.mark_refunded(donation, actor=actor, note=note)
            return
        credentials = self.credentials()
        credentials = require_credentials(
            None if credentials is None or credentials.stand_in else credentials
        )
        _refund_through_api(donation, credentials, test_system=self.settings.sandbox, actor=actor)
        services.mark_refunded(donation, actor=actor, note=note)


def refund_url(test_system: bool) -> str:
    host = "https://sandbox.vnpayment.vn" if test_system else "https://merchant.vnpay.vn"
    return f"{host}/merchant_webapi/api/transaction"


def _refund_through_api(
    donation: Donation, credentials: Credentials, *, test_system: bool, actor: User | None
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
        answer = requests.post(
            refund_url(test_system), json=body, timeout=conf.http_timeout()
        ).json()
    except (requests.RequestException, ValueError):
        answer = {}
    services.record_event(
        donation, Method.VNPAY, "refund", {"request": body, "response": answer}, "refund_request"
    )
    if answer.get("vnp_ResponseCode") != "00":
        raise services.DonationError(
            _("VNPay did not accept the refund."), code="refund_refused", status=502
        )
