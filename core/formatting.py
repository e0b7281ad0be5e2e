"""How numbers, distances, money, durations and times read to people: the one
place that writes them, for the pages, the reports, the workbooks and the
verdict messages alike (docs/decisions/0004-formatting.md).

Everything is written in the active language through `django.utils.formats`:
Vietnamese "1.234,5", English "1,234.5". Text made now and read later in another
language (a verdict's messages) is made under `translation.override` for each.

One rounding rule: half up, in decimal arithmetic from the stored whole number
(metres, đồng, seconds), never through a binary float. 85 m is "0,09" km at two
decimals and "0,1" at one; 9 950 m is "10,0"; 999 950 m is "1.000,0".

Kilometres come in named styles, one per kind of figure, so that a figure reads
the same wherever it is shown:

- ``total`` (one decimal): what the standings, dashboards, reports and workbooks
  add up — a person's, team's, unit's or campaign's km;
- ``activity`` (two decimals): one activity's distance or what it credited;
- ``short`` (two decimals at most, trailing zeros dropped): a figure inside a
  sentence — a rule's limit, a verdict message ("1 km", "0,09 km", "42,2 km");
- ``whole`` (no decimals): a target.

Dates read day/month/year and times 24-hour in both languages, in the
campaign's zone; an end at local midnight reads "24:00" of the day before.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext

KM_STYLES: dict[str, tuple[int, bool]] = {
    # style: (decimals, drop trailing zeros)
    "total": (1, False),
    "activity": (2, False),
    "short": (2, True),
    "whole": (0, False),
}
# Metres are whole: three decimals of a km say a distance exactly.
KM_EXACT_DECIMALS = 3
# A pace or a split is compared to its limit to at most this many decimals of a second.
SECONDS_MAX_DECIMALS = 3
MIDNIGHT_END = "24:00"
DATE = "%d/%m/%Y"
CLOCK = "%H:%M"


# ------------------------------------------------------------------- numbers


def rounded(value: int | float | Decimal, decimals: int = 0) -> Decimal:
    """``value`` rounded half up to ``decimals`` places. A float is read as the
    decimal it prints as (0.085 is 0.085, not 0.08499…)."""
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number(value: int | float | Decimal, decimals: int = 0, *, trim: bool = False) -> str:
    """A number with the active language's separators and digit grouping,
    rounded half up to ``decimals`` places; ``trim`` drops trailing zeros. An
    infinite speed (two points with the same time) reads "∞"."""
    if isinstance(value, float) and not math.isfinite(value):
        return "∞" if value > 0 else "–"
    figure = rounded(value, decimals)
    if trim:
        while decimals and figure == rounded(figure, decimals - 1):
            decimals -= 1
        figure = rounded(figure, decimals)
    return str(formats.number_format(figure, decimals, use_l10n=True, force_grouping=True))


def digits(count: int) -> str:
    """A whole number — a count, steps, a rank, đồng — with digit grouping:
    1234567 → "1.234.567" (Vietnamese), "1,234,567" (English)."""
    return number(int(count))


def vnd(amount: int) -> str:
    """Whole đồng: "1.234.567 đ" (Vietnamese), "1,234,567 đ" (English)."""
    return f"{digits(amount)} đ"


# ---------------------------------------------------------------- distances


def km(metres: int, style: str = "total") -> str:
    """Metres as kilometres in one of KM_STYLES, without the unit:
    12 345 m → "12,3" (total), "12,35" (activity); 1 000 m → "1" (short)."""
    decimals, trim = KM_STYLES[style]
    return number(Decimal(int(metres)) / 1000, decimals, trim=trim)


def km_value(metres: int, style: str = "total") -> float:
    """The kilometres a chart plots, rounded as ``km`` writes them in ``style``."""
    return float(rounded(Decimal(int(metres)) / 1000, KM_STYLES[style][0]))


def km_beside(metres: int, limit_m: int) -> tuple[str, str]:
    """A distance and the limit it broke, as a sentence shows them (``short``,
    with " km"), exactly to the metre where two decimals would read alike:
    999 m against 1 000 m is "0,999 km" and "1 km", never "1 km" and "1 km"."""
    decimals = KM_STYLES["short"][0]
    value, limit = Decimal(int(metres)) / 1000, Decimal(int(limit_m)) / 1000
    if rounded(value, decimals) == rounded(limit, decimals):
        decimals = KM_EXACT_DECIMALS
    return (
        f"{number(value, decimals, trim=True)} km",
        f"{number(limit, decimals, trim=True)} km",
    )


def km_text(metres: int) -> str:
    """A distance inside a sentence: "5 km", "0,09 km"."""
    return f"{km(metres, 'short')} km"


def speed(metres_per_second: float) -> str:
    """A speed in km/h, one decimal, without the unit: 3.5 m/s → "12,6"."""
    return number(rounded(metres_per_second, 6) * Decimal("3.6"), 1)


# ---------------------------------------------------------------- durations


def _clock(seconds: Decimal, decimals: int, *, hours: bool) -> str:
    whole = int(seconds)
    fraction = seconds - whole
    hh, rest = divmod(whole, 3600)
    if not hours:
        hh, rest = 0, whole
    mm, ss = divmod(rest, 60)
    text = f"{ss:02d}"
    if decimals:
        tail = number(fraction, decimals)  # "0,8": its separator and digits
        text += tail[1:]
    return f"{hh}:{mm:02d}:{text}" if hh else f"{mm}:{text}"


def duration(seconds: float) -> str:
    """A duration as h:mm:ss, or m:ss under an hour, to the second (half up):
    59.5 s → "1:00", 3 661 s → "1:01:01"."""
    return _clock(rounded(max(seconds, 0), 0), 0, hours=True)


def pace(seconds_per_km: float) -> str:
    """A pace or a split as m:ss per km, to the second (half up), however slow:
    359.5 → "6:00", 3 600 → "60:00". The template or the sentence adds "/km"."""
    return _clock(rounded(max(seconds_per_km, 0), 0), 0, hours=False)


def pace_beside(seconds: float, limit_s: float) -> tuple[str, str]:
    """A pace (or split) and the limit it broke, to the second, or to a tenth (a
    hundredth…) where the seconds would read alike: 239.76 against 240 is
    "3:59,8" and "4:00" (with the active language's decimal separator)."""
    decimals = 0
    while decimals < SECONDS_MAX_DECIMALS and rounded(seconds, decimals) == rounded(
        limit_s, decimals
    ):
        decimals += 1
    value, limit = rounded(seconds, decimals), rounded(limit_s, decimals)
    limit_decimals = decimals
    while limit_decimals and limit == rounded(limit, limit_decimals - 1):
        limit_decimals -= 1
    return (
        _clock(value, decimals, hours=False),
        _clock(rounded(limit, limit_decimals), limit_decimals, hours=False),
    )


# -------------------------------------------------------------------- times


def local_date(day: date | datetime, tz: ZoneInfo | None = None) -> str:
    """A day as "25/02/2024"; a datetime is first taken to ``tz``."""
    if isinstance(day, datetime) and tz is not None:
        day = day.astimezone(tz)
    return day.strftime(DATE)


def local_clock(moment: datetime, tz: ZoneInfo) -> str:
    """The time of day in ``tz``: "07:50"."""
    return moment.astimezone(tz).strftime(CLOCK)


def _is_midnight(local: datetime) -> bool:
    return local.time() == time(0, 0)


def local_datetime(
    moment: datetime | None, tz: ZoneInfo, *, is_end: bool = False, prose: bool = False
) -> str:
    """A moment in ``tz``: "08:00 25/02/2024" on a page, or with ``prose`` the way
    a sentence says it, "08:00 on 25/02/2024" ("08:00 ngày 25/02/2024"). With
    ``is_end``, a local midnight reads "24:00" of the day before, the way a
    closing is said. None reads ""."""
    if moment is None:
        return ""
    local = moment.astimezone(tz)
    clock, day = local.strftime(CLOCK), local.date()
    if is_end and _is_midnight(local):
        clock, day = MIDNIGHT_END, day - timedelta(days=1)
    if prose:
        return gettext("%(time)s on %(date)s") % {"time": clock, "date": day.strftime(DATE)}
    return f"{clock} {day.strftime(DATE)}"


def window(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """A window of time: "08:00 25/02/2024 – 24:00 21/04/2024"."""
    return f"{local_datetime(start, tz)} – {local_datetime(end, tz, is_end=True)}"


def last_day(end: datetime, tz: ZoneInfo) -> date:
    """The last day a window ending at ``end`` covers: one ending at 24:00 ends on
    that day, not at 00:00 of the next."""
    return (end.astimezone(tz) - timedelta(microseconds=1)).date()


def date_window(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """The days a window covers: "25/02/2024 – 21/04/2024"."""
    return f"{local_date(start, tz)} – {local_date(last_day(end, tz))}"
