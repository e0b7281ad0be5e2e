"""One normalised track for every tracker file, and the maths on it.

All computations are vectorised with numpy; nothing loops in Python over points.
Distances are geodesic on the WGS-84 ellipsoid (Andoyer–Lambert), which agrees with a
Vincenty inverse to well under 0.01 % on the segment lengths a GPS track has.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np

WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563

# A segment slower than this, or spanning a longer gap than this, counts as stopped.
MOVING_MIN_SPEED_MPS = 0.5
MOVING_MAX_GAP_S = 30.0
# Elevation reversals smaller than this are treated as barometer/GPS noise.
ELEVATION_HYSTERESIS_M = 3.0
# Max speed is the best average speed over at least this long a window.
MAX_SPEED_WINDOW_S = 10.0
# Simplified tracks for maps.
SIMPLIFY_MAX_POINTS = 300
SIMPLIFY_TOLERANCE_M = 2.0
PRIVACY_TRIM_M = 200

SPORTS = ("run", "walk", "other")


@dataclass
class Track:
    """A normalised activity track; arrays are aligned point by point, sorted by time.

    A point may have a time but no position (lat and lon nan): it counts for the
    duration, and the GPS distance runs between the points that have one.
    """

    t: np.ndarray  # UTC epoch seconds, float64
    lat: np.ndarray  # degrees, nan without a fix
    lon: np.ndarray
    ele: np.ndarray  # metres, nan where missing
    hr: np.ndarray | None = None
    cad: np.ndarray | None = None
    steps: int | None = None
    sport: str | None = None  # "run" / "walk" / "other" / None
    device: str | None = None
    source_format: str = ""
    has_gps: bool = True
    # The device's own cumulative distance per point, from 0 (FIT record `distance`,
    # TCX trackpoint `DistanceMeters`); None when the file has none.
    dist: np.ndarray | None = None
    # The device's distance for the activity: what its points' distance covers, else its
    # summary (FIT session, TCX laps). When known, it is the activity's distance.
    device_distance_m: float | None = None
    # Recording segment of each point (GPX trkseg); no distance is credited across a break,
    # where the recorder was off and the athlete may have travelled any way.
    segment: np.ndarray | None = None
    dropped_points: int = 0
    # For one sport of a multisport file: {"index": 1-based, "count", "sport": FIT name}.
    session: dict | None = None
    # What the parser noticed and worked around: [{"code", "params"}] (`parsers.base.note`).
    notes: list[dict] = field(default_factory=list)
    # segment_distances, kept with the arrays it was computed from.
    _distances: tuple | None = field(default=None, init=False, repr=False, compare=False)
    # fix_steps, kept with the arrays it was computed from.
    _fix_steps: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return int(self.t.size)

    def subset(self, mask_or_index: np.ndarray) -> Track:
        def pick(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[mask_or_index]

        return replace(
            self,
            t=self.t[mask_or_index],
            lat=self.lat[mask_or_index],
            lon=self.lon[mask_or_index],
            ele=self.ele[mask_or_index],
            hr=pick(self.hr),
            cad=pick(self.cad),
            dist=pick(self.dist),
            segment=pick(self.segment),
        )


@dataclass
class TrackSummary:
    sport: str | None
    start: datetime | None
    end: datetime | None
    elapsed_s: float
    moving_s: float
    distance_m: int
    elevation_gain_m: float
    points: int
    avg_pace_s_per_km: float | None
    splits_s: list[float]
    max_speed_mps: float | None
    has_gps: bool
    device: str | None
    # The device's own figure and the geodesic sum of the GPS path; `distance_m` is the
    # first when the file has it, else the second.
    device_distance_m: int | None = None
    gps_distance_m: int | None = None


def geodesic_distances(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Ellipsoidal distance in metres between consecutive points (Andoyer–Lambert)."""
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    if lat.size < 2:
        return np.zeros(0)
    beta = np.arctan((1 - WGS84_F) * np.tan(np.radians(lat)))
    lam = np.radians(lon)
    b1, b2 = beta[:-1], beta[1:]
    dlam = np.diff(lam)
    # Haversine for the central angle: stable for the metre-scale steps of a GPS track.
    h = np.sin((b2 - b1) / 2) ** 2 + np.cos(b1) * np.cos(b2) * np.sin(dlam / 2) ** 2
    h = np.clip(h, 0.0, 1.0)
    sigma = 2 * np.arcsin(np.sqrt(h))
    p = (b1 + b2) / 2
    q = (b2 - b1) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (sigma - np.sin(sigma)) * np.sin(p) ** 2 * np.cos(q) ** 2 / np.cos(sigma / 2) ** 2
        y = (sigma + np.sin(sigma)) * np.cos(p) ** 2 * np.sin(q) ** 2 / np.sin(sigma / 2) ** 2
        d = WGS84_A * (sigma - WGS84_F / 2 * (x + y))
    return np.where(sigma > 0, d, 0.0)


