"""The rules engine on constructed facts: one test per reason code, and facts
just inside every limit that pass."""

from __future__ import annotations

import dataclasses
import json
import zoneinfo
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from django.utils import translation

from activities.reasons import REASON_CODES
from activities.rules import (
    ACCEPTED,
    FLAGGED,
    REJECTED,
    ActivityFacts,
    CountedActivity,
    GpsJump,
    JudgingContext,
    VehicleSegment,
    campaign_day,
    find_track_anomalies,
    judge,
    malformed_verdict,
)
from campaigns.rules import merged_rules
from core.formatting import km

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# The plan's example campaign: 08:00 25/02/2024 – 24:00 21/04/2024, Vietnam time.
OPENS = datetime(2024, 2, 25, 8, 0, tzinfo=HCM)
CLOSES = datetime(2024, 4, 22, 0, 0, tzinfo=HCM)
REGISTERED = datetime(2024, 2, 20, 9, 0, tzinfo=HCM)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=HCM)


def run(
    start: datetime | None = None, distance_m: int = 5000, pace_s: float = 360, **changes
) -> ActivityFacts:
    """A plain 5 km run at 6:00/km on 10/03/2024, valid under the default rules."""
    start = start or local(2024, 3, 10, 6, 0)
    seconds = round(distance_m / 1000 * pace_s)
    facts = ActivityFacts(
        sport="run",
        start=start,
        end=start + timedelta(seconds=seconds),
        elapsed_s=seconds,
        moving_s=seconds,
        distance_m=distance_m,
        splits_s=[pace_s] * (distance_m // 1000),
    )
    return dataclasses.replace(facts, **changes)


def walk(pace_s: float = 600, **changes) -> ActivityFacts:
    """A plain 5 km walk at 10:00/km."""
    return run(pace_s=pace_s, sport="walk", **changes)


def context(rules: dict | None = None, **changes) -> JudgingContext:
    base = JudgingContext(
        campaign_starts_at=OPENS,
        campaign_ends_at=CLOSES,
        sports=["run", "walk"],
        rules=merged_rules(rules),
        registered_at=REGISTERED,
    )
    return dataclasses.replace(base, **changes)


def only_reason(verdict):
    assert len(verdict.reasons) == 1, verdict.reasons
    return verdict.reasons[0]


# ------------------------------------------------------------------ accepted


def test_accepts_a_plain_run_and_credits_all_of_it():
    verdict = judge(run(), context())
    assert verdict.status == ACCEPTED
    assert verdict.credited_m == 5000
    assert verdict.reasons == []


def test_accepts_a_plain_walk():
    verdict = judge(walk(), context())
    assert (verdict.status, verdict.credited_m, verdict.reasons) == (ACCEPTED, 5000, [])


def test_every_code_is_defined_once():
    # The 17, and "other_copy": another copy of the same walk counts (sources.py).
    assert len(set(REASON_CODES)) == len(REASON_CODES) == 18
    assert "other_copy" in REASON_CODES


# ------------------------------------------------------------------- sport


def test_rejects_a_sport_the_campaign_does_not_count():
    verdict = judge(walk(), context(sports=["run"]))
    assert verdict.status == REJECTED
    assert verdict.credited_m == 0
    reason = only_reason(verdict)
    assert reason.code == "sport_not_allowed"
    assert reason.message == "this campaign counts run, not walk"


# ------------------------------------------------------------------ window


def test_rejects_a_run_across_the_closing_midnight():
    facts = run(start=local(2024, 4, 21, 23, 50), distance_m=5000, pace_s=360)
    assert facts.end == local(2024, 4, 22, 0, 20)
    reason = only_reason(judge(facts, context()))
    assert reason.code == "outside_window"
    assert reason.message == (
        "the activity ended at 00:20 on 22/04/2024, "
        "after the campaign closed at 24:00 on 21/04/2024"
    )


def test_accepts_a_run_ending_exactly_at_the_closing_midnight():
    facts = run(start=local(2024, 4, 21, 23, 30), distance_m=5000, pace_s=360)
    assert facts.end == CLOSES
    assert judge(facts, context()).status == ACCEPTED


def test_rejects_a_run_starting_a_minute_before_the_campaign_opens():
    reason = only_reason(judge(run(start=local(2024, 2, 25, 7, 59)), context()))
    assert reason.code == "outside_window"
    assert reason.message == (
        "the activity started at 07:59 on 25/02/2024, "
        "before the campaign opened at 08:00 on 25/02/2024"
    )


def test_accepts_a_run_starting_exactly_when_the_campaign_opens():
    assert judge(run(start=OPENS), context()).status == ACCEPTED


def test_rejects_a_run_starting_after_the_campaign_closed():
    reason = only_reason(judge(run(start=local(2024, 4, 22, 6, 0)), context()))
    assert reason.code == "outside_window"
    assert "after the campaign closed at 24:00 on 21/04/2024" in reason.message


# ------------------------------------------------------------ registration


def test_rejects_a_run_started_before_the_person_registered():
    ctx = context(registered_at=local(2024, 3, 10, 6, 1))
    reason = only_reason(judge(run(start=local(2024, 3, 10, 6, 0)), ctx))
    assert reason.code == "before_registration"
    assert reason.message == (
        "the activity started at 06:00 on 10/03/2024, before you registered at 06:01 on 10/03/2024"
    )


def test_accepts_a_run_started_the_moment_the_person_registered():
    ctx = context(registered_at=local(2024, 3, 10, 6, 0))
    assert judge(run(start=local(2024, 3, 10, 6, 0)), ctx).status == ACCEPTED


# -------------------------------------------------------------------- sync


def test_accepts_a_run_that_reaches_us_exactly_72_hours_after_it_ended():
    facts = run()
    assert judge(facts, context(received_at=facts.end + timedelta(hours=72))).status == ACCEPTED


def test_rejects_a_run_that_reaches_us_a_second_after_72_hours():
    facts = run()
    ctx = context(received_at=facts.end + timedelta(hours=72, seconds=1))
    verdict = judge(facts, ctx)
    assert verdict.status == REJECTED
    reason = only_reason(verdict)
    assert reason.code == "late_sync"
    assert reason.message == (
        "it reached us at 06:30 on 13/03/2024, 72 hours after it ended; the limit is 72 hours"
    )


def test_does_not_judge_arrival_when_the_arrival_time_is_unknown():
    facts = run(start=local(2024, 3, 1, 6, 0))
    assert judge(facts, context(received_at=None)).status == ACCEPTED


def test_rejects_a_run_that_arrives_after_the_grace_period_following_the_close():
    facts = run(start=local(2024, 4, 21, 20, 0))
    # Within 72 h of its own end, but more than 24 h after the close.
    ctx = context({"close_grace_hours": 24}, received_at=CLOSES + timedelta(hours=24, minutes=1))
    reason = only_reason(judge(facts, ctx))
    assert reason.code == "late_sync"
    assert reason.message == (
        "it reached us at 00:01 on 23/04/2024, after the deadline of 24:00 on 22/04/2024, "
        "24 hours after the campaign closed"
    )


def test_accepts_a_run_that_arrives_exactly_at_the_end_of_the_grace_period():
    facts = run(start=local(2024, 4, 21, 20, 0))
    ctx = context({"close_grace_hours": 24}, received_at=CLOSES + timedelta(hours=24))
    assert judge(facts, ctx).status == ACCEPTED


# ---------------------------------------------------------------- distance


def test_accepts_exactly_the_minimum_distance():
    assert judge(run(distance_m=1000), context()).status == ACCEPTED


def test_rejects_a_metre_less_than_the_minimum_distance():
    reason = only_reason(judge(run(distance_m=999), context()))
    assert reason.code == "distance_too_short"
    assert reason.message == "0.999 km is shorter than the 1 km minimum"
    assert reason.evidence == {"distance_m": 999, "min_distance_m": 1000}


def test_rejects_a_run_longer_than_the_campaign_maximum():
    reason = only_reason(judge(run(distance_m=42_196), context({"max_distance_m": 42_195})))
    assert reason.code == "distance_too_long"
    assert reason.message == "42.196 km is longer than the 42.195 km maximum per activity"


def test_accepts_a_run_of_exactly_the_campaign_maximum():
    assert judge(run(distance_m=42_195), context({"max_distance_m": 42_195})).status == ACCEPTED


# -------------------------------------------------------------------- pace


def test_accepts_a_run_at_exactly_4_00_per_km():
    assert judge(run(pace_s=240, splits_s=[]), context()).status == ACCEPTED


def test_rejects_a_run_at_3_59_per_km():
    verdict = judge(run(pace_s=239, splits_s=[]), context())
    reason = only_reason(verdict)
    assert verdict.status == REJECTED
    assert reason.code == "pace_too_fast"
    assert reason.message == "average pace 3:59/km is faster than the 4:00/km limit"


def test_a_pace_a_fraction_faster_than_the_limit_never_prints_as_the_limit():
    # 240 s for 1001 m is 3:59.76/km: just too fast, and shown to the tenth, since
    # to the second it would read as the limit itself.
    facts = run(distance_m=1001, moving_s=240, splits_s=[])
    reason = only_reason(judge(facts, context()))
    assert reason.message == "average pace 3:59.8/km is faster than the 4:00/km limit"


def test_rejects_the_plans_example_of_a_3_45_run():
    reason = only_reason(judge(run(pace_s=225, splits_s=[]), context()))
    assert reason.message == "average pace 3:45/km is faster than the 4:00/km limit"


def test_accepts_a_run_at_exactly_15_00_per_km_and_rejects_15_01():
    assert judge(run(pace_s=900, splits_s=[]), context()).status == ACCEPTED
    reason = only_reason(judge(run(pace_s=901, splits_s=[]), context()))
    assert reason.code == "pace_too_slow"
    assert reason.message == "average pace 15:01/km is slower than the 15:00/km limit"


def test_rejects_a_walk_faster_than_6_00_per_km():
    reason = only_reason(judge(walk(pace_s=359, splits_s=[]), context()))
    assert reason.code == "pace_too_fast"
    assert reason.evidence["min_pace_s"] == 360


def test_walk_limits_are_6_00_to_20_00():
    assert judge(walk(pace_s=360, splits_s=[]), context()).status == ACCEPTED
    assert judge(walk(pace_s=1200, splits_s=[]), context()).status == ACCEPTED
    assert only_reason(judge(walk(pace_s=1201, splits_s=[]), context())).code == "pace_too_slow"


def test_a_campaign_can_change_a_sports_pace_limit():
    ctx = context({"sports": {"run": {"min_pace_s": 180}}})
    assert judge(run(pace_s=200, splits_s=[]), ctx).status == ACCEPTED


def test_uses_elapsed_time_when_there_is_no_moving_time():
    facts = run(pace_s=360, moving_s=0)
    assert judge(facts, context()).status == ACCEPTED


# ------------------------------------------------------------------ splits


def test_rejects_a_run_with_one_km_faster_than_3_30():
    facts = run(splits_s=[300, 300, 161, 300, 300])
    reason = only_reason(judge(facts, context()))
    assert reason.code == "split_too_fast"
    assert reason.message == "km 3 took 2:41, faster than the 3:30 limit"
    assert reason.evidence["fast_km"] == [{"km": 3, "split_s": 161}]


def test_counts_every_km_that_was_too_fast():
    facts = run(splits_s=[200, 300, 205, 209, 300])
    reason = only_reason(judge(facts, context()))
    assert reason.message == "km 1 took 3:20, faster than the 3:30 limit; 2 other km were too fast"
    assert [fast["km"] for fast in reason.evidence["fast_km"]] == [1, 3, 4]


def test_accepts_a_km_of_exactly_3_30():
    assert judge(run(splits_s=[210, 300, 400, 400, 400]), context()).status == ACCEPTED


def test_rejects_a_walk_km_faster_than_5_00():
    reason = only_reason(judge(walk(splits_s=[600, 299, 600, 600, 600]), context()))
    assert reason.message == "km 2 took 4:59, faster than the 5:00 limit"


# ------------------------------------------------------------ GPS and vehicle


def test_flags_a_single_short_gps_jump_for_review_and_keeps_its_credit():
    facts = run(gps_jumps=[GpsJump(index=812, speed_mps=41.5, distance_m=83)])
    verdict = judge(facts, context())
    reason = only_reason(verdict)
    assert verdict.status == FLAGGED
    assert verdict.credited_m == 5000
    assert reason.code == "gps_jump"
    assert reason.message == (
        "the GPS jumped 1 time, at up to 149.4 km/h (the limit is 43.2 km/h); "
        "the 0.08 km it added is not counted"
    )


def test_accepts_plain_index_speed_pairs_for_gps_jumps():
    verdict = judge(run(gps_jumps=[(812, 41.5)]), context())
    assert verdict.status == FLAGGED
    assert verdict.reasons[0].evidence["jumps"][0]["index"] == 812


def test_large_gps_jumps_already_left_out_of_the_distance_only_flag_the_run():
    # 550 m of jumps beside a 5 km run: they are not in its distance, so it is judged
    # on the 5 km and sent for review, not rejected.
    facts = run(gps_jumps=[GpsJump(100, 60.0, 300, 1), GpsJump(400, 55.0, 250, 1)])
    verdict = judge(facts, context())
    assert verdict.status == FLAGGED
    assert verdict.credited_m == 5000
    evidence = only_reason(verdict).evidence
    assert (evidence["reject"], evidence["excluded_m"]) == (False, 550)


def test_rejects_many_small_gps_jumps():
    facts = run(gps_jumps=[GpsJump(i, 15.0, 15) for i in range(6)])
    assert judge(facts, context()).status == REJECTED


def test_flags_a_short_vehicle_segment():
    segment = VehicleSegment(200, 290, duration_s=90, distance_m=400, speed_mps=4.4)
    verdict = judge(walk(vehicle_segments=[segment]), context())
    reason = only_reason(verdict)
    assert verdict.status == FLAGGED
    assert reason.code == "vehicle_speed"
    assert reason.message == (
        "0.4 km in 1:30 at 16.0 km/h on average, faster than anyone walks or runs for that "
        "long (the limit is 12.6 km/h; 8% of the distance)"
    )


def test_rejects_a_run_that_is_mostly_a_car_ride():
    segment = VehicleSegment(10, 500, duration_s=300, distance_m=3000, speed_mps=10)
    verdict = judge(run(vehicle_segments=[segment]), context())
    assert verdict.status == REJECTED
    assert verdict.credited_m == 0


def test_finds_a_car_ride_in_a_walk_as_one_vehicle_segment_not_many_jumps():
    # 10 min walking at 1.4 m/s, 2 min driving at 15 m/s, 10 min walking.
    speeds = np.concatenate([np.full(600, 1.4), np.full(120, 15.0), np.full(600, 1.4)])
    times = np.arange(speeds.size + 1, dtype=float)
    cumulative = np.concatenate([[0.0], np.cumsum(speeds)])
    jumps, segments = find_track_anomalies(times, cumulative, "walk")
    assert jumps == []
    assert len(segments) == 1
    assert (segments[0].start_index, segments[0].end_index) == (600, 720)
    assert segments[0].distance_m == pytest.approx(1800)
    assert segments[0].duration_s == 120


def test_finds_an_isolated_gps_jump():
    speeds = np.full(300, 3.0)
    speeds[150] = 40.0
    times = np.arange(301, dtype=float)
    cumulative = np.concatenate([[0.0], np.cumsum(speeds)])
    jumps, segments = find_track_anomalies(times, cumulative, "run")
    assert segments == []
    assert jumps == [GpsJump(151, 40.0, 40.0)]


def test_a_step_between_points_with_the_same_timestamp_is_a_jump_with_json_evidence():
    times = [0.0, 1.0, 1.0, 2.0]
    cumulative = [0.0, 3.0, 60.0, 63.0]
    jumps, segments = find_track_anomalies(times, cumulative, "run")
    assert segments == []
    assert [(jump.index, jump.distance_m) for jump in jumps] == [(2, 57.0)]
    verdict = judge(run(gps_jumps=jumps), context())
    assert verdict.status == FLAGGED
    json.dumps(verdict.reasons[0].evidence, allow_nan=False)


def test_a_fast_finish_shorter_than_a_minute_and_500_m_is_not_a_vehicle():
    speeds = np.concatenate([np.full(600, 3.0), np.full(59, 7.5)])
    times = np.arange(speeds.size + 1, dtype=float)
    cumulative = np.concatenate([[0.0], np.cumsum(speeds)])
    assert find_track_anomalies(times, cumulative, "run") == ([], [])


def test_a_campaign_can_raise_the_vehicle_speed_for_a_sport():
    speeds = np.full(120, 4.0)
    times = np.arange(121, dtype=float)
    cumulative = np.concatenate([[0.0], np.cumsum(speeds)])
    assert len(find_track_anomalies(times, cumulative, "walk")[1]) == 1
    rules = merged_rules({"sports": {"walk": {"vehicle_speed_mps": 4.5}}})
    assert find_track_anomalies(times, cumulative, "walk", rules) == ([], [])


# ------------------------------------------------------------ manual, no GPS


def test_rejects_a_manual_entry_unless_the_campaign_allows_it():
    facts = run(is_manual=True, has_gps=False, splits_s=[])
    reason = only_reason(judge(facts, context()))
    assert reason.code == "manual_entry"
    assert reason.message == "this campaign does not count activities entered by hand"
    assert judge(facts, context({"allow_manual": True})).status == ACCEPTED


def test_still_checks_the_pace_of_an_allowed_manual_entry():
    facts = run(is_manual=True, has_gps=False, splits_s=[], pace_s=120)
    reason = only_reason(judge(facts, context({"allow_manual": True})))
    assert reason.code == "pace_too_fast"


def test_rejects_a_treadmill_run_unless_the_campaign_allows_it():
    facts = run(has_gps=False)
    reason = only_reason(judge(facts, context()))
    assert reason.code == "no_gps"
    assert judge(facts, context({"allow_no_gps": True})).status == ACCEPTED


# --------------------------------------------------------------- duplicate


def test_rejects_the_same_effort_arriving_from_a_second_source():
    facts = run(start=local(2024, 3, 10, 6, 0))
    other = CountedActivity(local(2024, 3, 10, 5, 59), local(2024, 3, 10, 6, 31), "strava:1")
    reason = only_reason(judge(facts, context(accepted=[other])))
    assert reason.code == "duplicate"
    assert reason.message == (
        "it overlaps an activity already counted, from 05:59 on 10/03/2024 to 06:31 on 10/03/2024"
    )
    assert reason.evidence["other"] == "strava:1"


def test_accepts_a_second_run_that_starts_when_the_first_ended():
    facts = run(start=local(2024, 3, 10, 6, 0))
    other = CountedActivity(local(2024, 3, 10, 5, 0), local(2024, 3, 10, 6, 0))
    assert judge(facts, context(accepted=[other])).status == ACCEPTED


# --------------------------------------------------------------- daily cap


def test_daily_cap_credits_part_of_an_activity():
    ctx = context({"daily_cap_m": 20_000}, credited_by_day={date(2024, 3, 10): 17_000})
    verdict = judge(run(start=local(2024, 3, 10, 18, 0)), ctx)
    assert verdict.status == ACCEPTED
    assert verdict.credited_m == 3000
    reason = only_reason(verdict)
    assert reason.code == "daily_cap"
    assert reason.message == (
        "3 km of 5 km counted: the daily cap is 20 km and 17 km were already counted on 10/03/2024"
    )


def test_daily_cap_credits_nothing_once_the_day_is_full():
    ctx = context({"daily_cap_m": 20_000}, credited_by_day={date(2024, 3, 10): 20_000})
    verdict = judge(run(), ctx)
    assert (verdict.status, verdict.credited_m) == (ACCEPTED, 0)
    assert verdict.codes == ["daily_cap"]


def test_daily_cap_allows_an_activity_that_exactly_fills_the_day():
    ctx = context({"daily_cap_m": 20_000}, credited_by_day={date(2024, 3, 10): 15_000})
    verdict = judge(run(), ctx)
    assert (verdict.status, verdict.credited_m, verdict.reasons) == (ACCEPTED, 5000, [])


def test_23_59_counts_on_the_day_that_is_full():
    ctx = context({"daily_cap_m": 20_000}, credited_by_day={date(2024, 3, 10): 20_000})
    verdict = judge(run(start=local(2024, 3, 10, 23, 59)), ctx)
    assert verdict.credited_m == 0
    assert verdict.codes == ["daily_cap"]


def test_00_01_counts_on_the_next_day_in_the_campaigns_zone():
    ctx = context({"daily_cap_m": 20_000}, credited_by_day={date(2024, 3, 10): 20_000})
    # 00:01 in Vietnam is still 10/03 in UTC: the campaign's zone decides.
    start = local(2024, 3, 11, 0, 1)
    assert start.astimezone(zoneinfo.ZoneInfo("UTC")).date() == date(2024, 3, 10)
    verdict = judge(run(start=start), ctx)
    assert (verdict.status, verdict.credited_m, verdict.reasons) == (ACCEPTED, 5000, [])


def test_campaign_day_uses_the_campaigns_zone():
    assert campaign_day(local(2024, 3, 10, 23, 30)) == date(2024, 3, 10)
    assert campaign_day(local(2024, 3, 11, 0, 30)) == date(2024, 3, 11)


def test_a_flagged_activity_is_still_capped():
    ctx = context({"daily_cap_m": 6000}, credited_by_day={date(2024, 3, 10): 2000})
    verdict = judge(run(gps_jumps=[GpsJump(5, 30.0, 30)]), ctx)
    assert verdict.status == FLAGGED
    assert verdict.credited_m == 4000
    assert verdict.codes == ["gps_jump", "daily_cap"]


# --------------------------------------------------------------- malformed


def test_rejects_a_file_that_could_not_be_read():
    verdict = malformed_verdict("no track points")
    assert verdict.status == REJECTED
    assert verdict.credited_m == 0
    assert only_reason(verdict).code == "malformed_file"
    assert only_reason(verdict).message == "the file could not be read: no track points"


def test_rejects_facts_that_end_before_they_start():
    facts = run()
    facts = dataclasses.replace(facts, end=facts.start - timedelta(minutes=1))
    reason = only_reason(judge(facts, context()))
    assert reason.code == "malformed_file"
    assert reason.message == "the file could not be read: the activity ends before it starts"


# ---------------------------------------------------------------- combined


def test_lists_every_reason_that_applies():
    facts = run(
        start=local(2024, 4, 21, 23, 50),
        pace_s=230,
        splits_s=[230, 161, 230, 230, 230],
        has_gps=False,
    )
    ctx = context(sports=["walk"], received_at=CLOSES + timedelta(days=5))
    verdict = judge(facts, ctx)
    assert verdict.status == REJECTED
    assert verdict.credited_m == 0
    assert verdict.codes == [
        "sport_not_allowed",
        "outside_window",
        "late_sync",
        "no_gps",
        "pace_too_fast",
        "split_too_fast",
    ]


def test_a_rejection_outweighs_a_flag():
    verdict = judge(run(distance_m=900, gps_jumps=[GpsJump(5, 30.0, 30)]), context())
    assert verdict.status == REJECTED
    assert verdict.codes == ["distance_too_short", "gps_jump"]


def test_messages_are_translated_with_the_active_language():
    with translation.override("vi"):
        verdict = judge(run(distance_m=999), context())
    # Whatever the catalogue holds, the code and evidence never change.
    assert verdict.codes == ["distance_too_short"]
    assert verdict.reasons[0].evidence["distance_m"] == 999


def test_a_distance_in_a_message_reads_as_the_activity_page_writes_it_in_each_language():
    # 85 m: the activity page says 0,09 km (0.09 in English); so must the message.
    for language, distance, page in (("vi", "0,09 km", "0,09"), ("en", "0.09 km", "0.09")):
        with translation.override(language):
            reason = only_reason(judge(run(distance_m=85), context()))
            assert reason.message.startswith(distance)
            assert km(85, "activity") == page


def test_figures_in_a_vietnamese_message_use_vietnamese_separators():
    segment = VehicleSegment(10, 40, duration_s=40, distance_m=310, speed_mps=7.75)
    ctx = context({"daily_cap_m": 20_500}, credited_by_day={date(2024, 3, 10): 19_250})
    with translation.override("vi"):
        verdict = judge(run(vehicle_segments=[segment]), ctx)
    assert verdict.codes == ["vehicle_speed", "daily_cap"]
    vehicle, cap = (reason.message for reason in verdict.reasons)
    assert vehicle.startswith("0,31 km trong 0:40 với tốc độ trung bình 27,9 km/h")
    assert cap == (
        "tính 1,25 km trên 5 km: giới hạn mỗi ngày là 20,5 km và ngày 10/03/2024 đã tính 19,25 km"
    )


def test_track_checks_are_still_importable_from_the_rules_module():
    from activities import rules, track_checks

    for name in (
        "find_track_anomalies",
        "track_limits",
        "GpsJump",
        "VehicleSegment",
        "TRACK_DEFAULTS",
        "GPS_JUMP_SPEED_MPS",
        "VEHICLE_SPEED_MPS",
    ):
        assert getattr(rules, name) is getattr(track_checks, name)


def test_flags_a_device_distance_far_above_its_gps_track_with_both_figures():
    verdict = judge(run(distance_m=7029, device_over_path=(7029, 4689)), context())
    assert verdict.status == FLAGGED
    reason = only_reason(verdict)
    assert reason.code == "device_distance_high"
    assert reason.evidence == {"device_m": 7029, "path_m": 4689}
    assert reason.message == (
        "the device's distance, 7.03 km, is far more than its GPS track allows "
        "(4.69 km over the same stretches)"
    )
    assert verdict.credited_m == 7029
