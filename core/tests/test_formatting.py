"""Numbers, distances, money, durations and times as people read them, in
Vietnamese and in English, with the rounding edges."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from core import formatting

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(params=["vi", "en"])
def lang(request):
    with translation.override(request.param):
        yield request.param


def both(vi: str, en: str, lang: str) -> str:
    return vi if lang == "vi" else en


# ------------------------------------------------------------------ distances


@pytest.mark.parametrize(
    ("metres", "vi", "en"),
    [
        (0, "0,0", "0.0"),
        (85, "0,1", "0.1"),
        (9_949, "9,9", "9.9"),
        (9_950, "10,0", "10.0"),  # half up, where a float would print 9.9
        (12_350, "12,4", "12.4"),
        (999_950, "1.000,0", "1,000.0"),
        (12_345_678, "12.345,7", "12,345.7"),
    ],
)
def test_a_total_reads_to_one_decimal_rounded_half_up(lang, metres, vi, en):
    assert formatting.km(metres) == both(vi, en, lang)


@pytest.mark.parametrize(
    ("metres", "vi", "en"),
    [
        (0, "0,00", "0.00"),
        (85, "0,09", "0.09"),  # 0.085 km
        (995, "1,00", "1.00"),
        (9_950, "9,95", "9.95"),
        (999_950, "999,95", "999.95"),
        (1_234_567, "1.234,57", "1,234.57"),
    ],
)
def test_an_activity_reads_to_two_decimals_rounded_half_up(lang, metres, vi, en):
    assert formatting.km(metres, "activity") == both(vi, en, lang)


@pytest.mark.parametrize(
    ("metres", "vi", "en"),
    [(0, "0", "0"), (1_000, "1", "1"), (1_250, "1,25", "1.25"), (42_195, "42,2", "42.2")],
)
def test_a_figure_in_a_sentence_drops_trailing_zeros(lang, metres, vi, en):
    assert formatting.km(metres, "short") == both(vi, en, lang)
    assert formatting.km_text(metres) == both(vi, en, lang) + " km"


def test_a_target_reads_in_whole_km(lang):
    assert formatting.km(1_234_500, "whole") == both("1.235", "1,235", lang)
    assert formatting.km_value(9_950) == 10.0


def test_a_distance_beside_its_limit_reads_as_on_the_activity_page(lang):
    # 85 m: the activity page says 0,09 km, and so does the message.
    assert formatting.km_beside(85, 1_000) == (both("0,09 km", "0.09 km", lang), "1 km")
    assert formatting.km(85, "activity") == both("0,09", "0.09", lang)


def test_a_distance_beside_its_limit_is_exact_where_two_decimals_would_read_alike(lang):
    assert formatting.km_beside(999, 1_000) == (both("0,999 km", "0.999 km", lang), "1 km")
    assert formatting.km_beside(42_196, 42_195) == (
        both("42,196 km", "42.196 km", lang),
        both("42,195 km", "42.195 km", lang),
    )


# ---------------------------------------------------------------------- money


def test_dong_group_their_digits(lang):
    assert formatting.vnd(1_000_000) == both("1.000.000 đ", "1,000,000 đ", lang)
    assert formatting.vnd(0) == "0 đ"
    assert formatting.digits(1_234_567) == both("1.234.567", "1,234,567", lang)
    assert formatting.digits(999) == "999"


def test_any_figure_rounds_half_up_in_the_language(lang):
    assert formatting.number(12.25, 1) == both("12,3", "12.3", lang)
    assert formatting.number(float("inf"), 1) == "∞"


# ------------------------------------------------------------------ durations


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (59.5, "1:00"), (61, "1:01"), (3_599.5, "1:00:00"), (3_661, "1:01:01")],
)
def test_a_duration_reads_as_a_clock_to_the_second(seconds, text):
    assert formatting.duration(seconds) == text


def test_a_pace_reads_in_minutes_however_slow():
    assert formatting.pace(359.5) == "6:00"
    assert formatting.pace(358.4) == "5:58"
    assert formatting.pace(3_600) == "60:00"


def test_a_pace_beside_its_limit_shows_tenths_only_where_seconds_would_read_alike(lang):
    assert formatting.pace_beside(239, 240) == ("3:59", "4:00")
    assert formatting.pace_beside(240_000 / 1001, 240) == (both("3:59,8", "3:59.8", lang), "4:00")
    assert formatting.pace_beside(900.04, 900) == (both("15:00,04", "15:00.04", lang), "15:00")


def test_a_speed_reads_in_km_per_hour(lang):
    assert formatting.speed(3.5) == both("12,6", "12.6", lang)


# ---------------------------------------------------------------------- times


def test_a_window_reads_like_the_plan():
    start = datetime(2024, 2, 25, 1, 0, tzinfo=UTC)
    end = datetime(2024, 4, 21, 17, 0, tzinfo=UTC)  # 00:00 22/04 in Vietnam
    assert formatting.window(start, end, VN) == "08:00 25/02/2024 – 24:00 21/04/2024"
    assert formatting.date_window(start, end, VN) == "25/02/2024 – 21/04/2024"


def test_a_start_at_midnight_stays_on_its_own_day():
    moment = datetime(2024, 4, 22, tzinfo=VN)
    assert formatting.local_datetime(moment, VN) == "00:00 22/04/2024"
    assert formatting.local_datetime(moment, VN, is_end=True) == "24:00 21/04/2024"
    assert formatting.local_datetime(None, VN) == ""


def test_a_sentence_says_the_time_on_the_day(lang):
    moment = datetime(2024, 2, 25, 0, 50, tzinfo=UTC)
    assert formatting.local_datetime(moment, VN, prose=True) == both(
        "07:50 ngày 25/02/2024", "07:50 on 25/02/2024", lang
    )
    assert formatting.local_clock(moment, VN) == "07:50"
    assert formatting.local_date(moment, VN) == "25/02/2024"
    assert formatting.local_date(date(2024, 3, 10)) == "10/03/2024"


# -------------------------------------------------------------------- filters


def test_the_template_filters_write_what_the_functions_write(lang):
    html = Template(
        "{% load formatting %}{{ m|km }}|{{ m|km:'activity' }}|{{ m|km:'whole' }}|"
        "{{ n|digits }}|{{ n|vnd }}|{{ s|duration }}|{{ p|pace }}|{{ v|speed }}|"
        "{{ climb|number }}|{{ none|km }}|{{ none|pace }}"
    ).render(
        Context({"m": 9_950, "n": 1_000_000, "s": 3_661, "p": 359.5, "v": 3.5, "climb": 123.5})
    )
    assert html == both(
        "10,0|9,95|10|1.000.000|1.000.000 đ|1:01:01|6:00|12,6|124||",
        "10.0|9.95|10|1,000,000|1,000,000 đ|1:01:01|6:00|12.6|124||",
        lang,
    )
