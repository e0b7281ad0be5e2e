"""What every format parser shares: the error type, safe XML, timestamps, sport names."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from lxml import etree

if TYPE_CHECKING:
    from django.utils.functional import Promise

# A column of a track: one float per point, nan where missing.
FloatArray = npt.NDArray[np.float64]
# Which points: True for each one meant, or their positions.
Mask = npt.NDArray[np.bool_]
Indices = npt.NDArray[np.integer[Any]]

MAX_FILE_BYTES = 50 * 1024 * 1024
# Timestamps outside [2000-01-01, now + 1 day] come from unset or corrupt device clocks
# (e.g. 1901 or 2085 in real files) and are treated as missing.
MIN_VALID_EPOCH = 946684800.0
MAX_FUTURE_S = 86400.0

ERROR_MESSAGES = {
    "malformed_file": _("The file is damaged or not a valid activity file."),
    "unknown_format": _("This is not a GPX, TCX, FIT or KML activity file."),
    "no_timestamps": _("The track has no usable timestamps."),
    "no_points": _("The file contains no track points."),
    "no_positions": _("The track points have no positions and the file gives no distance."),
    "too_large": _("The file is too large."),
    "archive_bomb": _("The archive expands to far more data than it holds; it was not opened."),
    "entity_bomb": _("The file declares XML entities, which are not accepted."),
}

# The same errors with the counts that show them, used when the parser knows them.
COUNTED_ERROR_MESSAGES = {
    "no_time": _("None of the %(total)s track points has a usable time."),
    "no_timestamps": _(
        "Only %(timed)s of the %(total)s track points have a usable time: too few to tell "
        "when the activity took place or how long it lasted."
    ),
    "same_time": _("All %(total)s track points carry the same time, so no duration can be told."),
    "out_of_order": _(
        "The track points' times are out of order: %(count)s of %(total)s go back in time, "
        "too many to be a glitch."
    ),
    "no_positions": _(
        "None of the %(total)s track points has a position, and the file gives no distance."
    ),
    "no_points": _("The file holds %(activities)s activities, none with any track points."),
    "one_point": _(
        "The file holds a single track point: an activity needs at least two, with their times."
    ),
    "route_only": ngettext_lazy(
        "The file holds a route of %(total)s point planned on a map, not a recorded "
        "activity: upload the file your watch or phone app recorded.",
        "The file holds a route of %(total)s points planned on a map, not a recorded "
        "activity: upload the file your watch or phone app recorded.",
        "total",
    ),
    "waypoints_only": ngettext_lazy(
        "The file holds only %(total)s waypoint, not a recorded track: upload the file "
        "your watch or phone app recorded.",
        "The file holds only %(total)s waypoints, not a recorded track: upload the file "
        "your watch or phone app recorded.",
        "total",
    ),
}


class ParseError(Exception):
    """A file we cannot turn into a track; `code` is stable, `message` is translated.

    `params` (plain numbers, JSON-safe) are the counts behind the error; with a `detail`
    key naming an entry of COUNTED_ERROR_MESSAGES they give the message its evidence, in
    the language active when the message is read.
    """

    def __init__(
        self, code: str, message: str | Promise | None = None, params: dict[str, Any] | None = None
    ) -> None:
        if code not in ERROR_MESSAGES:
            raise ValueError(f"unknown parse error code {code!r}")
        self.code = code
        self.params = dict(params or {})
        self._message = message
        super().__init__(f"{code}: {self.params or message or ''}")

    @property
    def message(self) -> str | Promise:
        if self._message is not None:
            return self._message
        return error_text(self.code, self.params)


def error_text(code: str, params: dict[str, Any] | None = None) -> str:
    """An error's message in the active language, with its counts when they are known."""
    params = params or {}
    template = COUNTED_ERROR_MESSAGES.get(params.get("detail", ""))
    if template is not None:
        try:
            return str(template % params)
        except (KeyError, TypeError, ValueError):
            pass
    return str(ERROR_MESSAGES[code])


# What a parser noticed and worked around, told to the participant with the activity.
# Each note is {"code": <stable code>, "params": {...}}; numbers of metres are shown in km.
NOTE_MESSAGES = {
    "no_fix": ngettext_lazy(
        "%(count)s of %(total)s points had no GPS position (some devices write 0° 0° then); "
        "it counts for time, not for distance.",
        "%(count)s of %(total)s points had no GPS position (some devices write 0° 0° then); "
        "they count for time, not for distance.",
        "count",
    ),
    "untimed": ngettext_lazy(
        "%(count)s of %(total)s points had no time and was left out.",
        "%(count)s of %(total)s points had no time and were left out.",
        "count",
    ),
    "clock_glitch": ngettext_lazy(
        "%(count)s point was stamped far from the rest of the activity (the device's clock "
        "jumped) and was left out.",
        "%(count)s points were stamped far from the rest of the activity (the device's "
        "clock jumped) and were left out.",
        "count",
    ),
    "out_of_order": ngettext_lazy(
        "%(count)s point was stamped out of time order and was left out.",
        "%(count)s points were stamped out of time order and were left out.",
        "count",
    ),
    "duplicates": ngettext_lazy(
        "%(count)s point appeared twice in the file and was counted once.",
        "%(count)s points appeared twice in the file and were counted once.",
        "count",
    ),
    "ends_early": _(
        "The file ends early, after %(read_bytes)s of its %(total_bytes)s bytes: "
        "%(records)s records were read, covering %(read_s)s; the rest could not be read."
    ),
    "damaged": _(
        "The file is damaged in places: %(skipped_bytes)s bytes could not be read, and "
        "reading went on after them (%(records)s records read)."
    ),
    "summary_distance": _(
        "The file's summary says %(summary_km)s km, but its points cover %(points_km)s km; "
        "the points are counted."
    ),
    "device_distance_high": _(
        "The device's distance, %(device_km)s km, is far more than its GPS track allows "
        "(%(path_km)s km over the same stretches)."
    ),
    "skipped": ngettext_lazy(
        "%(count)s of the file's %(total)s activities could not be read and was left out: "
        "%(reason)s",
        "%(count)s of the file's %(total)s activities could not be read and were left out: "
        "%(reason)s",
        "count",
    ),
    "transition": ngettext_lazy(
        "The file's %(count)s transition between sports is not counted.",
        "The file's %(count)s transitions between sports are not counted.",
        "count",
    ),
}


