from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import translation

from campaigns.display import countdown_text, join_local, split_local

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_local_date_and_time_round_trip_through_24_00():
    end = join_local(date(2024, 4, 21), "24:00", VN)
    assert end == datetime(2024, 4, 22, tzinfo=VN)
    assert split_local(end, VN, is_end=True) == (date(2024, 4, 21), "24:00")
    assert split_local(end, VN) == (date(2024, 4, 22), "00:00")


def test_countdown_text_shows_days_and_a_clock():
    with translation.override("en"):
        assert countdown_text(3 * 86400 + 4 * 3600 + 12 * 60 + 9) == "3 days 04:12:09"
        assert countdown_text(59) == "00:00:59"
        assert countdown_text(-5) == "00:00:00"
