from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.utils import translation

from campaigns.display import (
    countdown_text,
    format_local,
    format_vnd,
    format_window,
    join_local,
    split_local,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_window_reads_like_the_plan():
    start = datetime(2024, 2, 25, 1, 0, tzinfo=UTC)
    end = datetime(2024, 4, 21, 17, 0, tzinfo=UTC)  # 00:00 22/04 in Vietnam
    assert format_window(start, end, VN) == "08:00 25/02/2024 – 24:00 21/04/2024"


def test_a_start_at_midnight_stays_on_its_own_day():
    assert format_local(datetime(2024, 4, 22, tzinfo=VN), VN) == "00:00 22/04/2024"


def test_local_date_and_time_round_trip_through_24_00():
    end = join_local(date(2024, 4, 21), "24:00", VN)
    assert end == datetime(2024, 4, 22, tzinfo=VN)
    assert split_local(end, VN, is_end=True) == (date(2024, 4, 21), "24:00")
    assert split_local(end, VN) == (date(2024, 4, 22), "00:00")


def test_money_uses_dots_in_vietnamese_and_commas_in_english():
    with translation.override("vi"):
        assert format_vnd(1_000) == "1.000 đ"
        assert format_vnd(20_000_000) == "20.000.000 đ"
    with translation.override("en"):
        assert format_vnd(1_000) == "1,000 đ"


def test_countdown_text_shows_days_and_a_clock():
    with translation.override("en"):
        assert countdown_text(3 * 86400 + 4 * 3600 + 12 * 60 + 9) == "3 days 04:12:09"
        assert countdown_text(59) == "00:00:59"
        assert countdown_text(-5) == "00:00:00"
