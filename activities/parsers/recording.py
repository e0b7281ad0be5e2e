"""Recordings made in the browser (`/activities/record/`), as the recorder page uploads them.

The format is documented in docs/recording.md. It is read and validated like any file:
a JSON object whose `format` is "kindsteps-recording", a client-generated `id`, the sport
and the points in `segments`, one segment per stretch between Start/Resume and
Pause/Finish. Times must be in order and not in the future, positions on the Earth and
not at (0, 0). Readings less accurate than MAX_ACCURACY_M are dropped, and so are readings
closer to the last kept one than the GPS can tell apart, so a person standing still adds
neither distance nor moving time (the recorder page applies the same rules live).
"""

from __future__ import annotations

import math
import time
import uuid
from typing import TYPE_CHECKING, Any

import numpy as np
from django.utils.translation import gettext_lazy as _

from activities.parsers.base import MIN_VALID_EPOCH, FloatArray, Mask, ParseError
from activities.parsers.points import build_track_columns
from activities.track import WGS84_A, Track

if TYPE_CHECKING:
    from django.utils.functional import Promise
from core.http import BadJSON, loads_json

FORMAT = "kindsteps-recording"
VERSION = 1
SPORTS = ("walk", "run")
# Readings with a worse (larger) accuracy radius than this are not positions worth keeping.
MAX_ACCURACY_M = 30.0
# A reading counts as movement only when it is farther from the last kept one than the two
# accuracy radii together (two readings of one spot can be that far apart), within
# [MIN_STEP_M, MAX_STEP_M].
MIN_STEP_M = 5.0
MAX_STEP_M = 25.0
# A phone's clock may run a little ahead of ours; more than this is refused.
MAX_CLOCK_AHEAD_S = 300.0
MAX_POINTS = 200_000
DEVICE = "KindSteps (browser)"


def _refuse(message: str | Promise) -> ParseError:
    return ParseError("malformed_file", message)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def load(data: bytes) -> dict:
    """The recording's JSON object, its envelope checked; raises ParseError."""
    try:
        doc = loads_json(data)
    except BadJSON as exc:
        if exc.code == "json_too_deep":
            raise _refuse(exc.message) from exc
        raise ParseError("malformed_file") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ParseError("unknown_format")
    if doc.get("version") != VERSION:
        raise _refuse(_("This recording was made by a newer recorder; reload the page."))
    try:
        uuid.UUID(str(doc.get("id", "")))
    except ValueError as exc:
        raise _refuse(_("The recording has no valid identifier.")) from exc
    if doc.get("sport") not in SPORTS:
        raise _refuse(_("The recording must be a walk or a run."))
    segments = doc.get("segments")
    if not isinstance(segments, list) or not all(isinstance(s, list) for s in segments):
        raise _refuse(_("The recording's points are not in segments."))
    return doc


def recording_id(data: bytes) -> str:
    """The client-generated id, canonical (lower-case UUID); raises ParseError."""
    return str(uuid.UUID(str(load(data)["id"])))


def _columns(segments: list[list[Any]]) -> dict[str, FloatArray]:
    rows: list[tuple[float, float, float, float, float, int]] = []
    latest = time.time() + MAX_CLOCK_AHEAD_S
    previous = -math.inf
    for index, segment in enumerate(segments):
        for point in segment:
            if not isinstance(point, list) or len(point) not in (4, 5):
                raise _refuse(_("A point must be [time, latitude, longitude, accuracy, altitude]."))
            t, lat, lon, acc = (_number(v) for v in point[:4])
            alt = _number(point[4]) if len(point) == 5 and point[4] is not None else math.nan
            if t is None or lat is None or lon is None or acc is None or alt is None:
                raise _refuse(_("A point has a value that is not a number."))
            t /= 1000.0
            if t < MIN_VALID_EPOCH or t > latest:
                raise ParseError(
                    "no_timestamps",
                    _("A point's time is impossible: check the phone's date and time."),
                )
            if t < previous:
                raise _refuse(_("The points are not in the order of their times."))
            if abs(lat) > 90 or abs(lon) > 180 or (lat == 0 and lon == 0) or acc < 0:
                raise _refuse(_("A point is not a possible position on the Earth."))
            previous = t
            rows.append((t, lat, lon, acc, alt, index))
            if len(rows) > MAX_POINTS:
                raise ParseError("too_large")
    if not rows:
        raise ParseError("no_points")
    arr = np.array(rows, dtype=np.float64)
    return {name: arr[:, i] for i, name in enumerate(("t", "lat", "lon", "acc", "ele", "seg"))}


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(x, math.radians(lat2 - lat1)) * WGS84_A


def still_mask(lat: FloatArray, lon: FloatArray, acc: FloatArray, seg: FloatArray) -> Mask:
    """True for the readings kept: the first and last of each segment, and each one that is
    farther from the last kept reading than both accuracy radii together (within
    [MIN_STEP_M, MAX_STEP_M]).

    Sequential by nature (each decision depends on the last kept point), so a plain loop
    with a flat-Earth distance, exact enough at these few metres.
    """
    n = lat.size
    keep = np.zeros(n, dtype=bool)
    lat, lon, acc, seg = lat.tolist(), lon.tolist(), acc.tolist(), seg.tolist()
    last = -1
    for i in range(n):
        if last < 0 or seg[i] != seg[last] or i == n - 1 or seg[i + 1] != seg[i]:
            keep[i] = True
        else:
            threshold = min(max(acc[last] + acc[i], MIN_STEP_M), MAX_STEP_M)
            keep[i] = _metres(lat[last], lon[last], lat[i], lon[i]) >= threshold
        if keep[i]:
            last = i
    return keep


def parse(data: bytes, filename: str = "") -> list[Track]:
    doc = load(data)
    cols = _columns(doc["segments"])
    accurate = cols["acc"] <= MAX_ACCURACY_M
    if not accurate.any():
        raise ParseError("no_points", _("Every position in the recording was too inaccurate."))
    cols = {name: values[accurate] for name, values in cols.items()}
    keep = still_mask(cols["lat"], cols["lon"], cols["acc"], cols["seg"])
    cols = {name: values[keep] for name, values in cols.items()}
    nan = np.full(cols["t"].size, np.nan)
    device = doc.get("device")
    return [
        build_track_columns(
            cols["t"],
            cols["lat"],
            cols["lon"],
            cols["ele"],
            nan,
            nan.copy(),
            cols["seg"],
            source_format="recording",
            sport=doc["sport"],
            device=device[:120] if isinstance(device, str) and device.strip() else DEVICE,
        )
    ]
