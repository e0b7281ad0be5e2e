"""Payment providers behind one interface (`base.BasePaymentProvider`), chosen
from one registry by their method code.

Adding a provider is one class in a module of this package and one line in
`PROVIDERS`; the return and IPN views (`/payments/<method>/return/` and
`/payments/<method>/ipn/`) find it here. The codes are stored on every
donation and in gateways' configured URLs: they never change once shipped.
"""

from __future__ import annotations

from donations.models import Method, PaymentSettings
from donations.providers.base import BasePaymentProvider, Prepared
from donations.providers.cash import CashProvider
from donations.providers.momo import MoMoProvider
from donations.providers.vietqr import VietQRProvider
from donations.providers.vnpay import VNPayProvider

__all__ = ["PROVIDERS", "BasePaymentProvider", "Prepared", "provider_for"]

PROVIDERS: dict[str, type[BasePaymentProvider]] = {
    Method.VNPAY: VNPayProvider,
    Method.MOMO: MoMoProvider,
    Method.VIETQR: VietQRProvider,
    Method.CASH: CashProvider,
}


def provider_for(method: str, settings: PaymentSettings) -> BasePaymentProvider:
    """The provider of `method` for the campaign whose payment settings these are."""
    return PROVIDERS[method](settings)
