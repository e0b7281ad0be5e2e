"""Vietnamese phone numbers: what people type, how it is stored, what is refused."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.validators import normalise_vn_phone, validate_vn_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084 912 345 678", "0912345678"),
        ("+84 (0) 912 345 678", "0912345678"),
        ("84-389-123-456", "0389123456"),
        ("0868 123 456", "0868123456"),
        ("0589 123 456", "0589123456"),
        ("0701 234 567", "0701234567"),
        ("  0912 345 678  ", "0912345678"),
        # Landlines: Hà Nội (024), TP Hồ Chí Minh (028), a province's 4-digit area code.
        ("(028) 3829 1234", "02838291234"),
        ("024 3825 3535", "02438253535"),
        ("+84 24 3825 3535", "02438253535"),
        ("0236 3822 123", "02363822123"),
        ("0272 3851 234", "02723851234"),
    ],
)
def test_accepts_vietnamese_mobiles_and_landlines_and_stores_national_digits(typed, stored):
    validate_vn_phone(typed)
    assert normalise_vn_phone(typed) == stored
    validate_vn_phone(stored)


@pytest.mark.parametrize(
    "typed",
    [
        "12345",
        # Prefixes no network uses: 01x (renumbered in 2018), 050, 071, 06x mobiles.
        "0123 456 789",
        "01234567890",
        "0501 234 567",
        "0711 234 567",
        "0612 345 678",
        # Too short or too long, mobile and landline.
        "091 234 567",
        "0912 345 6789",
        "028 3829 123",
        "028 3829 12345",
        "+84 91 234 567",
        # Not a person's phone: hotlines.
        "1800 1234",
        "1900 1234",
        # Another country's number, letters, an extension.
        "+1 650 253 0000",
        "+66 81 234 5678",
        "0912 345 678 x12",
        "0912-SỐ-MỘT",
        "09123abc45678",
        "+84 912 345 678;ext=5",
        "0912+345678",
    ],
)
def test_refuses_what_is_not_a_vietnamese_phone_number(typed):
    with pytest.raises(ValidationError) as caught:
        validate_vn_phone(normalise_vn_phone(typed))
    assert caught.value.code == "invalid_phone"


def _message(language: str) -> str:
    with translation.override(language), pytest.raises(ValidationError) as caught:
        validate_vn_phone("12345")
    with translation.override(language):
        return caught.value.messages[0]


def test_the_refusal_is_translated():
    assert _message("en") == (
        "Enter a Vietnamese phone number, e.g. 0912 345 678 or +84 912 345 678."
    )
    assert _message("vi") == (
        "Nhập số điện thoại Việt Nam, ví dụ: 0912 345 678 hoặc +84 912 345 678."
    )
