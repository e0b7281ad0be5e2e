"""One way to show a verdict's reason: its label, its sentence and its evidence in
words, in the reader's language, with the numbers written as the screens write them
(core/formatting.py): "59,0 km/h", "4:00/km", "0,6 km", never a raw dict.

The activity pages, the review screens and the API all show reasons through `shown`.
"""

from __future__ import annotations

import math
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from activities.reasons import help_text, label
from core.formatting import duration, km_text, local_date, local_datetime, number, pace, speed

DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class ShownReason:
    code: str
    label: str
    help: str
    message: str  # the sentence the verdict gives
    evidence: list[tuple[str, str]]  # (what was measured, its value), in words


def shown(
    reason: Mapping[str, Any], *, language: str | None = None, time_zone: str | None = None
) -> ShownReason:
    """A stored reason ({"code", "evidence", "messages"}) as people read it, in
    `language` (default: the active one); times in `time_zone` (the campaign's)."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    tz = zoneinfo.ZoneInfo(time_zone or DEFAULT_TIME_ZONE)
    with translation.override(language):
        code = str(reason.get("code", ""))
        stored = reason.get("messages") or {}
        message = (
            reason.get("message")
            or stored.get(language)
            or stored.get(settings.LANGUAGE_CODE)
            or label(code)
        )
        return ShownReason(
            code=code,
            label=label(code),
            help=help_text(code),
            message=str(message),
            evidence=evidence_words(reason.get("evidence") or {}, tz),
        )


def evidence_words(evidence: Mapping[str, Any], tz: zoneinfo.ZoneInfo) -> list[tuple[str, str]]:
    """Each known piece of evidence, named and written in words; what only the
    machinery uses (whether it rejects, internal ids) is left out."""
    out = []
    for key, (name, write) in EVIDENCE.items():
        value = evidence.get(key)
        if value is None or value == [] or value == "":
            continue
        try:
            text = write(value, tz)
        except (TypeError, ValueError, KeyError):
            continue  # evidence of an older shape: its sentence still says it
        if text:
            out.append((str(name), text))
    return out


# ------------------------------------------------------------------ writers


def _km(value: Any, _tz=None) -> str:
    return km_text(round(float(value)))


def _kmh(value: Any, _tz=None) -> str:
    value = float(value)
    return f"{speed(value) if math.isfinite(value) else number(math.inf)} km/h"


def _pace(value: Any, _tz=None) -> str:
    return f"{pace(float(value))}/km"


def _duration(value: Any, _tz=None) -> str:
    return duration(float(value))


def _moment(value: Any, tz: zoneinfo.ZoneInfo) -> str:
    return local_datetime(datetime.fromisoformat(str(value)), tz)


def _end_moment(value: Any, tz: zoneinfo.ZoneInfo) -> str:
    """An end or a closing: a local midnight reads 24:00 of the day before."""
    return local_datetime(datetime.fromisoformat(str(value)), tz, is_end=True)


def _day(value: Any, _tz=None) -> str:
    return local_date(date.fromisoformat(str(value)))


def _hours(value: Any, _tz=None) -> str:
    value = float(value)
    return ngettext("%(hours)s hour", "%(hours)s hours", math.ceil(value)) % {
        "hours": number(value, 2, trim=True)
    }


def _share(value: Any, _tz=None) -> str:
    return f"{number(float(value) * 100, 1, trim=True)}%"


SPORTS = {
    "walk": lambda: pgettext("sport", "walk"),
    "run": lambda: pgettext("sport", "run"),
    "other": lambda: pgettext("sport", "other"),
}


def sport_names(codes: Any) -> str:
    """Sports as the active language names them: "walk, run" ("đi bộ, chạy bộ")."""
    codes = codes if isinstance(codes, list | tuple) else [codes]
    return ", ".join(SPORTS[code]() if code in SPORTS else str(code) for code in codes)


def _sport(value: Any, _tz=None) -> str:
    return sport_names(value)


def _jumps(value: Any, _tz=None) -> str:
    parts = []
    for jump in value:
        jump = _as_dict(jump, ("index", "speed_mps", "distance_m", "points"))
        parts.append(
            gettext("at point %(index)s, %(speed)s, %(distance)s left out")
            % {
                "index": number(int(jump["index"])),
                "speed": _kmh(_finite_or_inf(jump.get("speed_mps"))),
                "distance": _km(jump.get("distance_m") or 0),
            }
        )
    return "; ".join(parts)


def _segments(value: Any, _tz=None) -> str:
    parts = []
    for segment in value:
        segment = _as_dict(
            segment, ("start_index", "end_index", "duration_s", "distance_m", "speed_mps")
        )
        seconds, metres = float(segment["duration_s"]), float(segment["distance_m"])
        # The average over the segment, as the verdict's sentence gives it.
        average = metres / seconds if seconds > 0 else _finite_or_inf(segment.get("speed_mps"))
        parts.append(
            gettext("%(distance)s in %(duration)s at %(speed)s")
            % {"distance": _km(metres), "duration": _duration(seconds), "speed": _kmh(average)}
        )
    return "; ".join(parts)


def _fast_km(value: Any, _tz=None) -> str:
    return ", ".join(
        gettext("km %(km)d in %(split)s")
        % {"km": int(entry["km"]), "split": pace(entry["split_s"])}
        for entry in value
    )


def _source(value: Any, _tz=None) -> str:
    from activities.sources import source_label

    return source_label(str(value))


def _text(value: Any, _tz=None) -> str:
    return str(value)


def _as_dict(value: Any, names: tuple[str, ...]) -> dict:
    return dict(value) if isinstance(value, Mapping) else dict(zip(names, value, strict=False))


def _finite_or_inf(value: Any) -> float:
    # JSON has no infinity: a step between two points of the same time is stored as null.
    return math.inf if value is None else float(value)


Writer = Callable[[Any, zoneinfo.ZoneInfo], str]

# What each evidence key is called and how it is written, in the order shown.
EVIDENCE: dict[str, tuple[Any, Writer]] = {
    "sport": (_("Sport"), _sport),
    "allowed": (_("Sports counted"), _sport),
    "start": (_("Started"), _moment),
    "end": (_("Ended"), _end_moment),
    "campaign_starts_at": (_("Campaign opens"), _moment),
    "campaign_ends_at": (_("Campaign closes"), _end_moment),
    "registered_at": (_("Registered"), _moment),
    "received_at": (_("Reached us"), _moment),
    "hours_after_end": (_("After its end"), _hours),
    "sync_window_hours": (_("Sync window"), _hours),
    "deadline": (_("Deadline"), _end_moment),
    "close_grace_hours": (_("Grace after the close"), _hours),
    "distance_m": (_("Distance"), _km),
    "min_distance_m": (_("Shortest counted"), _km),
    "max_distance_m": (_("Longest counted"), _km),
    "pace_s_per_km": (_("Average pace"), _pace),
    "moving_s": (_("Moving time"), _duration),
    "min_pace_s": (_("Fastest pace allowed"), _pace),
    "max_pace_s": (_("Slowest pace allowed"), _pace),
    "fast_km": (_("Kilometres too fast"), _fast_km),
    "fastest_split_s": (_("Fastest kilometre allowed"), _pace),
    "jumps": (_("GPS jumps"), _jumps),
    "excluded_m": (_("Left out of the distance"), _km),
    "gps_jump_speed_mps": (_("Fastest step allowed"), _kmh),
    "segments": (_("At vehicle speed"), _segments),
    "vehicle_speed_mps": (_("Vehicle speed from"), _kmh),
    "share": (_("Share of the distance"), _share),
    "device_m": (_("Device's distance"), _km),
    "path_m": (_("GPS track's distance"), _km),
    "counted_source": (_("Counted copy came from"), _source),
    "other_start": (_("Counted activity started"), _moment),
    "other_end": (_("Counted activity ended"), _end_moment),
    "day": (_("Day"), _day),
    "daily_cap_m": (_("Daily cap"), _km),
    "already_m": (_("Already counted that day"), _km),
    "credited_m": (_("Counted"), _km),
    "error": (_("Problem"), _text),
}
