"""VNPay's and MoMo's signatures and field lists, as their integration guides publish them.

The one home of the gateways' wire formats, shared by the providers (which
talk to the gateways) and the stand-in gateway (which plays them, in
`sandbox.py`); it imports neither.

- VNPay 2.1.0: the `vnp_` parameters but the hash itself, sorted by name, each
  value URL-encoded (spaces as `+`), joined with `&`, signed with HMAC-SHA512
  (hex); dates are `yyyyMMddHHmmss` in Vietnam's time. What is sent leaves
  empty values out; what comes back is taken with empty values hashed or left
  out (docs/decisions/0013-vnpay-empty-values.md).
- MoMo AIO v2: a raw string of `key=value` pairs in a fixed, alphabetical
  order per message, values as they are (not URL-encoded), signed with
  HMAC-SHA256 (hex).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote_plus, urlencode
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
VNPAY_UNSIGNED = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})

MOMO_CREATE_FIELDS = [
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
MOMO_RESULT_FIELDS = [
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
MOMO_REFUND_FIELDS = [
    "accessKey",
    "amount",
    "description",
    "orderId",
    "partnerCode",
    "requestId",
    "transId",
]


def _vnpay_signed_keys(params: Mapping[str, object], *, keep_empty: bool) -> list[str]:
    return [
        key
        for key in sorted(params)
        if key.startswith("vnp_")
        and key not in VNPAY_UNSIGNED
        and (keep_empty or str(params[key]) != "")
    ]


def vnpay_hash_data(params: Mapping[str, object], *, keep_empty: bool = False) -> str:
    """The signed text: the `vnp_` parameters but the hash itself, sorted by name.

    Empty values are left out (as VNPay's Java and C# samples sign), unless
    `keep_empty` (as its PHP sample hashes what it receives): decision 13."""
    return "&".join(
        f"{key}={quote_plus(str(params[key]))}"
        for key in _vnpay_signed_keys(params, keep_empty=keep_empty)
    )


def vnpay_sign(params: Mapping[str, object], secret: str, *, keep_empty: bool = False) -> str:
    text = vnpay_hash_data(params, keep_empty=keep_empty)
    return hmac.new(secret.encode(), text.encode(), hashlib.sha512).hexdigest()


def vnpay_verify(params: Mapping[str, object], secret: str) -> bool:
    """Whether VNPay signed these parameters, with their empty values hashed or
    left out (VNPay's samples disagree; both texts hold every value that is
    not empty, so neither lets anything be changed: decision 13)."""
    given = str(params.get("vnp_SecureHash", "")).lower()
    if not given:
        return False
    shapes = [False]
    if any(str(params[key]) == "" for key in _vnpay_signed_keys(params, keep_empty=True)):
        shapes.append(True)
    # Both shapes are always computed and compared, so the time taken says nothing.
    matches = [
        hmac.compare_digest(given, vnpay_sign(params, secret, keep_empty=shape)) for shape in shapes
    ]
    return any(matches)


def vnpay_signed_query(params: Mapping[str, object], secret: str) -> str:
    """The query string VNPay expects: sorted parameters, then the hash. An empty
    value is not sent at all, as VNPay's samples build their payment URLs."""
    keys = _vnpay_signed_keys(params, keep_empty=False)
    ordered = [(key, str(params[key])) for key in keys]
    return urlencode([*ordered, ("vnp_SecureHash", vnpay_sign(params, secret))])


def vnpay_time(moment: datetime) -> str:
    """yyyyMMddHHmmss in Vietnam's time (GMT+7), as VNPay's dates are."""
    return moment.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


def text(value: object) -> str:
    """A value as MoMo writes it in a raw signature: None as empty."""
    return "" if value is None else str(value)


def momo_raw_signature(fields: list[str], data: Mapping[str, object], access_key: str) -> str:
    return "&".join(
        f"{name}={access_key if name == 'accessKey' else text(data.get(name, ''))}"
        for name in fields
    )


def momo_sign(fields: list[str], data: Mapping[str, object], access_key: str, secret: str) -> str:
    raw = momo_raw_signature(fields, data, access_key)
    return hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()


def momo_verify(
    fields: list[str], data: Mapping[str, object], access_key: str, secret: str
) -> bool:
    given = text(data.get("signature"))
    return bool(given) and hmac.compare_digest(
        given.lower(), momo_sign(fields, data, access_key, secret)
    )
