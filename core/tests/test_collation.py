"""Names sorted the Vietnamese way: the alphabet first, then the tones, then the case."""

import unicodedata

import pytest

from core.collation import vietnamese_key


def ordered(*names: str) -> list[str]:
    return sorted(names, key=vietnamese_key)


def test_d_with_stroke_comes_right_after_d_not_after_z():
    assert ordered("Đức Hòa", "Zô", "Dương", "Cần Đước", "Ấp 2") == [
        "Ấp 2",
        "Cần Đước",
        "Dương",
        "Đức Hòa",
        "Zô",
    ]


def test_letters_with_breve_circumflex_and_horn_follow_their_base_letter():
    assert ordered("ơn", "ôm", "on", "ăn", "an", "ân", "bé", "ưa", "us", "ết", "em") == [
        "an",
        "ăn",
        "ân",
        "bé",
        "em",
        "ết",
        "on",
        "ôm",
        "ơn",
        "us",
        "ưa",
    ]


def test_tones_only_break_ties_in_the_order_none_grave_hook_tilde_acute_dot():
    assert ordered("mạ", "má", "mã", "mả", "mà", "ma") == ["ma", "mà", "mả", "mã", "má", "mạ"]
    # A later letter weighs more than an earlier tone: "bà" before "ban".
    assert ordered("ban", "bà", "bàn") == ["bà", "ban", "bàn"]


def test_case_does_not_reorder_names_and_ties_are_decided():
    assert ordered("Long Trạch", "long an", "Long An", "LONG HẬU") == [
        "long an",
        "Long An",
        "LONG HẬU",
        "Long Trạch",
    ]


def test_numbers_in_names_sort_by_value():
    assert ordered("Phường 10", "Phường 2", "Phường 1", "Phường") == [
        "Phường",
        "Phường 1",
        "Phường 2",
        "Phường 10",
    ]


@pytest.mark.parametrize("name", ["Hội CTĐ CS xã Phước Lý", "Trường THPT Rạch Kiến"])
def test_decomposed_and_composed_spellings_sort_as_one(name):
    assert vietnamese_key(unicodedata.normalize("NFD", name)) == vietnamese_key(name)


def test_a_district_list_reads_as_printed_in_vietnam():
    communes = [
        "Xã Tân Lân",
        "Thị trấn Cần Đước",
        "Xã Long Trạch",
        "Xã Đông Thạnh",
        "Xã Long Hựu Đông",
        "Xã Long Hựu Tây",
        "Xã Long Cang",
        "Xã Mỹ Lệ",
        "Xã Ấp Bắc",
    ]
    assert sorted(communes, key=vietnamese_key) == [
        "Thị trấn Cần Đước",
        "Xã Ấp Bắc",
        "Xã Đông Thạnh",
        "Xã Long Cang",
        "Xã Long Hựu Đông",
        "Xã Long Hựu Tây",
        "Xã Long Trạch",
        "Xã Mỹ Lệ",
        "Xã Tân Lân",
    ]
