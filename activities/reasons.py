"""The reasons a verdict can give: one registry of their stable codes, what the
screens call them and what each means (docs/rules.md explains every rule).

A code is stored in verdicts, shown, exported and filtered on: it never changes
once shipped. A new reason gets a new code here, a label, a line of help and a
row in docs/rules.md; the tests hold the three together.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# What a reason does to the verdict on its own.
REJECT = "reject"
FLAG = "flag"  # for review; rejects when large (the reason's evidence says "reject")
REDUCE = "reduce"  # accepted, with less credited

SPORT_NOT_ALLOWED = "sport_not_allowed"
OUTSIDE_WINDOW = "outside_window"
BEFORE_REGISTRATION = "before_registration"
LATE_SYNC = "late_sync"
DISTANCE_TOO_SHORT = "distance_too_short"
DISTANCE_TOO_LONG = "distance_too_long"
PACE_TOO_FAST = "pace_too_fast"
PACE_TOO_SLOW = "pace_too_slow"
SPLIT_TOO_FAST = "split_too_fast"
GPS_JUMP = "gps_jump"
VEHICLE_SPEED = "vehicle_speed"
MANUAL_ENTRY = "manual_entry"
NO_GPS = "no_gps"
DUPLICATE = "duplicate"
OTHER_COPY = "other_copy"
DAILY_CAP = "daily_cap"
MALFORMED_FILE = "malformed_file"
DEVICE_DISTANCE_HIGH = "device_distance_high"


@dataclass(frozen=True)
class ReasonKind:
    code: str
    label: Promise  # a few words: the review filter, the review screen
    help: Promise  # one sentence: what the rule asks
    outcome: str  # REJECT, FLAG or REDUCE


REASONS: dict[str, ReasonKind] = {
    kind.code: kind
    for kind in (
        ReasonKind(
            SPORT_NOT_ALLOWED,
            _("Sport not counted"),
            _("The activity's sport is not one the campaign counts."),
            REJECT,
        ),
        ReasonKind(
            OUTSIDE_WINDOW,
            _("Outside the campaign"),
            _("The activity started before the campaign opened, or did not end by its close."),
            REJECT,
        ),
        ReasonKind(
            BEFORE_REGISTRATION,
            _("Before registering"),
            _("The activity started before the person registered."),
            REJECT,
        ),
        ReasonKind(
            LATE_SYNC,
            _("Sent too late"),
            _(
                "The activity reached KindSteps after the sync window from its end, "
                "or after the grace period from the campaign's close."
            ),
            REJECT,
        ),
        ReasonKind(
            DISTANCE_TOO_SHORT,
            _("Too short"),
            _("The activity is shorter than the campaign's shortest activity."),
            REJECT,
        ),
        ReasonKind(
            DISTANCE_TOO_LONG,
            _("Too long"),
            _("The activity is longer than the campaign's longest activity."),
            REJECT,
        ),
        ReasonKind(
            PACE_TOO_FAST,
            _("Pace too fast"),
            _("The average moving pace is faster than the sport's fastest."),
            REJECT,
        ),
        ReasonKind(
            PACE_TOO_SLOW,
            _("Pace too slow"),
            _("The average moving pace is slower than the sport's slowest."),
            REJECT,
        ),
        ReasonKind(
            SPLIT_TOO_FAST,
            _("A kilometre too fast"),
            _("A completed kilometre was faster than the sport's fastest split."),
            REJECT,
        ),
        ReasonKind(
            GPS_JUMP,
            _("GPS jump"),
            _(
                "The GPS position jumped away faster than anyone moves: the jump is left "
                "out of the distance and the activity sent for review; many jumps reject it."
            ),
            FLAG,
        ),
        ReasonKind(
            VEHICLE_SPEED,
            _("Vehicle speed"),
            _(
                "Several points in a row keep a speed no walker or runner keeps: a short "
                "part is sent for review, a large one rejects the activity."
            ),
            FLAG,
        ),
        ReasonKind(
            MANUAL_ENTRY,
            _("Manual entry"),
            _("The activity was typed in by hand, which the campaign does not count."),
            REJECT,
        ),
        ReasonKind(
            NO_GPS,
            _("No GPS"),
            _("The activity has no GPS track, which the campaign does not count."),
            REJECT,
        ),
        ReasonKind(
            DUPLICATE,
            _("Duplicate"),
            _("The activity overlaps in time one already counted."),
            REJECT,
        ),
        ReasonKind(
            DAILY_CAP,
            _("Daily cap"),
            _("The day's cap was reached: only what was left of it is credited."),
            REDUCE,
        ),
        ReasonKind(
            MALFORMED_FILE,
            _("Unreadable file"),
            _("The file could not be read, or its times or distance make no sense."),
            REJECT,
        ),
        ReasonKind(
            DEVICE_DISTANCE_HIGH,
            _("Device distance above the GPS path"),
            _(
                "The distance the device recorded is far above what its GPS path covers: "
                "the activity is sent for review."
            ),
            FLAG,
        ),
        ReasonKind(
            OTHER_COPY,
            _("Counted from another source"),
            _(
                "The same walk also arrived from another source, which counts instead: the "
                "device's own file first, then an uploaded file, Strava, the browser "
                "recorder and an entry typed in by hand."
            ),
            REJECT,
        ),
    )
}

REASON_CODES: tuple[str, ...] = tuple(REASONS)
REJECTING_CODES = frozenset(code for code, kind in REASONS.items() if kind.outcome == REJECT)


def label(code: str) -> str:
    """What the screens call a reason; an unknown code reads as itself."""
    kind = REASONS.get(code)
    return str(kind.label) if kind else code


def help_text(code: str) -> str:
    kind = REASONS.get(code)
    return str(kind.help) if kind else ""


def choices(codes: list[str] | None = None) -> list[tuple[str, str]]:
    """(code, label) for a filter, in the registry's order: every reason, or those given."""
    wanted = REASON_CODES if codes is None else codes
    known = [code for code in REASON_CODES if code in wanted]
    return [(code, label(code)) for code in known] + [
        (code, code) for code in sorted(set(wanted) - set(REASONS))
    ]
