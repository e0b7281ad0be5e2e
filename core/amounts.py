"""Amounts of đồng as people and banks write them, read into whole đồng.

One reader for every amount typed by a person or exported by a bank: the
donation box, the cash desk, sponsors' rates and caps, bank statements, and a
campaign's money target and đồng per km. `parse_vnd` reads the text and
`VndField` is the form field every form uses for an amount; both live in core
so that campaigns, below donations, read amounts the same way.

The đồng has no subunit, so a separator followed by exactly three digits is
always a thousands separator ("1.234" and "1,234" are 1,234 đ) and a decimal
part is read only when it has one or two digits after the last separator
("500,000.00", "100.000,00"). A decimal part that is not zero ("50000,5",
"1.234,56") is refused, never rounded. Anything else that is not a number of
đồng is refused too: the caller shows `AmountError.message`.

Accepted: digits, optionally grouped by threes with one separator used
throughout — "." or "," or a space (also a no-break or thin space) — an
optional decimal part of zeros with the other separator, an optional leading
"+", and "đ", "₫", "VND", "VNĐ", "đồng" (or "d", "dong") before or after.
"""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.core import validators
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.formatting import digits as group_digits
from core.formatting import vnd

# No transfer or pledge comes near a million billion đồng; longer input is junk.
MAX_DIGITS = 15
MAX_LENGTH = 40
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_MARKERS = ("vnđ", "vnd", "đồng", "dong", "₫", "đ", "d")
_PLAIN = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"(?P<whole>[0-9]+)(?P<sep>[.,])(?P<fraction>[0-9]{1,2})")
_GROUPED = re.compile(
    r"(?P<whole>[0-9]{1,3}(?P<group>[., ])[0-9]{3}(?:(?P=group)[0-9]{3})*)"
    r"(?:(?P<sep>[.,])(?P<fraction>[0-9]{1,2}))?"
)


class AmountError(DomainError):
    code = "amount_unreadable"


def unreadable() -> AmountError:
    return AmountError(
        _("Write the amount in whole đồng, for example %(example)s.") % {"example": vnd(150_000)},
        code="amount_unreadable",
    )


def fractional() -> AmountError:
    return AmountError(
        _(
            "The đồng has no smaller unit: write a whole number of đồng, "
            "without a decimal part, for example %(example)s."
        )
        % {"example": vnd(150_000)},
        code="amount_fractional",
    )


def _strip_markers(text: str) -> str:
    for marker in _MARKERS:
        if text.startswith(marker):
            text = text[len(marker) :].lstrip()
            break
    for marker in _MARKERS:
        if text.endswith(marker):
            text = text[: -len(marker)].rstrip()
            break
    return text


def parse_vnd(text: str) -> int:
    """Whole đồng from "100.000", "100,000", "100 000", "100000đ", "100.000 VND",
    "100.000,00" or "500,000.00"; `AmountError` for junk or a fractional amount."""
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        raise unreadable()
    # Any space (a no-break or thin space too) is one; a Vietnamese keyboard may
    # type full-width digits or a decomposed "đồng".
    text = unicodedata.normalize("NFC", text).translate(_FULL_WIDTH_DIGITS)
    text = re.sub(r"\s+", " ", text).strip().lower()
    text = _strip_markers(text)
    if text.startswith("+"):
        text = text[1:]
    if _PLAIN.fullmatch(text):
        whole, fraction, group = text, "", ""
    elif match := _DECIMAL.fullmatch(text) or _GROUPED.fullmatch(text):
        groups = match.groupdict()
        whole, fraction, group = (
            groups["whole"],
            groups["fraction"] or "",
            groups.get("group") or "",
        )
        if group and groups["sep"] == group:
            raise unreadable()
    else:
        raise unreadable()
    digits = whole.replace(group, "") if group else whole
    if len(digits.lstrip("0")) > MAX_DIGITS:
        raise unreadable()
    if fraction.strip("0"):
        raise fractional()
    return int(digits)


class VndField(forms.Field):
    """Whole đồng as people write them ("150.000", "150,000 đ", "150000"),
    read by `parse_vnd`; cleaned to an int (None when empty)."""

    widget = forms.TextInput

    def __init__(self, *, min_value: int | None = None, max_value: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if min_value is not None:
            self.validators.append(validators.MinValueValidator(min_value))
        if max_value is not None:
            self.validators.append(validators.MaxValueValidator(max_value))

    def widget_attrs(self, widget) -> dict:
        attrs = super().widget_attrs(widget)
        return {**attrs, "inputmode": "numeric", "autocomplete": "off", "maxlength": MAX_LENGTH}

    def to_python(self, value) -> int | None:
        if isinstance(value, int):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return parse_vnd(text)
        except AmountError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def prepare_value(self, value):
        # An amount the form was given (not typed) shows grouped, as the site writes it.
        return group_digits(value) if isinstance(value, int) else value
