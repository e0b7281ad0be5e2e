"""Settings of the donations app, read from Django's settings with defaults.

Provider keys live per campaign (`PaymentSettings`); these are the endpoints,
whether the stand-in gateway exists here, and its secret, which only ever
signs test payments."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

VNPAY_URL = "https://pay.vnpay.vn/vpcpay.html"
VNPAY_SANDBOX_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
MOMO_URL = "https://payment.momo.vn"
MOMO_SANDBOX_URL = "https://test-payment.momo.vn"


def vnpay_url(sandbox: bool) -> str:
    if sandbox:
        return getattr(settings, "DONATIONS_VNPAY_SANDBOX_URL", VNPAY_SANDBOX_URL)
    return getattr(settings, "DONATIONS_VNPAY_URL", VNPAY_URL)


def momo_url(sandbox: bool) -> str:
    """MoMo's API root; the create request goes to `<root>/v2/gateway/api/create`."""
    if sandbox:
        return getattr(settings, "DONATIONS_MOMO_SANDBOX_URL", MOMO_SANDBOX_URL)
    return getattr(settings, "DONATIONS_MOMO_URL", MOMO_URL)


def http_timeout() -> float:
    return float(getattr(settings, "DONATIONS_HTTP_TIMEOUT", 15))


def payment_minutes() -> int:
    """How long a gateway's payment page stays valid (VNPay's vnp_ExpireDate)."""
    return int(getattr(settings, "DONATIONS_PAYMENT_MINUTES", 15))


def stand_in_enabled() -> bool:
    """Whether this installation may offer the stand-in gateway at all: with
    DEBUG (the demo, a developer's machine) or `PAYMENT_SANDBOX` set
    (`KINDSTEPS_PAYMENT_SANDBOX=1`, a staging site). Never in production."""
    return bool(settings.DEBUG or getattr(settings, "PAYMENT_SANDBOX", False))


def sandbox_secret() -> str:
    """The key the stand-in gateway signs with: set, or derived from SECRET_KEY
    so that it differs per installation and never needs configuring."""
    configured = getattr(settings, "DONATIONS_SANDBOX_SECRET", "")
    if configured:
        return configured
    return hmac.new(
        settings.SECRET_KEY.encode(), b"kindsteps.donations.sandbox", hashlib.sha256
    ).hexdigest()
