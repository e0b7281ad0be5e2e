"""Garmin FIT files (also chained and truncated ones) via fitdecode."""

from __future__ import annotations

import io
import struct
from datetime import datetime

import fitdecode
import numpy as np

from activities.parsers.base import ParseError, build_track, distance_only_track, sport_hint
from activities.track import Track

SEMICIRCLE_DEG = 180.0 / 2**31
# fitdecode raises its own errors for files it recognises as broken, but corrupted bytes
# inside a record can also surface as these from its decoding internals (including its
# internal consistency asserts on chunk sizes).
FIT_DECODE_ERRORS = (
    fitdecode.FitError,
    AssertionError,
    struct.error,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    OverflowError,
    EOFError,
)
# FIT date_time values below 0x10000000 are seconds since the device powered on, not dates.
FIT_EPOCH = 631065600
FIT_MIN_DATE = FIT_EPOCH + 0x10000000


def _value(frame: fitdecode.FitDataMessage, *names: str):
    for name in names:
        if frame.has_field(name):
            value = frame.get_value(name)
            if value is not None:
                return value
    return None


def _epoch(value) -> float | None:
    if not isinstance(value, datetime):
        return None
    epoch = value.timestamp()
    return epoch if epoch >= FIT_MIN_DATE else None


def _num(value) -> float:
    return float(value) if isinstance(value, int | float) else np.nan


def parse(data: bytes, filename: str) -> list[Track]:
    rows = []
    dist_samples: list[tuple[float, float]] = []
    sport = None
    device = None
    session_distance = None
    steps = None
    reader = fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.DISABLED,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    try:
        for frame in reader:
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            if frame.name == "record":
                t = _epoch(_value(frame, "timestamp"))
                lat = _value(frame, "position_lat")
                lon = _value(frame, "position_long")
                dist = _num(_value(frame, "distance"))
                rows.append(
                    (
                        t,
                        lat * SEMICIRCLE_DEG if isinstance(lat, int) else np.nan,
                        lon * SEMICIRCLE_DEG if isinstance(lon, int) else np.nan,
                        _num(_value(frame, "enhanced_altitude", "altitude")),
                        _num(_value(frame, "heart_rate")),
                        _num(_value(frame, "cadence")),
                        0,
                    )
                )
                if t is not None and np.isfinite(dist):
                    dist_samples.append((t, dist))
            elif frame.name in ("session", "sport"):
                if sport is None:
                    sport = sport_hint(_str(_value(frame, "sport")))
                if frame.name == "session":
                    total = _num(_value(frame, "total_distance"))
                    if np.isfinite(total):
                        session_distance = (session_distance or 0.0) + total
                    total_steps = _value(frame, "total_steps")
                    if isinstance(total_steps, int):
                        steps = (steps or 0) + total_steps
            elif frame.name == "file_id" and device is None:
                device = _device(frame)
    except FIT_DECODE_ERRORS as exc:
        # A truncated or badly terminated file: keep what was read, if anything.
        if not rows and not dist_samples:
            raise ParseError("malformed_file") from exc
    if not rows:
        raise ParseError("no_points")
    if any(np.isfinite(r[1]) and np.isfinite(r[2]) for r in rows):
        track = build_track(rows, source_format="fit", sport=sport, device=device)
    else:
        track = _no_gps(dist_samples, session_distance, sport, device)
    track.steps = steps
    return [track]


def _str(value) -> str | None:
    return value if isinstance(value, str) else None


def _device(frame: fitdecode.FitDataMessage) -> str | None:
    parts = [
        _value(frame, "manufacturer"),
        _value(frame, "product_name", "garmin_product", "product"),
    ]
    text = " ".join(str(p) for p in parts if p not in (None, ""))
    return text or None


def _no_gps(
    samples: list[tuple[float, float]],
    session_distance: float | None,
    sport: str | None,
    device: str | None,
) -> Track:
    """Treadmill/indoor recordings: distance from the device, no positions."""
    if len(samples) < 2:
        raise ParseError("no_points")
    arr = np.array(sorted(samples), dtype=np.float64)
    t, dist = arr[:, 0], arr[:, 1]
    total = session_distance if session_distance else float(np.nanmax(dist))
    return distance_only_track(t, dist, total, source_format="fit", sport=sport, device=device)
