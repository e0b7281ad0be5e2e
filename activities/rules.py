"""Judging one activity against one campaign's rules.

Pure functions: the caller gathers the facts about the activity
(`ActivityFacts`) and about the person and campaign (`JudgingContext`) and
`judge` returns a `Verdict`. Nothing here reads or writes the database, so the
same code serves uploads, re-judging and `analyse_activity`.

Reason codes are stable strings, registered with their labels in
activities/reasons.py. docs/rules.md explains each rule and its default.
Figures in the messages are written by core/formatting.py in the active
language: the caller judges under each language it stores messages in.
"""

from __future__ import annotations

import math
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.utils.translation import gettext, ngettext

from activities.reason_text import sport_names
from activities.reasons import (
    BEFORE_REGISTRATION,
    DAILY_CAP,
    DEVICE_DISTANCE_HIGH,
    DISTANCE_TOO_LONG,
    DISTANCE_TOO_SHORT,
    DUPLICATE,
    GPS_JUMP,
    LATE_SYNC,
    MALFORMED_FILE,
    MANUAL_ENTRY,
    NO_GPS,
    OTHER_COPY,
    OUTSIDE_WINDOW,
    PACE_TOO_FAST,
    PACE_TOO_SLOW,
    REJECTING_CODES,
    SPLIT_TOO_FAST,
    SPORT_NOT_ALLOWED,
    VEHICLE_SPEED,
)

# The track checks live in activities/track_checks.py. They are re-exported
# here because callers import them from this module alongside `judge`.
from activities.track_checks import (  # noqa: F401 (re-exported)
    GPS_JUMP_MAX_COUNT,
    GPS_JUMP_SPEED_MPS,
    SUSPECT_REJECT_SHARE,
    TRACK_DEFAULTS,
    VEHICLE_MIN_M,
    VEHICLE_MIN_S,
    VEHICLE_SPEED_MPS,
    VEHICLE_SPEED_OTHER_MPS,
    GpsJump,
    VehicleSegment,
    find_track_anomalies,
    track_limits,
)
from core.formatting import (
    duration,
    km_beside,
    km_text,
    local_date,
    local_datetime,
    number,
    pace_beside,
    speed,
)

ACCEPTED = "accepted"
FLAGGED = "flagged"
REJECTED = "rejected"

DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh"


class CountedActivity(NamedTuple):
    """An activity of the same person already accepted in the campaign."""

    start: datetime
    end: datetime
    label: str = ""


class CountedCopy(NamedTuple):
    """For an activity that is another copy of a walk counted from elsewhere
    (activities/copies.py): the kind of the copy that counts, this one's, and why."""

    kind: str
    this_kind: str
    why: str  # "priority" or "first" (activities/sources.py)
    start: datetime
    end: datetime
    label: str = ""


@dataclass(frozen=True)
class ActivityFacts:
    sport: str
    start: datetime  # aware
    end: datetime  # aware
    elapsed_s: int
    moving_s: int
    distance_m: int
    splits_s: Sequence[float] = ()  # seconds per completed km, in order
    has_gps: bool = True
    is_manual: bool = False
    max_speed_mps: float | None = None
    gps_jumps: Sequence[GpsJump] = ()
    vehicle_segments: Sequence[VehicleSegment] = ()
    # (device metres, GPS path metres) when the device's distance, which the activity's
    # follows, is far above what its GPS path allows (the parser's "device_distance_high").
    device_over_path: tuple[int, int] | None = None


@dataclass(frozen=True)
class JudgingContext:
    campaign_starts_at: datetime
    campaign_ends_at: datetime
    sports: Sequence[str]  # the campaign's allowed sports
    rules: Mapping[str, Any]  # campaigns.rules.merged_rules(...)
    registered_at: datetime | None = None  # None: not judged
    received_at: datetime | None = None  # None: not judged
    time_zone: str = DEFAULT_TIME_ZONE
    # Metres already credited to the person in this campaign, per campaign
    # day (local date in the campaign's zone), excluding this activity.
    credited_by_day: Mapping[date, int] = field(default_factory=dict)
    accepted: Sequence[CountedActivity] = ()

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    status: str
    credited_m: int
    reasons: list[Reason] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]