def fix_steps(track: Track) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the points with a fix, and the geodesic distance between each
    two consecutive ones (read-only; segment breaks not taken out). Computed once per
    track: reading a file, the summary and the GPS-jump check all walk the same path."""
    cached = track._fix_steps
    if cached is not None and cached[0] is track.lat and cached[1] is track.lon:
        return cached[2], cached[3]
    at = np.flatnonzero(np.isfinite(track.lat))
    d = geodesic_distances(track.lat[at], track.lon[at])
    at.flags.writeable = False
    d.flags.writeable = False
    track._fix_steps = (track.lat, track.lon, at, d)
    return at, d


def segment_distances(track: Track) -> np.ndarray:
    """The distance credited to each step between consecutive points, in metres
    (read-only): the device's own where the file has it, else the GPS path's (scaled to
    the device's total when only a summary gives one).

    Computed once per track: the summary, the rules and the pipeline all need it.
    """
    sources = (track.has_gps, track.lat, track.lon, track.segment, track.dist)
    cached = track._distances
    if (
        cached is not None
        and all(a is b for a, b in zip(cached[0], sources, strict=True))
        and cached[1] == track.device_distance_m
    ):
        return cached[2]
    d = _segment_distances(track)
    d.flags.writeable = False
    # Without the device's distance, the credited distance is the GPS path itself.
    gps = d if track.dist is None and track.device_distance_m is None and track.has_gps else None
    track._distances = (sources, track.device_distance_m, d, gps)
    return d


def gps_segment_distances(track: Track) -> np.ndarray:
    """The GPS path's distance per step (read-only). A step between two points with a
    position is their geodesic distance; the distance between fixes with points without
    one between them is spread over those steps by time. Nothing across a segment break."""
    segment_distances(track)
    cached = track._distances
    if cached[3] is None:
        d = _gps_segment_distances(track)
        d.flags.writeable = False
        track._distances = (*cached[:3], d)
    return track._distances[3]


def _gps_segment_distances(track: Track) -> np.ndarray:
    n = len(track)
    if not track.has_gps or n < 2:
        return np.zeros(max(n - 1, 0))
    at, between = fix_steps(track)
    if track.segment is not None:  # nothing across a break in the recording
        between = np.where(np.diff(track.segment[at]) != 0, 0.0, between)
    if at.size == n:
        return between
    # Spread each distance between fixes over the steps it spans, in proportion to time
    # (evenly where no time passes); none before the first fix or after the last.
    cum_at = np.concatenate(([0.0], np.cumsum(between)))
    t = track.t
    weights = np.where(np.diff(t[at]) > 0, np.diff(t[at]), 0.0)
    cum = np.interp(t, t[at], cum_at) if (weights > 0).all() else _spread(at, cum_at, n)
    cum[: at[0]] = 0.0
    cum[at[-1] :] = cum_at[-1]
    return np.maximum(np.diff(cum), 0.0)


def _spread(at: np.ndarray, cum_at: np.ndarray, n: int) -> np.ndarray:
    """Cumulative distance at every point, linear by index between the fixes."""
    return np.interp(np.arange(n), at, cum_at)


def _segment_distances(track: Track) -> np.ndarray:
    if track.dist is not None and track.dist.size >= 2:
        return np.maximum(np.diff(_fill_forward(track.dist)), 0.0)
    if track.has_gps:
        d = _gps_segment_distances(track)
        total = float(d.sum())
        if track.device_distance_m is not None and total > 0:
            d = d * (track.device_distance_m / total)
        return d
    return np.zeros(max(len(track) - 1, 0))


def gps_distance_m(track: Track) -> int | None:
    """The geodesic length of the GPS path (None without positions)."""
    if not track.has_gps:
        return None
    return int(round(float(gps_segment_distances(track).sum())))


def cumulative_distance(track: Track) -> np.ndarray:
    return (
        np.concatenate(([0.0], np.cumsum(segment_distances(track)))) if len(track) else np.zeros(0)
    )


def gps_cumulative_distance(track: Track) -> np.ndarray:
    """Cumulative GPS path distance per point: what the track checks judge."""
    return (
        np.concatenate(([0.0], np.cumsum(gps_segment_distances(track))))
        if len(track)
        else np.zeros(0)
    )


def total_distance_m(track: Track) -> int:
    return _total_distance_m(track, segment_distances(track))


def _total_distance_m(track: Track, d: np.ndarray) -> int:
    if track.device_distance_m is not None:
        return int(round(track.device_distance_m))
    return int(round(float(d.sum())))


def elapsed_s(track: Track) -> float:
    return float(track.t[-1] - track.t[0]) if len(track) >= 2 else 0.0


def moving_mask(track: Track) -> np.ndarray:
    """True for each segment (between points i and i+1) during which the athlete moved."""
    return _moving_mask(track, segment_distances(track))


def _moving_mask(track: Track, dd: np.ndarray) -> np.ndarray:
    dt = np.diff(track.t)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(dt > 0, dd / dt, 0.0)
    moving = (dt > 0) & (speed >= MOVING_MIN_SPEED_MPS)
    if track.has_gps:
        # Without positions (treadmill) samples are sparse and distance is measured, not
        # inferred, so a long sampling interval is not a pause.
        moving &= dt <= MOVING_MAX_GAP_S
    return moving


def moving_s(track: Track) -> float:
    return _moving_s(track, segment_distances(track))


def _moving_s(track: Track, d: np.ndarray) -> float:
    if len(track) < 2:
        return 0.0
    if not track.has_gps and track.dist is None:
        return elapsed_s(track)
    return float(np.diff(track.t)[_moving_mask(track, d)].sum())


# Up to this many points, a track's climb is computed point by point.
FEW_POINTS = 32


def elevation_gain_m(track: Track, hysteresis: float = ELEVATION_HYSTERESIS_M) -> float:
    """Total climb, ignoring reversals smaller than `hysteresis` metres.

    The elevation is passed through a play (backlash) operator of width `hysteresis`:
    y_i = clip(y_{i-1}, x_i - w, x_i + w) with w = hysteresis / 2. Each step is a clamp, and
    clamps compose into clamps, so the whole recurrence is a parallel prefix scan.
    """
    x = track.ele[np.isfinite(track.ele)]
    if x.size < 2:
        return 0.0
    w = hysteresis / 2
    if x.size <= FEW_POINTS:
        # The same clamps one after the other: quicker than the scan's array steps.
        played = [float(x[0])]
        for value in x[1:].tolist():
            played.append(min(max(played[-1], value - w), value + w))
        steps = np.diff(np.array(played))
        return float(round(steps[steps > 0].sum(), 1))
    lo = x - w
    hi = x + w
    shift = 1
    while shift < x.size:
        # Compose the earlier clamp (i - shift) with the current one (i).
        new_lo = np.clip(lo[:-shift], lo[shift:], hi[shift:])
        new_hi = np.clip(hi[:-shift], lo[shift:], hi[shift:])
        lo = np.concatenate((lo[:shift], new_lo))
        hi = np.concatenate((hi[:shift], new_hi))
        shift *= 2
    y = np.clip(x[0], lo, hi)
    steps = np.diff(y)
    return float(round(steps[steps > 0].sum(), 1))


def splits_s(track: Track, km: float = 1000.0) -> list[float]:
    """Clock seconds taken by each completed kilometre, interpolated at the boundaries."""
    if len(track) < 2:
        return []
    return _splits_s(track, cumulative_distance(track), km)


def _splits_s(track: Track, cum: np.ndarray, km: float = 1000.0) -> list[float]:
    if len(track) < 2:
        return []
    n = int(cum[-1] // km)
    if n == 0:
        return []
    boundaries = np.arange(1, n + 1) * km
    # Interpolate on the strictly increasing part of the cumulative distance.
    keep = np.concatenate(([True], np.diff(cum) > 0))
    times = np.interp(boundaries, cum[keep], track.t[keep])
    # np.round is what round() does to each np.float64, all at once.
    return np.round(np.diff(np.concatenate(([track.t[0]], times))), 1).tolist()


def avg_pace_s_per_km(track: Track) -> float | None:
    return _avg_pace_s_per_km(total_distance_m(track), moving_s(track))


def _avg_pace_s_per_km(distance: int, moving: float) -> float | None:
    if distance <= 0 or moving <= 0:
        return None
    return round(moving / (distance / 1000.0), 1)


def max_speed_mps(track: Track, window: float = MAX_SPEED_WINDOW_S) -> float | None:
    """Best average speed over any window of at least `window` seconds."""
    if len(track) < 2 or elapsed_s(track) < window:
        return None
    return _max_speed_mps(track, cumulative_distance(track), window)


def _max_speed_mps(
    track: Track, cum: np.ndarray, window: float = MAX_SPEED_WINDOW_S
) -> float | None:
    if len(track) < 2 or elapsed_s(track) < window:
        return None
    end = np.searchsorted(track.t, track.t + window, side="left")
    valid = end < len(track)
    i = np.nonzero(valid)[0]
    j = end[valid]
    dt = track.t[j] - track.t[i]
    speed = (cum[j] - cum[i]) / dt
    return float(round(speed.max(), 2)) if speed.size else None


def _fill_forward(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    ok = np.isfinite(a)
    if ok.all():
        return a
    if not ok.any():
        return np.zeros_like(a)
    idx = np.where(ok, np.arange(a.size), 0)
    np.maximum.accumulate(idx, out=idx)
    out = a[idx]
    out[: np.argmax(ok)] = a[np.argmax(ok)]
    return out


def _to_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(float(epoch), tz=UTC)


def summarise(track: Track) -> TrackSummary:
    # The segment distances are computed once and shared by every figure.
    d = segment_distances(track)
    cum = np.concatenate(([0.0], np.cumsum(d))) if len(track) else np.zeros(0)
    distance = _total_distance_m(track, d)
    moving = _moving_s(track, d)
    return TrackSummary(
        sport=track.sport,
        start=_to_datetime(track.t[0]) if len(track) else None,
        end=_to_datetime(track.t[-1]) if len(track) else None,
        elapsed_s=elapsed_s(track),
        moving_s=moving,
        distance_m=distance,
        elevation_gain_m=elevation_gain_m(track),
        points=len(track),
        avg_pace_s_per_km=_avg_pace_s_per_km(distance, moving),
        splits_s=_splits_s(track, cum),
        max_speed_mps=_max_speed_mps(track, cum),
        has_gps=track.has_gps,
        device=track.device,
        device_distance_m=(
            None if track.device_distance_m is None else int(round(track.device_distance_m))
        ),
        gps_distance_m=gps_distance_m(track),
    )


def _local_xy(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular metres around the track's mean latitude; enough to judge shape."""
    lat0 = np.radians(np.nanmean(lat))
    r = WGS84_A
    return np.radians(lon) * r * np.cos(lat0), np.radians(lat) * r


def _max_deviation(x: np.ndarray, y: np.ndarray, a: int, b: int) -> tuple[float, int]:
    if b - a < 2:
        return 0.0, a
    px, py = x[a + 1 : b], y[a + 1 : b]
    dx, dy = x[b] - x[a], y[b] - y[a]
    norm = np.hypot(dx, dy)
    if norm == 0:
        dev = np.hypot(px - x[a], py - y[a])
    else:
        dev = np.abs(dy * (px - x[a]) - dx * (py - y[a])) / norm
    k = int(np.argmax(dev))
    return float(dev[k]), a + 1 + k


def simplify(
    track: Track,
    max_points: int = SIMPLIFY_MAX_POINTS,
    tolerance_m: float = SIMPLIFY_TOLERANCE_M,
) -> Track:
    """Ramer–Douglas–Peucker, splitting the worst segment first, up to `max_points` points."""
    if not track.has_gps:
        return track
    if not np.isfinite(track.lat).all():
        track = track.subset(np.isfinite(track.lat))
    n = len(track)
    if n <= 2:
        return track
    x, y = _local_xy(track.lat, track.lon)
    kept = {0, n - 1}
    heap: list[tuple[float, int, int, int]] = []
    dev, k = _max_deviation(x, y, 0, n - 1)
    heapq.heappush(heap, (-dev, 0, n - 1, k))
    while heap and len(kept) < max_points:
        neg, a, b, k = heapq.heappop(heap)
        if -neg <= tolerance_m:
            break
        kept.add(k)
        for s, e in ((a, k), (k, b)):
            dev, kk = _max_deviation(x, y, s, e)
            if dev > tolerance_m:
                heapq.heappush(heap, (-dev, s, e, kk))
    return track.subset(np.array(sorted(kept)))


def privacy_trim(track: Track, metres: float = PRIVACY_TRIM_M) -> Track:
    """The track without its first and last `metres` (home and finish stay private)."""
    if not track.has_gps or len(track) == 0:
        return track.subset(np.zeros(0, dtype=int))
    if not np.isfinite(track.lat).all():
        track = track.subset(np.isfinite(track.lat))
    cum = gps_cumulative_distance(track)
    mask = (cum >= metres) & (cum <= cum[-1] - metres)
    return track.subset(mask)
