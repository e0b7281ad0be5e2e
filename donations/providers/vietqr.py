"""Bank transfer by VietQR: the NAPAS EMVCo payload, its CRC, and the QR image.

No money moves here. `prepare` shows the donor the campaign's bank account, the
amount and the donation's reference, in words and as a QR code their banking
app can scan; the money is confirmed later by importing the bank's statement
(`donations.reconcile`), which finds the reference in the transfer's description.

Contract with the donate view (it renders ``donations/vietqr.html``) — context:

- ``donation``: the pending `Donation`;
- ``instructions``: the dict in ``Prepared.instructions``, with the keys
  ``bank_name``, ``account``, ``account_name``, ``amount`` (int, đồng),
  ``amount_text`` ("200.000 đ"),
  ``reference``, ``qr_svg`` (an inline ``<svg>`` string, safe to mark safe: it
  is made here, never from input) and ``payload`` (the text inside the QR).

Payload layout (each field is ID, two-digit length, value):
00 "01" version; 01 "12" dynamic (carries an amount); 38 merchant account =
00 "A000000727" (NAPAS) + 01 (00 bank BIN + 01 account) + 02 "QRIBFTTA"
(transfer to an account); 53 "704" (VND); 54 amount; 58 "VN"; 62 additional
data with 08 purpose = the reference; 63 CRC-16/CCITT-FALSE over everything
before it including "6304", four upper-case hex digits.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import segno
from django.utils.translation import gettext_lazy as _

from core.formatting import vnd
from donations.models import Method
from donations.providers.base import BasePaymentProvider, Prepared
from donations.services import mark_refunded

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from donations.models import Donation

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"


def _crc_table() -> list[int]:
    table: list[int] = []
    for byte in range(256):
        crc = byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return table


_TABLE = _crc_table()


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _TABLE[((crc >> 8) ^ byte) & 0xFF]
    return crc


def field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"EMVCo field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def payload(*, bank_bin: str, account: str, amount: int, reference: str) -> str:
    """The VietQR text for a transfer of `amount` đồng to `account` at the bank `bank_bin`."""
    beneficiary = field("00", bank_bin) + field("01", account)
    merchant = field("00", NAPAS_GUID) + field("01", beneficiary) + field("02", SERVICE_TO_ACCOUNT)
    body = (
        field("00", "01")
        + field("01", "12")
        + field("38", merchant)
        + field("53", "704")
        + field("54", str(int(amount)))
        + field("58", "VN")
        + field("62", field("08", reference))
        + "6304"
    )
    return body + f"{crc16_ccitt_false(body.encode('utf-8')):04X}"


def parse(text: str) -> dict[str, str]:
    """The top-level fields of an EMVCo payload, by ID (for tests and support)."""
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        tag, length = text[position : position + 2], int(text[position + 2 : position + 4])
        fields[tag] = text[position + 4 : position + 4 + length]
        position += 4 + length
    return fields


def qr_svg(text: str) -> str:
    """The QR code as an inline SVG element, scaled by CSS to its container."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        out, kind="svg", xmldecl=False, svgns=True, nl=False, scale=1, border=4, omitsize=True
    )
    return out.getvalue().decode("utf-8")


class VietQRProvider(BasePaymentProvider):
    method = Method.VIETQR
    verbose_name = _("bank transfer (VietQR)")

    def is_configured(self) -> bool:
        return bool(self.settings.bank_bin and self.settings.bank_account)

    def instructions(self, donation: Donation) -> dict[str, Any]:
        text = payload(
            bank_bin=self.settings.bank_bin,
            account=self.settings.bank_account,
            amount=donation.amount,
            reference=donation.reference,
        )
        return {
            "bank_name": self.settings.bank_name,
            "account": self.settings.bank_account,
            "account_name": self.settings.bank_account_name,
            "amount": donation.amount,
            "amount_text": vnd(donation.amount),
            "reference": donation.reference,
            "payload": text,
            "qr_svg": qr_svg(text),
        }

    def prepare(self, donation: Donation, request: HttpRequest | None = None) -> Prepared:
        return Prepared(instructions=self.instructions(donation))

    def refund(self, donation: Donation, *, actor: User | None, note: str = "") -> None:
        """The organiser transfers the money back from the bank; this records it."""
        mark_refunded(donation, actor=actor, note=note)
