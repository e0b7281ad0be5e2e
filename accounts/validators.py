import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Vietnamese numbers after the 2018 renumbering: mobiles are 0 + 9 digits with
# prefixes 03x, 05x, 07x, 08x, 09x; landlines are 02x + 8 digits (11 digits).
_MOBILE = re.compile(r"^0(3|5|7|8|9)\d{8}$")
_LANDLINE = re.compile(r"^02\d{9}$")


def normalise_vn_phone(value: str) -> str:
    """``+84 912-345-678`` → ``0912345678``; spaces, dots, dashes and brackets dropped."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


def validate_vn_phone(value: str) -> None:
    number = normalise_vn_phone(value)
    if not (_MOBILE.match(number) or _LANDLINE.match(number)):
        raise ValidationError(
            _("Enter a Vietnamese phone number, e.g. 0912 345 678 or +84 912 345 678."),
            code="invalid_phone",
        )


def validate_birth_year(value: int) -> None:
    this_year = timezone.now().year
    if value is not None and not (this_year - 110 <= value <= this_year - 4):
        raise ValidationError(
            _("Enter a birth year between %(low)s and %(high)s."),
            code="invalid_birth_year",
            params={"low": this_year - 110, "high": this_year - 4},
        )
