"""Garmin FIT files (also chained, truncated and damaged ones).

Reading (`FitContent`: the records, sessions, sport and device of a file) is apart from
turning what was read into tracks (`tracks_from`), so that any reader of the bytes
gives the same tracks. The reader is `fit_reader` (fast, and reads on past damage), and
fitdecode for what it does not vouch for.

Rules:
- Records stamped with the same time (some apps write the position and the distance
  of one moment as two records) are one point.
- A multisport file (several sessions: swim, bike, run…) is one activity per session,
  each with its own sport and distance; transitions between sports are not activities.
- A file that is damaged or cut short is read as far as it can be, and says so.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import fitdecode
import numpy as np

from activities.parsers.base import FloatArray, ParseError, note, sport_hint
from activities.parsers.points import build_track_columns
from activities.track import Track, elapsed_s

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
# Reading that stops fewer bytes than this before the end has lost at most a record.
ENDS_EARLY_MIN_BYTES = 64
RECORD_FIELDS = ("t", "lat", "lon", "ele", "hr", "cad", "dist")


@dataclass
class Session:
    sport: str | None  # the FIT name ("running", "transition"…)
    # Both readers give nan, never None, for what the file leaves out.
    start: float
    elapsed_s: float
    distance_m: float
    steps: int | None = None


@dataclass
class FitContent:
    """What a FIT file holds that a track needs, whichever reader read it."""

    records: dict[str, list[float]] = field(
        default_factory=lambda: {name: [] for name in RECORD_FIELDS}
    )
    sessions: list[Session] = field(default_factory=list)
    sport: str | None = None  # from a `sport` message, for files without sessions
    device: str | None = None
    # The file_id's type: "activity" for a recording, "course" for a route planned to
    # be followed (its times made up by the planner), and so on.
    file_type: str | None = None
    size: int = 0
    # How long the file says it is (its first header's sizes), however long it really is.
    declared_size: int = 0
    # Where reading stopped before the end of the data, and why it could go no further.
    stopped_at: int | None = None
    # Bytes passed over inside the file to read on after damage.
    skipped_bytes: int = 0

    def add_record(
        self, t: float, lat: float, lon: float, ele: float, hr: float, cad: float, dist: float
    ) -> None:
        records = self.records
        times = records["t"]
        if times and t == times[-1] and np.isfinite(t):
            # The same moment again: fill in what the previous record of it lacked.
            for name, value in zip(RECORD_FIELDS[1:], (lat, lon, ele, hr, cad, dist), strict=True):
                if not np.isfinite(records[name][-1]):
                    records[name][-1] = value
            return
        for name, value in zip(RECORD_FIELDS, (t, lat, lon, ele, hr, cad, dist), strict=True):
            records[name].append(value)


def parse(data: bytes, filename: str) -> list[Track]:
    from activities.parsers import fit_reader

    content = fit_reader.read(data)
    if content is None:  # something the fast reader does not vouch for
        content = read_fitdecode(data)
    elif not content.records["t"] and content.stopped_at is not None:
        raise ParseError("malformed_file")
    return tracks_from(content)


def _value(frame: fitdecode.FitDataMessage, *names: str) -> Any:
    for name in names:
        if frame.has_field(name):
            value = frame.get_value(name)
            if value is not None:
                return value
    return None


def _epoch(value: object) -> float:
    if not isinstance(value, datetime):
        return np.nan
    epoch = value.timestamp()
    return epoch if epoch >= FIT_MIN_DATE else np.nan


def _num(value: object) -> float:
    return float(value) if isinstance(value, int | float) else np.nan


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def read_fitdecode(data: bytes) -> FitContent:
    content = FitContent(size=len(data), declared_size=declared_size(data))
    reader = fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.DISABLED,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    try:
        for frame in reader:
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            name = frame.name
            if name == "record":
                lat = _value(frame, "position_lat")
                lon = _value(frame, "position_long")
                content.add_record(
                    _epoch(_value(frame, "timestamp")),
                    lat * SEMICIRCLE_DEG if isinstance(lat, int) else np.nan,
                    lon * SEMICIRCLE_DEG if isinstance(lon, int) else np.nan,
                    _num(_value(frame, "enhanced_altitude", "altitude")),
                    _num(_value(frame, "heart_rate")),
                    _num(_value(frame, "cadence")),
                    _num(_value(frame, "distance")),
                )
            elif name == "session":
                steps = _value(frame, "total_steps")
                content.sessions.append(
                    Session(
                        sport=_str(_value(frame, "sport")),
                        start=_epoch(_value(frame, "start_time")),
                        elapsed_s=_num(_value(frame, "total_elapsed_time")),
                        distance_m=_num(_value(frame, "total_distance")),
                        steps=steps if isinstance(steps, int) else None,
                    )
                )
            elif name == "sport" and content.sport is None:
                content.sport = _str(_value(frame, "sport"))
            elif name == "file_id" and content.device is None:
                content.file_type = _str(_value(frame, "type"))
                content.device = _device(
                    _value(frame, "manufacturer"),
                    _value(frame, "product_name", "garmin_product", "product"),
                )
    except FIT_DECODE_ERRORS as exc:
        # A truncated or badly terminated file: keep what was read, if anything.
        found = re.search(r"@ (\d+)", str(exc))
        content.stopped_at = int(found.group(1)) if found else len(data)
        if not content.records["t"]:
            raise ParseError("malformed_file") from exc
    return content


def declared_size(data: bytes) -> int:
    """The length the first FIT header gives the file: header, data and CRC."""
    if len(data) < 12:
        return 0
    return data[0] + int.from_bytes(data[4:8], "little") + 2


def _device(manufacturer: object, product: object) -> str | None:
    text = " ".join(str(p) for p in (manufacturer, product) if p not in (None, ""))
    return text or None


def tracks_from(content: FitContent) -> list[Track]:
    """One track per session of the content (one for a file without sessions)."""
    records = {name: np.array(values, dtype=np.float64) for name, values in content.records.items()}
    if not records["t"].size:
        return _from_sessions(content)
    if content.file_type == "course":
        total = int(records["t"].size)
        raise ParseError("no_points", params={"detail": "route_only", "total": total})
    tracks = _tracks(content, records)
    damage = _damage_note(content)
    if damage is not None:
        for track in tracks:
            track.notes.insert(0, note(damage[0], **damage[1], read_s=round(elapsed_s(track))))
    return tracks


def _tracks(content: FitContent, records: dict[str, FloatArray]) -> list[Track]:
    notes: list[dict[str, Any]] = []
    sessions = [s for s in content.sessions if s.sport != "transition"]
    transitions = len(content.sessions) - len(sessions)
    starts = [s.start for s in sessions]
    if len(sessions) < 2 or not all(np.isfinite(start) for start in starts):
        # One activity: the sessions' distances together (a watch may split one effort).
        distances = [s.distance_m for s in content.sessions if np.isfinite(s.distance_m or np.nan)]
        steps = [s.steps for s in content.sessions if s.steps is not None]
        sport = next((s.sport for s in content.sessions if s.sport), None) or content.sport
        track = _track(records, content, sport, sum(distances) if distances else None, notes)
        track.steps = sum(steps) if steps else None
        return [track]
    if transitions:
        notes = [*notes, note("transition", count=transitions)]
    # Each record belongs to the last session begun by its time (the first before any).
    order = np.argsort(starts, kind="stable")
    sessions = [sessions[i] for i in order]
    bounds = np.array([s.start for s in sessions])
    owner = np.maximum(np.searchsorted(bounds, records["t"], side="right") - 1, 0)
    ends = [
        s.start + s.elapsed_s if np.isfinite(s.elapsed_s or np.nan) else np.inf for s in sessions
    ]
    tracks: list[Track] = []
    for index, session in enumerate(sessions):
        mine = owner == index
        # Records after a session's end belong to no session (a transition between).
        mine &= records["t"] <= ends[index] + 1.0
        if not mine.any():
            continue
        part = {name: values[mine] for name, values in records.items()}
        distance = session.distance_m if np.isfinite(session.distance_m or np.nan) else None
        try:
            track = _track(part, content, session.sport, distance, notes)
        except ParseError:
            continue
        track.steps = session.steps
        track.session = {"index": index + 1, "count": len(sessions), "sport": session.sport}
        tracks.append(track)
    if not tracks:
        return [_track(records, content, content.sport, None, notes)]
    return tracks


def _from_sessions(content: FitContent) -> list[Track]:
    """A file of sessions and no records (an indoor or manual activity some apps write
    with its totals only): each session its duration and the device's distance, without
    positions, as a TCX of laps alone; the campaign's rule on activities without GPS
    decides."""
    told = [
        s
        for s in content.sessions
        if s.sport != "transition"
        and np.isfinite(s.start)
        and np.isfinite(s.elapsed_s)
        and s.elapsed_s >= 1.0
        and np.isfinite(s.distance_m)
        and s.distance_m > 0
    ]
    if content.file_type == "course" or not told:
        raise ParseError("no_points")
    nan = np.full(2, np.nan)
    return [
        Track(
            t=np.array([session.start, session.start + session.elapsed_s]),
            lat=nan,
            lon=nan.copy(),
            ele=nan.copy(),
            steps=session.steps,
            sport=sport_hint(session.sport or content.sport),
            device=content.device,
            source_format="fit",
            has_gps=False,
            device_distance_m=session.distance_m,
            session=(
                {"index": index + 1, "count": len(told), "sport": session.sport}
                if len(told) > 1
                else None
            ),
        )
        for index, session in enumerate(told)
    ]


def _track(
    records: dict[str, FloatArray],
    content: FitContent,
    sport: str | None,
    distance: float | None,
    notes: list[dict[str, Any]],
) -> Track:
    n = records["t"].size
    return build_track_columns(
        records["t"],
        records["lat"],
        records["lon"],
        records["ele"],
        records["hr"],
        records["cad"],
        np.zeros(n),
        source_format="fit",
        sport=sport_hint(sport),
        device=content.device,
        dist=records["dist"],
        summary_distance=distance,
        notes=notes,
    )


def _damage_note(content: FitContent) -> tuple[str, dict[str, int]] | None:
    """What to tell about a damaged file: the note's code and its counts (the time the
    records cover is each track's own)."""
    records = len(content.records["t"])
    total = max(content.size, content.declared_size)
    # Only the last record or the checksum missing loses nothing worth telling.
    if content.stopped_at is not None and total - content.stopped_at > ENDS_EARLY_MIN_BYTES:
        return "ends_early", {
            "records": records,
            "read_bytes": content.stopped_at,
            "total_bytes": total,
        }
    if content.skipped_bytes:
        return "damaged", {"skipped_bytes": content.skipped_bytes, "records": records}
    return None