def note(code: str, **params: Any) -> dict[str, Any]:
    if code not in NOTE_MESSAGES:
        raise ValueError(f"unknown parse note code {code!r}")
    return {"code": code, "params": params}


def note_text(entry: dict[str, Any]) -> str:
    """A stored note in words, in the active language ("" for a code no longer known)."""
    template = NOTE_MESSAGES.get(entry.get("code", ""))
    if template is None:
        return ""
    params = dict(entry.get("params") or {})
    for key in list(params):
        if key.endswith("_m"):
            params[key[:-2] + "_km"] = formats.number_format(params[key] / 1000, 2)
        elif key.endswith("_s") and isinstance(params[key], int | float):
            params[key] = _clock(params[key])
        elif key == "reason":
            params[key] = error_text(params[key], params.get("reason_params"))
    try:
        return str(template % params)
    except (KeyError, TypeError, ValueError):
        return ""


def _clock(seconds: float) -> str:
    total = int(round(seconds))
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def check_size(size: int) -> None:
    # Read from the module at call time so tests can lower the limit.
    from activities import parsers

    if size > parsers.MAX_FILE_BYTES:
        raise ParseError("too_large")


def _parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def xml_root(data: bytes) -> etree._Element:
    """Parse XML safely: no entities, no network, no huge trees.

    Some real exports use namespace prefixes they never declare; those (and only those)
    errors are forgiven by a second, recovering parse.
    """
    data = data.lstrip()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:].lstrip()
    if b"<!ENTITY" in data:
        raise ParseError("entity_bomb")
    try:
        root = etree.fromstring(data, _parser(recover=False))
    except etree.XMLSyntaxError as exc:
        errors = list(exc.error_log) or []
        namespace_only = errors and all(e.domain_name == "NAMESPACE" for e in errors)
        if not namespace_only:
            raise ParseError("malformed_file") from exc
        try:
            root = etree.fromstring(data, _parser(recover=True))
        except etree.XMLSyntaxError as exc2:
            raise ParseError("malformed_file") from exc2
    if root is None:
        raise ParseError("malformed_file")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ParseError("entity_bomb")
    return root


def local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def parse_time(text: str | None) -> float | None:
    """ISO 8601 to UTC epoch seconds; naive times are taken as UTC."""
    if not text:
        return None
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python 3.11 accepts 3 or 6 fractional digits only; trim or pad the rest.
    head, dot, rest = text.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        frac, tz = rest[:digits], rest[digits:]
        text = f"{head}.{(frac + '000000')[:6]}{tz}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        # GPX and TCX times without a zone are UTC (both formats say so), whatever the
        # zone of the process reading them.
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


SPORT_NAMES = {
    "run": "run",
    "running": "run",
    "trail_running": "run",
    "trailrun": "run",  # Strava's TrailRun
    "virtualrun": "run",  # Strava's VirtualRun (a treadmill)
    "treadmill": "run",
    "treadmill_running": "run",
    "indoor_running": "run",
    "jogging": "run",
    "9": "run",  # Strava's numeric type for a run
    "walk": "walk",
    "walking": "walk",
    "hike": "walk",
    "hiking": "walk",
    "nordic_walking": "walk",
    "indoor_walking": "walk",
    "10": "walk",  # Strava's numeric type for a walk
    # Phone apps write the name the person sees, in their own language (OpenTracks
    # writes "marche" on a French phone): the ones our participants and their
    # neighbours' phones use.
    "chạy": "run",
    "chạy_bộ": "run",
    "chạy_trail": "run",
    "đi_bộ": "walk",
    "đi_bộ_nhanh": "walk",
    "đi_bộ_đường_dài": "walk",
    "leo_núi": "walk",
    "course": "run",
    "course_à_pied": "run",
    "marche": "walk",
    "randonnée": "walk",
    "laufen": "run",
    "gehen": "walk",
    "wandern": "walk",
    "correr": "run",
    "carrera": "run",
    "caminar": "walk",
    "caminata": "walk",
    "senderismo": "walk",
}


def _sport_key(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def sport_hint(name: str | None) -> str | None:
    """run, walk or other for the sport a file names; None when it names none."""
    if not name or not name.strip():
        return None
    return SPORT_NAMES.get(_sport_key(name), "other")


def known_sport(name: str | None) -> str | None:
    """run or walk when ``name`` is one we know, else None: for a field that holds a
    sport only sometimes (an app's icon name), where anything else says nothing."""
    return SPORT_NAMES.get(_sport_key(name)) if name else None


def float_or_nan(text: str | bytes | None) -> float:
    if text is None:
        return np.nan
    try:
        value = float(text)
    except ValueError:
        return np.nan
    return value if np.isfinite(value) else np.nan
