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
    """A GPS track from (t, lat, lon, ele, hr, cad, segment) rows; see `build_track_columns`."""
    if rows:
        arr = np.array([(np.nan if r[0] is None else r[0], *r[1:]) for r in rows], dtype=np.float64)
    else:
        arr = np.zeros((0, 7))
    return build_track_columns(
        *(arr[:, i] for i in range(7)), source_format=source_format, sport=sport, device=device
    )


def build_track_columns(
    t: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    ele: np.ndarray,
    hr: np.ndarray,
    cad: np.ndarray,
    segment: np.ndarray,
    *,
    source_format: str,
    sport: str | None,
    device: str | None,
) -> Track:
    """A GPS track from aligned float arrays (nan where missing), checked, sorted by time.

    Points without a valid position are dropped. A few points with unusable times are
    dropped too; if more than MAX_UNTIMED_FRACTION of the points have none, the timing of
    the track cannot be judged and the file is refused.
    """
    with np.errstate(invalid="ignore"):
        placed = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)  # false for nan and inf
    if not placed.all():
        t, lat, lon, ele, hr, cad, segment = (
            a[placed] for a in (t, lat, lon, ele, hr, cad, segment)
        )
    if not t.size:
        raise ParseError("no_points")
    latest = time.time() + MAX_FUTURE_S
    with np.errstate(invalid="ignore"):
        timed = (t >= MIN_VALID_EPOCH) & (t <= latest)  # false for nan
    untimed = int(t.size - np.count_nonzero(timed))
    if untimed == t.size or untimed > MAX_UNTIMED_FRACTION * t.size:
        raise ParseError("no_timestamps")
    order = np.flatnonzero(timed)
    order = order[np.argsort(t[order], kind="stable")]
    t = t[order]
    if t.size > 1 and t[-1] - t[0] < 1.0:
        # Every point at (nearly) the same instant: no duration can be derived.
        raise ParseError("no_timestamps")
    hr, cad = hr[order], cad[order]
    segment = segment[order].astype(np.int64)
    return Track(
        t=t,
        lat=lat[order],
        lon=lon[order],
        ele=ele[order],
        hr=hr if np.isfinite(hr).any() else None,
        cad=cad if np.isfinite(cad).any() else None,
        sport=sport,
        device=device,
        source_format=source_format,
        segment=segment if (segment != segment[0]).any() else None,
        dropped_points=untimed,
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
