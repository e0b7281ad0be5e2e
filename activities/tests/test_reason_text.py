"""A verdict's reasons as people read them: words, local number formats and the
screens' rounding, in Vietnamese and English (activities/reason_text.py)."""

from __future__ import annotations

import pytest
from django.utils import translation

from activities.reason_text import shown
from activities.rules import GpsJump, VehicleSegment, judge

from .test_rules import context, run, walk


def stored(verdict) -> list[dict]:
    """The reasons as the judging pipeline stores them (one language is enough here)."""
    return [
        {"code": r.code, "evidence": r.evidence, "messages": {"vi": r.message}}
        for r in verdict.reasons
    ]


def all_words(reason) -> str:
    return " ".join([reason.message, *(f"{name} {value}" for name, value in reason.evidence)])


def test_a_vehicle_segment_reads_in_kmh_with_vietnamese_separators():
    segment = VehicleSegment(200, 290, duration_s=90, distance_m=400, speed_mps=4.4)
    with translation.override("vi"):
        (reason,) = stored(judge(walk(vehicle_segments=[segment]), context()))
    vi = shown(reason, language="vi")
    en = shown(reason, language="en")
    assert dict(vi.evidence)["Đoạn ở tốc độ xe"] == "0,4 km trong 1:30 với tốc độ 16,0 km/h"
    assert dict(en.evidence)["At vehicle speed"] == "0.4 km in 1:30 at 16.0 km/h"
    assert dict(en.evidence)["Vehicle speed from"] == "12.6 km/h"
    assert dict(vi.evidence)["Tốc độ xe từ"] == "12,6 km/h"
    assert "16,0 km/h" in vi.message


@pytest.mark.parametrize(
    ("language", "speed", "left_out"),
    [("vi", "149,4 km/h", "0,08 km"), ("en", "149.4 km/h", "0.08 km")],
)
def test_a_gps_jump_says_how_fast_and_how_much_was_left_out(language, speed, left_out):
    facts = run(gps_jumps=[GpsJump(812, 41.5, 83, 1)])
    with translation.override(language):
        (reason,) = stored(judge(facts, context()))
    words = shown(reason, language=language)
    evidence = dict(words.evidence)
    assert speed in evidence[words.evidence[0][0]]
    assert left_out in words.message
    assert left_out in " ".join(evidence.values())


def test_pace_and_splits_read_in_minutes_per_km():
    facts = run(pace_s=170, splits_s=[170, 175, 168, 172, 171])
    (pace, split) = stored(judge(facts, context()))
    en = [shown(pace, language="en"), shown(split, language="en")]
    assert dict(en[0].evidence)["Average pace"] == "2:50/km"
    assert dict(en[0].evidence)["Fastest pace allowed"] == "4:00/km"
    assert dict(en[1].evidence)["Kilometres too fast"].startswith("km 1 in 2:50, km 2 in 2:55")
    vi = shown(pace, language="vi")
    assert dict(vi.evidence)["Tốc độ trung bình"] == "2:50/km"


def test_no_reason_shows_a_raw_key_or_dict():
    facts = run(
        pace_s=170,
        gps_jumps=[GpsJump(3, float("inf"), 57.0)],
        vehicle_segments=[VehicleSegment(10, 40, 40, 310, 7.75)],
        device_over_path=(9000, 5000),
    )
    ctx = context({"daily_cap_m": 3000})
    for language in ("vi", "en"):
        with translation.override(language):
            reasons = stored(judge(facts, ctx))
        for reason in reasons:
            text = all_words(shown(reason, language=language))
            for raw in ("{", "_m", "_mps", "_s", "speed_", "None", "True", "False", "nan"):
                assert raw not in text, (reason["code"], text)


def test_evidence_of_an_older_shape_is_left_to_its_sentence():
    reason = {
        "code": "gps_jump",
        "evidence": {"at_km": 2.4, "jump_m": 850},
        "messages": {"vi": "Định vị nhảy 850 m ở km 2,4.", "en": "The GPS jumped 850 m at km 2.4."},
    }
    words = shown(reason, language="en")
    assert words.message == "The GPS jumped 850 m at km 2.4."
    assert words.label == "GPS jump"
    assert words.evidence == []
