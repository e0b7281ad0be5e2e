"""What every format parser shares: the error type, safe XML, timestamps, sport names."""

from __future__ import annotations

import time
from datetime import datetime

import numpy as np
from django.utils.translation import gettext_lazy as _
from lxml import etree

from activities.track import Track

MAX_FILE_BYTES = 50 * 1024 * 1024
# Timestamps outside [2000-01-01, now + 1 day] come from unset or corrupt device clocks
# (e.g. 1901 or 2085 in real files) and are treated as missing.
MIN_VALID_EPOCH = 946684800.0
MAX_FUTURE_S = 86400.0
MAX_UNTIMED_FRACTION = 0.01

# (t, lat, lon, ele, hr, cad, segment): t is None when the point has no usable time.
Row = tuple[float | None, float, float, float, float, float, int]

ERROR_MESSAGES = {
    "malformed_file": _("The file is damaged or not a valid activity file."),
    "unknown_format": _("This is not a GPX, TCX or FIT activity file."),
    "no_timestamps": _("The track has no usable timestamps."),
    "no_points": _("The file contains no track points."),
    "too_large": _("The file is too large."),
    "archive_bomb": _("The archive expands to far more data than it holds; it was not opened."),
    "entity_bomb": _("The file declares XML entities, which are not accepted."),
}


class ParseError(Exception):
    """A file we cannot turn into a track; `code` is stable, `message` is translated."""

    def __init__(self, code: str, message: str | None = None) -> None:
        if code not in ERROR_MESSAGES:
            raise ValueError(f"unknown parse error code {code!r}")
        self.code = code
        self.message = message if message is not None else ERROR_MESSAGES[code]
        super().__init__(f"{code}: {self.message}")


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
        return moment.replace(tzinfo=None).timestamp() - datetime(1970, 1, 1).timestamp()
    return moment.timestamp()


SPORT_NAMES = {
    "run": "run",
    "running": "run",
    "trail_running": "run",
    "treadmill": "run",
    "9": "run",  # Strava's numeric type for a run
    "walk": "walk",
    "walking": "walk",
    "hike": "walk",
    "hiking": "walk",
    "10": "walk",  # Strava's numeric type for a walk
}


def sport_hint(name: str | None) -> str | None:
    if not name:
        return None
    return SPORT_NAMES.get(name.strip().lower().replace(" ", "_"), "other")


def float_or_nan(text: str | None) -> float:
    if text is None:
        return np.nan
    try:
        value = float(text)
    except ValueError:
        return np.nan
    return value if np.isfinite(value) else np.nan


def build_track(
    rows: list[Row],
    *,
    source_format: str,
    sport: str | None,
    device: str | None,
) -> Track:
    """A GPS track from (t, lat, lon, ele, hr, cad, segment) rows, checked, sorted by time.

    A few points with unusable times are dropped; if more than MAX_UNTIMED_FRACTION of the
    points have none, the timing of the track cannot be judged and the file is refused.
    """
    rows = [r for r in rows if np.isfinite(r[1]) and np.isfinite(r[2])]
    rows = [r for r in rows if -90 <= r[1] <= 90 and -180 <= r[2] <= 180]
    if not rows:
        raise ParseError("no_points")
    latest = time.time() + MAX_FUTURE_S
    timed = [r for r in rows if r[0] is not None and MIN_VALID_EPOCH <= r[0] <= latest]
    if not timed or len(rows) - len(timed) > MAX_UNTIMED_FRACTION * len(rows):
        raise ParseError("no_timestamps")
    arr = np.array(timed, dtype=np.float64)
    order = np.argsort(arr[:, 0], kind="stable")
    arr = arr[order]
    if arr.shape[0] > 1 and arr[-1, 0] - arr[0, 0] < 1.0:
        # Every point at (nearly) the same instant: no duration can be derived.
        raise ParseError("no_timestamps")
    hr, cad, segment = arr[:, 4], arr[:, 5], arr[:, 6].astype(np.int64)
    return Track(
        t=arr[:, 0].copy(),
        lat=arr[:, 1].copy(),
        lon=arr[:, 2].copy(),
        ele=arr[:, 3].copy(),
        hr=hr.copy() if np.isfinite(hr).any() else None,
        cad=cad.copy() if np.isfinite(cad).any() else None,
        sport=sport,
        device=device,
        source_format=source_format,
        segment=segment if (segment != segment[0]).any() else None,
        dropped_points=len(rows) - len(timed),
    )


def distance_only_track(
    t: np.ndarray,
    dist: np.ndarray,
    total: float,
    *,
    source_format: str,
    sport: str | None,
    device: str | None,
) -> Track:
    """A recording without positions (treadmill, indoor): times and the device's
    cumulative distance only."""
    if total <= 0:
        raise ParseError("no_points")
    nan = np.full(t.size, np.nan)
    return Track(
        t=t,
        lat=nan,
        lon=nan.copy(),
        ele=nan.copy(),
        sport=sport,
        device=device,
        source_format=source_format,
        has_gps=False,
        dist=dist,
        distance_m=total,
    )
