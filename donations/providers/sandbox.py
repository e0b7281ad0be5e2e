"""The site's own stand-in for VNPay's and MoMo's payment pages.

Used only by a campaign in sandbox mode that has no keys for the provider, so a
demo, a local install and the browser tests go through the whole flow without
any account at VNPay or MoMo. It behaves as the real gateway does: it checks
the signature of what the site sent, shows the amount with "Pay" and "Cancel",
then calls the site's IPN handler with a result signed with
`conf.sandbox_secret()` and sends the donor to the return URL with the same
signed result. The site's ordinary verification code checks all of it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from donations import conf
from donations.models import Method, PaymentSettings
from donations.providers import momo, provider_for, vnpay


@dataclass(frozen=True)
class Checkout:
    """A payment the stand-in gateway was asked to take, its signature checked."""

    method: str
    reference: str
    amount: int
    order_info: str
    expired: bool = False


def is_stand_in(settings: PaymentSettings, method: str) -> bool:
    """True only in sandbox mode for a provider without keys."""
    if method not in (Method.VNPAY, Method.MOMO) or not settings.sandbox:
        return False
    credentials = provider_for(method, settings).credentials()
    return credentials is not None and credentials.stand_in


def gateway_path(method: str, reference: str) -> str:
    return reverse("donations:sandbox_gateway", args=[method, reference])


def checkout(method: str, query: Mapping[str, str]) -> Checkout | None:
    """The payment described by the gateway URL's query string, if signed by the site."""
    secret = conf.sandbox_secret()
    if method == Method.VNPAY:
        if query.get("vnp_TmnCode") != vnpay.STAND_IN_TMN_CODE or not vnpay.verify(query, secret):
            return None
        amount = query.get("vnp_Amount", "")
        expires = query.get("vnp_ExpireDate", "")
        return Checkout(
            method,
            query.get("vnp_TxnRef", ""),
            int(amount) // 100 if amount.isdigit() else 0,
            query.get("vnp_OrderInfo", ""),
            expired=bool(expires) and vnpay.vnpay_time(timezone.now()) > expires,
        )
    if method == Method.MOMO:
        if query.get("partnerCode") != momo.STAND_IN_PARTNER or not momo.verify(
            momo.CREATE_FIELDS, query, momo.STAND_IN_ACCESS_KEY, secret
        ):
            return None
        amount = query.get("amount", "")
        return Checkout(
            method,
            query.get("orderId", ""),
            int(amount) if amount.isdigit() else 0,
            query.get("orderInfo", ""),
        )
    return None


def momo_create(body: dict) -> dict:
    """MoMo's create endpoint: a payment page for a correctly signed request."""
    base = {
        "partnerCode": body.get("partnerCode"),
        "orderId": body.get("orderId"),
        "requestId": body.get("requestId"),
        "amount": body.get("amount"),
        "responseTime": int(time.time() * 1000),
    }
    query = {key: str(value) for key, value in body.items() if key != "lang"}
    if checkout(Method.MOMO, query) is None:
        return {**base, "resultCode": 11, "message": "Access denied."}
    pay_url = f"{gateway_path(Method.MOMO, str(body['orderId']))}?{urlencode(query)}"
    return {**base, "resultCode": 0, "message": "Successful.", "payUrl": pay_url}


def finish(method: str, query: Mapping[str, str], *, paid: bool) -> tuple[str, object]:
    """Pay or cancel: notify the site's IPN handler; the URL to send the donor to,
    and what the IPN handler made of it."""
    if method == Method.VNPAY:
        return _finish_vnpay(query, paid=paid)
    return _finish_momo(query, paid=paid)


def _finish_vnpay(query: Mapping[str, str], *, paid: bool) -> tuple[str, vnpay.Callback]:
    secret = conf.sandbox_secret()
    result = {
        "vnp_Amount": query["vnp_Amount"],
        "vnp_BankCode": "NCB",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": query.get("vnp_OrderInfo", ""),
        "vnp_PayDate": vnpay.vnpay_time(timezone.now()),
        "vnp_ResponseCode": "00" if paid else "24",  # 24: the customer cancelled
        "vnp_TmnCode": query["vnp_TmnCode"],
        "vnp_TransactionNo": str(secrets.randbelow(90_000_000) + 10_000_000) if paid else "0",
        "vnp_TransactionStatus": "00" if paid else "02",
        "vnp_TxnRef": query["vnp_TxnRef"],
    }
    if paid:
        result["vnp_BankTranNo"] = f"VNP{secrets.randbelow(10**8):08d}"
    signed = {**result, "vnp_SecureHash": vnpay.sign(result, secret)}
    callback = vnpay.handle_callback(signed, kind="ipn")
    return f"{query['vnp_ReturnUrl']}?{vnpay.signed_query(result, secret)}", callback


def _finish_momo(query: Mapping[str, str], *, paid: bool) -> tuple[str, momo.Callback]:
    result: dict[str, object] = {
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
        "responseTime": int(time.time() * 1000),
        "extraData": query.get("extraData", ""),
    }
    result["signature"] = momo.sign(
        momo.RESULT_FIELDS, result, momo.STAND_IN_ACCESS_KEY, conf.sandbox_secret()
    )
    callback = momo.handle_callback(result, kind="ipn")
    return f"{query['redirectUrl']}?{urlencode(result)}", callback