# ------------------------------------------------------------------- judging


def campaign_day(moment: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> date:
    """The campaign day an activity counts on: the local date of its start."""
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def malformed_verdict(error: str) -> Verdict:
    """The verdict for a file that could not be read at all."""
    return Verdict(
        REJECTED,
        0,
        [
            Reason(
                MALFORMED_FILE,
                gettext("the file could not be read: %(error)s") % {"error": error},
                {"error": error},
            )
        ],
    )


def copy_verdict(copy: CountedCopy, time_zone: str = DEFAULT_TIME_ZONE) -> Verdict:
    """The verdict of a copy of a walk that counts from another source: not counted,
    saying which copy counts and why. Nothing else about it is judged."""
    from activities.sources import source_label, why_text

    tz = zoneinfo.ZoneInfo(time_zone)
    return Verdict(
        REJECTED,
        0,
        [
            Reason(
                OTHER_COPY,
                gettext(
                    "the same walk, %(start)s to %(end)s, was also received from "
                    "%(source)s, which counts: %(why)s"
                )
                % {
                    "start": _when(copy.start, tz),
                    "end": _when(copy.end, tz, is_end=True),
                    "source": source_label(copy.kind),
                    "why": why_text(copy.why, copy.kind, copy.this_kind),
                },
                {
                    "counted_source": copy.kind,
                    "why": copy.why,
                    "other_start": copy.start.isoformat(),
                    "other_end": copy.end.isoformat(),
                    "other": copy.label,
                },
            )
        ],
    )


def judge(facts: ActivityFacts, context: JudgingContext) -> Verdict:
    """Every reason that applies, the status they add up to and the metres credited."""
    problem = _malformed(facts)
    if problem:
        return malformed_verdict(problem)

    reasons: list[Reason] = []
    for check in (
        _check_sport,
        _check_window,
        _check_registration,
        _check_sync,
        _check_distance,
        _check_source,
        _check_pace,
        _check_splits,
        _check_track,
        _check_device_distance,
        _check_duplicate,
    ):
        reasons.extend(check(facts, context))

    statuses = {_status_of(reason) for reason in reasons}
    if REJECTED in statuses:
        return Verdict(REJECTED, 0, reasons)
    credited, cap_reason = _apply_daily_cap(facts, context)
    if cap_reason:
        reasons.append(cap_reason)
    return Verdict(FLAGGED if FLAGGED in statuses else ACCEPTED, credited, reasons)


def _status_of(reason: Reason) -> str:
    if reason.code in REJECTING_CODES:
        return REJECTED
    if reason.code in (GPS_JUMP, VEHICLE_SPEED):
        return REJECTED if reason.evidence.get("reject") else FLAGGED
    if reason.code == DEVICE_DISTANCE_HIGH:
        return FLAGGED
    return ACCEPTED


def _malformed(facts: ActivityFacts) -> str | None:
    if facts.start.tzinfo is None or facts.end.tzinfo is None:
        return gettext("the start and end times carry no time zone")
    if facts.end < facts.start:
        return gettext("the activity ends before it starts")
    if facts.distance_m < 0 or facts.elapsed_s < 0 or facts.moving_s < 0:
        return gettext("the distance or duration is negative")
    return None


def _when(moment: datetime, tz: zoneinfo.ZoneInfo, *, is_end: bool = False) -> str:
    return local_datetime(moment, tz, is_end=is_end, prose=True)


def _check_sport(facts: ActivityFacts, context: JudgingContext) -> list[Reason]:
    if facts.sport in context.sports:
        return []
    return [
        Reason(
            SPORT_NOT_ALLOWED,
            gettext("this campaign counts %(allowed)s, not %(sport)s")
            % {"allowed": sport_names(context.sports) or "-", "sport": sport_names([facts.sport])},
            {"sport": facts.sport, "allowed": list(context.sports)},
        )
    ]


def _check_window(facts: ActivityFacts, context: JudgingContext) -> list[Reason]:
    tz = context.tz
    opens, closes = context.campaign_starts_at, context.campaign_ends_at
    evidence = {
        "start": facts.start.isoformat(),
        "end": facts.end.isoformat(),
        "campaign_starts_at": opens.isoformat(),
        "campaign_ends_at": closes.isoformat(),
    }
    if facts.start < opens:
        message = gettext(
            "the activity started at %(start)s, before the campaign opened at %(opens)s"
        ) % {"start": _when(facts.start, tz), "opens": _when(opens, tz)}
    elif facts.start >= closes:
        message = gettext(
            "the activity started at %(start)s, after the campaign closed at %(closes)s"
        ) % {
            "start": _when(facts.start, tz),
            "closes": _when(closes, tz, is_end=True),
        }
    elif facts.end > closes:
        message = gettext(
            "the activity ended at %(end)s, after the campaign closed at %(closes)s"
        ) % {
            "end": _when(facts.end, tz, is_end=True),
            "closes": _when(closes, tz, is_end=True),
        }
    else:
        return []
    return [Reason(OUTSIDE_WINDOW, message, evidence)]


def _check_registration(facts: ActivityFacts, context: JudgingContext) -> list[Reason]:
    registered = context.registered_at
    if registered is None or facts.start >= registered:
        return []
    tz = context.tz
    return [
        Reason(
            BEFORE_REGISTRATION,
            gettext("the activity started at %(start)s, before you registered at %(registered)s")
            % {"start": _when(facts.start, tz), "registered": _when(registered, tz)},
            {"start": facts.start.isoformat(), "registered_at": registered.isoformat()},
        )
    ]


def _check_sync(facts: ActivityFacts, context: JudgingContext) -> list[Reason]:
    received = context.received_at
    if received is None:
        return []
    tz = context.tz
    window_h = context.rules["sync_window_hours"]
    grace_h = context.rules["close_grace_hours"]
    deadline = context.campaign_ends_at + timedelta(hours=grace_h)
    evidence: dict[str, Any] = {
        "received_at": received.isoformat(),
        "end": facts.end.isoformat(),
        "sync_window_hours": window_h,
        "close_grace_hours": grace_h,
    }
    reasons = []
    after_end = received - facts.end
    if after_end > timedelta(hours=window_h):
        hours = math.floor(after_end.total_seconds() / 3600)
        reasons.append(
            Reason(
                LATE_SYNC,
                ngettext(
                    "it reached us at %(received)s, %(hours)d hour after it ended; "
                    "the limit is %(limit)d hours",
                    "it reached us at %(received)s, %(hours)d hours after it ended; "
                    "the limit is %(limit)d hours",
                    hours,
                )
                % {"received": _when(received, tz), "hours": hours, "limit": window_h},
                evidence | {"hours_after_end": round(after_end.total_seconds() / 3600, 2)},
            )
        )
    elif received > deadline:
        reasons.append(
            Reason(
                LATE_SYNC,
                gettext(
                    "it reached us at %(received)s, after the deadline of %(deadline)s, "
                    "%(grace)d hours after the campaign closed"
                )
                % {
                    "received": _when(received, tz),
                    "deadline": _when(deadline, tz, is_end=True),
                    "grace": grace_h,
                },
                evidence | {"deadline": deadline.isoformat()},
            )
        )
    return reasons


def _check_distance(facts: ActivityFacts, context: JudgingContext) -> list[Reason]:
    rules = context.rules
    minimum = rules.get("min_distance_m") or 0
    maximum = rules.get("max_distance_m")
    distance = facts.distance_m
    if distance < minimum:
        shown, limit = km_beside(distance, minimum)
        return [
            Reason(
                DISTANCE_TOO_SHORT,
                gettext("%(distance)s is shorter than the %(limit)s minimum")
                % {"distance": shown, "limit": limit},
                {"distance_m": distance, "min_distance_m": minimum},
            )
        ]
    if maximum is not None and distance > maximum:
        shown, limit = km_beside(distance, maximum)
        return [
            Reason(
                DISTANCE_TOO_LONG,
                gettext("%(distance)s is longer than the %(limit)s maximum per activity")
                % {"distance": shown, "limit": limit},
                {"distance_m": distance, "max_distance_m": maximum},
            )
        ]
    return []


def _check_source(facts: ActivityFacts, context: JudgingContext) -> list[Reason]:
    if facts.is_manual:
        if context.rules.get("allow_manual"):
            return []
        return [
            Reason(
                MANUAL_ENTRY,
                gettext("this campaign does not count activities entered by hand"),
                {"allow_manual": False},
            )
        ]
    if not facts.has_gps and not context.rules.get("allow_no_gps"):
        return [
            Reason(
                NO_GPS,
                gettext(
                    "the activity has no GPS track (a treadmill or an indoor recording), "
                    "which this campaign does not count"
                ),
                {"allow_no_gps": False},
            )
        ]
    return []


def _sport_limits(facts: ActivityFacts, context: JudgingContext) -> Mapping[str, Any]:
    return (context.rules.get("sports") or {}).get(facts.sport) or {}


def _check_pace(facts: ActivityFacts, context: JudgingContext) -> list[Reason]:
    limits = _sport_limits(facts, context)
    if facts.distance_m <= 0:
        return []
    # Manual entries and some watches have no moving time: use the elapsed time.
    seconds = facts.moving_s or facts.elapsed_s
    pace = seconds / (facts.distance_m / 1000)
    fastest, slowest = limits.get("min_pace_s"), limits.get("max_pace_s")
    evidence = {
        "pace_s_per_km": round(pace, 1),
        "moving_s": seconds,
        "distance_m": facts.distance_m,
    }
    if fastest is not None and pace < fastest:
        shown, limit = pace_beside(pace, fastest)
        return [
            Reason(
                PACE_TOO_FAST,
                gettext("average pace %(pace)s/km is faster than the %(limit)s/km limit")
                % {"pace": shown, "limit": limit},
                evidence | {"min_pace_s": fastest},
            )
        ]
    if slowest is not None and pace > slowest:
        shown, limit = pace_beside(pace, slowest)
        return [
            Reason(
                PACE_TOO_SLOW,
                gettext("average pace %(pace)s/km is slower than the %(limit)s/km limit")
                % {"pace": shown, "limit": limit},
                evidence | {"max_pace_s": slowest},
            )
        ]
    return []


def _check_splits(facts: ActivityFacts, context: JudgingContext) -> list[Reason]:
    limit = _sport_limits(facts, context).get("fastest_split_s")
    if limit is None:
        return []
    fast = [(km, split) for km, split in enumerate(facts.splits_s, start=1) if split < limit]
    if not fast:
        return []
    km, split = fast[0]
    shown, limit_shown = pace_beside(split, limit)
    message = gettext("km %(km)d took %(split)s, faster than the %(limit)s limit") % {
        "km": km,
        "split": shown,
        "limit": limit_shown,
    }
    others = len(fast) - 1
    if others:
        message += ngettext(
            "; %(count)d other km was too fast", "; %(count)d other km were too fast", others
        ) % {"count": others}
    return [
        Reason(
            SPLIT_TOO_FAST,
            message,
            {"fastest_split_s": limit, "fast_km": [{"km": k, "split_s": s} for k, s in fast]},
        )
    ]


def _check_device_distance(facts: ActivityFacts, context: JudgingContext) -> list[Reason]:
    """A device distance far above the GPS path flags the activity for review."""
    if facts.device_over_path is None:
        return []
    device_m, path_m = facts.device_over_path
    return [
        Reason(
            DEVICE_DISTANCE_HIGH,
            gettext(
                "the device's distance, %(device)s, is far more than its GPS track allows "
                "(%(path)s over the same stretches)"
            )
            % {"device": km_text(device_m), "path": km_text(path_m)},
            {"device_m": device_m, "path_m": path_m},
        )
    ]


def _check_track(facts: ActivityFacts, context: JudgingContext) -> list[Reason]:
    limits = track_limits(context.rules, facts.sport)
    share_limit = limits["suspect_reject_share"]
    total = max(facts.distance_m, 1)
    reasons = []
    if facts.gps_jumps:
        jumps = [GpsJump(*jump) for jump in facts.gps_jumps]
        jumped_m = sum(jump.distance_m for jump in jumps)
        worst = max(jumps, key=lambda jump: jump.speed_mps)
        # The jumps are already out of the distance: only many of them, a track the GPS
        # lost again and again, reject the activity.
        reject = len(jumps) > limits["gps_jump_max_count"]
        reasons.append(
            Reason(
                GPS_JUMP,
                ngettext(
                    "the GPS jumped %(count)d time, at up to %(speed)s km/h (the limit is "
                    "%(limit)s km/h); the %(distance)s it added is not counted",
                    "the GPS jumped %(count)d times, at up to %(speed)s km/h (the limit is "
                    "%(limit)s km/h); the %(distance)s they added is not counted",
                    len(jumps),
                )
                % {
                    "count": len(jumps),
                    "speed": _kmh(worst.speed_mps),
                    "limit": _kmh(limits["gps_jump_speed_mps"]),
                    "distance": km_text(round(jumped_m)),
                },
                {
                    "jumps": [_finite(jump._asdict()) for jump in jumps],
                    "excluded_m": round(jumped_m),
                    "share": round(jumped_m / (total + jumped_m), 4),
                    "gps_jump_speed_mps": limits["gps_jump_speed_mps"],
                    "reject": reject,
                },
            )
        )
    if facts.vehicle_segments:
        segments = [VehicleSegment(*segment) for segment in facts.vehicle_segments]
        vehicle_m = sum(segment.distance_m for segment in segments)
        vehicle_s = sum(segment.duration_s for segment in segments)
        share = vehicle_m / total
        reject = share >= share_limit
        reasons.append(
            Reason(
                VEHICLE_SPEED,
                gettext(
                    "%(distance)s in %(duration)s at %(speed)s km/h on average, faster than "
                    "anyone walks or runs for that long (the limit is %(limit)s km/h; "
                    "%(share)d%% of the distance)"
                )
                % {
                    "distance": km_text(round(vehicle_m)),
                    "duration": duration(vehicle_s),
                    "speed": _kmh(vehicle_m / vehicle_s if vehicle_s > 0 else math.inf),
                    "limit": _kmh(limits["vehicle_speed_mps"]),
                    "share": round(share * 100),
                },
                {
                    "segments": [_finite(segment._asdict()) for segment in segments],
                    "share": round(share, 4),
                    "vehicle_speed_mps": limits["vehicle_speed_mps"],
                    "reject": reject,
                },
            )
        )
    return reasons


def _kmh(metres_per_second: float) -> str:
    """A speed in km/h as the screens write it; an infinite one (two points of the
    same time) reads "∞"."""
    return speed(metres_per_second) if math.isfinite(metres_per_second) else number(math.inf)


def _finite(values: dict[str, Any]) -> dict[str, Any]:
    # A step between two points with the same timestamp has infinite speed;
    # evidence is stored as JSON, which has no infinity.
    return {
        key: None if isinstance(value, float) and not math.isfinite(value) else value
        for key, value in values.items()
    }


def _check_duplicate(facts: ActivityFacts, context: JudgingContext) -> list[Reason]:
    tz = context.tz
    for other in context.accepted:
        if facts.start < other.end and other.start < facts.end:
            return [
                Reason(
                    DUPLICATE,
                    gettext("it overlaps an activity already counted, from %(start)s to %(end)s")
                    % {
                        "start": _when(other.start, tz),
                        "end": _when(other.end, tz, is_end=True),
                    },
                    {
                        "other_start": other.start.isoformat(),
                        "other_end": other.end.isoformat(),
                        "other": other.label,
                    },
                )
            ]
    return []


def _apply_daily_cap(facts: ActivityFacts, context: JudgingContext) -> tuple[int, Reason | None]:
    cap = context.rules.get("daily_cap_m")
    if cap is None:
        return facts.distance_m, None
    day = campaign_day(facts.start, context.time_zone)
    already = context.credited_by_day.get(day, 0)
    room = max(cap - already, 0)
    if facts.distance_m <= room:
        return facts.distance_m, None
    return room, Reason(
        DAILY_CAP,
        gettext(
            "%(credited)s of %(distance)s counted: the daily cap is %(cap)s "
            "and %(already)s were already counted on %(day)s"
        )
        % {
            "credited": km_text(room),
            "distance": km_text(facts.distance_m),
            "cap": km_text(cap),
            "already": km_text(already),
            "day": local_date(day),
        },
        {
            "day": day.isoformat(),
            "daily_cap_m": cap,
            "already_m": already,
            "credited_m": room,
            "distance_m": facts.distance_m,
        },
    )
