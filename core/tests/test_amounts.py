"""Amounts of đồng as people and banks write them: one reader for all of them."""

import pytest
from django.utils import formats, translation
from hypothesis import example, given
from hypothesis import strategies as st

from core.amounts import MAX_DIGITS, AmountError, parse_vnd
from core.formatting import digits, vnd

AMOUNTS = st.integers(min_value=0, max_value=10**MAX_DIGITS - 1)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("100.000", 100_000),
        ("100,000", 100_000),
        ("100 000", 100_000),
        ("100\u00a0000", 100_000),
        ("100\u202f000 ₫", 100_000),
        ("100000đ", 100_000),
        ("100000 d", 100_000),
        ("100.000 VND", 100_000),
        ("VND 100,000", 100_000),
        ("100.000 VNĐ", 100_000),
        ("100.000 đồng", 100_000),
        ("100.000,00", 100_000),
        ("500,000.00", 500_000),
        ("1.500.000,0", 1_500_000),
        ("+2,000,000", 2_000_000),
        ("  150000  ", 150_000),
        ("１５００００", 150_000),
        # đồng has no decimals: one group of three after a separator is thousands.
        ("1.234", 1_234),
        ("1,234", 1_234),
        ("0", 0),
    ],
)
def test_reads_what_a_vietnamese_or_english_speaker_means(text, amount):
    assert parse_vnd(text) == amount


@pytest.mark.parametrize("text", ["50000,5", "1.234,56", "500,000.50", "12.5", "1 000,01"])
def test_refuses_a_fractional_dong_instead_of_rounding_it(text):
    with pytest.raises(AmountError) as error:
        parse_vnd(text)

    assert error.value.code == "amount_fractional"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "đ",
        "abc",
        "12,5k",
        "100k",
        "1e5",
        "-50.000",
        "(50.000)",
        "1.000,000",
        "1,000.000.000",
        "1.2345",
        "1234.567",
        "10.00.000",
        "1..000",
        "100.",
        ".5",
        "1.000 000",
        "100 000 000 000 000 000",
        "٣٠٠",
        "9" * 41,
    ],
)
def test_refuses_what_is_not_an_amount(text):
    with pytest.raises(AmountError) as error:
        parse_vnd(text)

    assert error.value.code == "amount_unreadable"


def test_the_refusals_are_translated_with_an_example_in_the_readers_format():
    def refusal(text: str) -> str:
        with pytest.raises(AmountError) as error:
            parse_vnd(text)
        return str(error.value.message)

    with translation.override("vi"):
        unreadable = refusal("abc")
        fractional = refusal("50000,5")
    with translation.override("en"):
        english = refusal("50000,5")

    assert unreadable.startswith("Hãy nhập số tiền") and "150.000 đ" in unreadable
    assert fractional.startswith("Đồng không có đơn vị nhỏ hơn")
    assert english.startswith("The đồng has no smaller unit") and "150,000 đ" in english


@pytest.mark.parametrize("language", ["vi", "en"])
@given(amount=AMOUNTS)
def test_the_sites_own_formats_read_back_to_the_same_amount(language, amount):
    with translation.override(language):
        shown = [
            vnd(amount),
            digits(amount),
            formats.number_format(amount, use_l10n=True, force_grouping=True),
            formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True),
        ]

    assert [parse_vnd(text) for text in shown] == [amount] * len(shown)


BANK_FORMATS = [
    "{n}",
    "{n:,}",
    "{n:,}.00",
    "{n:,} VND",
    "VND {n:,}.00",
    "+{n:,}",
    "{dots}",
    "{dots},00",
    "{dots} VNĐ",
    "{spaces}",
    "{spaces},00",
    "{n}.00",
    "{n},00",
]


@given(amount=AMOUNTS, layout=st.sampled_from(BANK_FORMATS))
@example(amount=1_234_567, layout="{dots},00")
def test_the_banks_formats_read_back_to_the_same_amount(amount, layout):
    text = layout.format(
        n=amount,
        dots=f"{amount:,}".replace(",", "."),
        spaces=f"{amount:,}".replace(",", "\u00a0"),
    )

    assert parse_vnd(text) == amount


JUNK = st.sampled_from(list("abcefhijklmpqrstuwxyz-*/=$%#()_:;!?@&<>[]{}|~^`'\"\\"))


@given(amount=AMOUNTS, junk=JUNK, data=st.data())
def test_a_stray_character_anywhere_makes_an_amount_unreadable(amount, junk, data):
    text = f"{amount:,} đ".replace(",", ".")
    at = data.draw(st.integers(min_value=0, max_value=len(text)))

    with pytest.raises(AmountError):
        parse_vnd(text[:at] + junk + text[at:])


@given(text=st.text(alphabet=st.characters(blacklist_categories=["Nd"])))
def test_text_without_a_digit_never_reads_as_a_number(text):
    with pytest.raises(AmountError):
        parse_vnd(text)


@given(text=st.text(max_size=60))
def test_any_text_reads_as_whole_dong_or_is_refused(text):
    try:
        amount = parse_vnd(text)
    except AmountError:
        return
    assert isinstance(amount, int) and 0 <= amount < 10**MAX_DIGITS
