"""The site's own stand-in for VNPay's and MoMo's payment pages.

Used only on an installation that allows it (`DEBUG`, or `PAYMENT_SANDBOX`
from `KINDSTEPS_PAYMENT_SANDBOX=1`; never in production) by a campaign in
sandbox mode that has no keys for the provider, so a demo, a staging site and
the browser tests go through the whole flow without any account at VNPay or
MoMo. Its payments are tests (`Donation.is_test`): marked TEST wherever they
show, and left out of every total. It plays the gateway and nothing more: it checks
the signature of what the site sent, the gateway view shows the amount with
"Pay" and "Cancel", then the stand-in builds the gateway's result signed with
the sandbox secret, which the view hands to the site's one IPN pipeline before
sending the donor to the return URL with the same signed result. The site's
ordinary verification code checks all of it.

It speaks the gateways' published formats (`wire.py`) and knows nothing of the
providers; they come to it, through `available` and `momo_create`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from donations import conf
from donations.models import Method, PaymentSettings
from donations.providers import wire

# Who the stand-in is to the providers: a merchant code and keys no real
# gateway ever issued, with the sandbox secret (`conf.sandbox_secret`).
VNPAY_TMN_CODE = "KSSANDBX"
MOMO_PARTNER = "MOMOKSSANDBOX"
MOMO_ACCESS_KEY = "kssandbox"


def available(settings: PaymentSettings) -> bool:
    """Whether a campaign without a provider's keys pays through the stand-in:
    the installation allows it (`conf.stand_in_enabled`) and the campaign is in
    sandbox mode.

    The one place that says when the stand-in may be used."""
    return conf.stand_in_enabled() and settings.sandbox


def secret() -> str:
    return conf.sandbox_secret()


@dataclass(frozen=True)
class Checkout:
    """A payment the stand-in gateway was asked to take, its signature checked."""

    method: str
    reference: str
    amount: int
    order_info: str
    expired: bool = False


@dataclass(frozen=True)
class Finished:
    """The gateway's signed result: what its IPN carries, and where the donor goes."""

    ipn_data: dict[str, Any]
    return_url: str


class VNPayStandIn:
    """VNPay's payment page: the signed URL in, a signed result out."""

    def checkout(self, query: Mapping[str, str]) -> Checkout | None:
        if query.get("vnp_TmnCode") != VNPAY_TMN_CODE or not wire.vnpay_verify(query, secret()):
            return None
        amount = query.get("vnp_Amount", "")
        expires = query.get("vnp_ExpireDate", "")
        return Checkout(
            Method.VNPAY,
            query.get("vnp_TxnRef", ""),
            int(amount) // 100 if amount.isdigit() else 0,
            query.get("vnp_OrderInfo", ""),
            expired=bool(expires) and wire.vnpay_time(timezone.now()) > expires,
        )

    def finish(self, query: Mapping[str, str], *, paid: bool) -> Finished:
        result = {
            "vnp_Amount": query["vnp_Amount"],
            "vnp_BankCode": "NCB",
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": query.get("vnp_OrderInfo", ""),
            "vnp_PayDate": wire.vnpay_time(timezone.now()),
            "vnp_ResponseCode": "00" if paid else "24",  # 24: the customer cancelled
            "vnp_TmnCode": query["vnp_TmnCode"],
            "vnp_TransactionNo": str(secrets.randbelow(90_000_000) + 10_000_000) if paid else "0",
            "vnp_TransactionStatus": "00" if paid else "02",
            "vnp_TxnRef": query["vnp_TxnRef"],
        }
        if paid:
            result["vnp_BankTranNo"] = f"VNP{secrets.randbelow(10**8):08d}"
        return Finished(
            ipn_data={**result, "vnp_SecureHash": wire.vnpay_sign(result, secret())},
            return_url=f"{query['vnp_ReturnUrl']}?{wire.vnpay_signed_query(result, secret())}",
        )


class MoMoStandIn:
    """MoMo's create endpoint and payment page: a signed request in, a signed result out."""

    def checkout(self, query: Mapping[str, str]) -> Checkout | None:
        if query.get("partnerCode") != MOMO_PARTNER or not wire.momo_verify(
            wire.MOMO_CREATE_FIELDS, query, MOMO_ACCESS_KEY, secret()
        ):
            return None
        amount = query.get("amount", "")
        return Checkout(
            Method.MOMO,
            query.get("orderId", ""),
            int(amount) if amount.isdigit() else 0,
            query.get("orderInfo", ""),
        )

    def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """A payment page for a correctly signed create request, as MoMo answers."""
        base = {
            "partnerCode": body.get("partnerCode"),
            "orderId": body.get("orderId"),
            "requestId": body.get("requestId"),
            "amount": body.get("amount"),
            "responseTime": _milliseconds(),
        }
        query = {key: str(value) for key, value in body.items() if key != "lang"}
        if self.checkout(query) is None:
            return {**base, "resultCode": 11, "message": "Access denied."}
        pay_url = f"{gateway_path(Method.MOMO, str(body['orderId']))}?{urlencode(query)}"
        return {**base, "resultCode": 0, "message": "Successful.", "payUrl": pay_url}

    def finish(self, query: Mapping[str, str], *, paid: bool) -> Finished:
        result: dict[str, Any] = {
            "partnerCode": query["partnerCode"],
            "orderId": query["orderId"],
            "requestId": query["requestId"],
            "amount": int(query["amount"]),
            "orderInfo": query.get("orderInfo", ""),
            "orderType": "momo_wallet",
            "transId": secrets.randbelow(9 * 10**9) + 10**9,
            "resultCode": 0 if paid else 1006,  # 1006: the user declined
            "message": "Successful." if paid else "Transaction denied by user.",
            "payType": "qr",
            "responseTime": _milliseconds(),
            "extraData": query.get("extraData", ""),
        }
        result["signature"] = wire.momo_sign(
            wire.MOMO_RESULT_FIELDS, result, MOMO_ACCESS_KEY, secret()
        )
        return Finished(ipn_data=result, return_url=f"{query['redirectUrl']}?{urlencode(result)}")


def _milliseconds() -> int:
    return int(timezone.now().timestamp() * 1000)


GATEWAYS: dict[str, VNPayStandIn | MoMoStandIn] = {
    Method.VNPAY: VNPayStandIn(),
    Method.MOMO: MoMoStandIn(),
}


def gateway_path(method: str, reference: str) -> str:
    return reverse("donations:sandbox_gateway", args=[method, reference])


def checkout(method: str, query: Mapping[str, str]) -> Checkout | None:
    """The payment described by the gateway URL's query string, if signed by the site."""
    gateway = GATEWAYS.get(method)
    return None if gateway is None else gateway.checkout(query)


def finish(method: str, query: Mapping[str, str], *, paid: bool) -> Finished:
    """Pay or cancel a checked payment: the gateway's signed result."""
    return GATEWAYS[method].finish(query, paid=paid)


def momo_create(body: Mapping[str, Any]) -> dict[str, Any]:
    """MoMo's create endpoint (`POST /v2/gateway/api/create`), played here."""
    return MoMoStandIn().create(body)
