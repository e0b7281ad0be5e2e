import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# What people type between the digits; anything else (letters, an extension)
# makes the number invalid rather than being guessed at.
_SEPARATORS = re.compile(r"[\s.\-()]")
_TYPED = re.compile(r"^\+?\d+$")
# A person's own phone: a mobile or a landline, not a hotline (1800…, 1900…) or VoIP.
_PERSONAL = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def _vietnamese(value: str) -> phonenumbers.PhoneNumber | None:
    """The number ``value`` stands for, if it is a valid Vietnamese personal
    phone number (phonenumbers' metadata for region VN: the 2018 mobile
    prefixes, the provinces' landline area codes)."""
    typed = _SEPARATORS.sub("", value or "")
    if not _TYPED.match(typed):
        return None
    try:
        number = phonenumbers.parse(typed, "VN")
    except phonenumbers.NumberParseException:
        return None
    if (
        number.country_code != 84
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _PERSONAL
    ):
        return None
    return number


def normalise_vn_phone(value: str) -> str:
    """``+84 912-345-678`` → ``0912345678``: a Vietnamese number is stored as its
    national digits (0 and 9 digits for a mobile, 0 and 10 for a landline).
    Anything else comes back with the separators dropped, for the validator to
    refuse."""
    number = _vietnamese(value)
    if number is None:
        return _SEPARATORS.sub("", value or "")
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return re.sub(r"\D", "", national)


def validate_vn_phone(value: str) -> None:
    if _vietnamese(value) is None:
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
