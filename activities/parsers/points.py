"""From the raw points of a file to a track: the rules every format shares.

Each parser hands over its points in file order as aligned float columns (nan where
a value is missing) and, when the device wrote them, its own cumulative distance per
point and its summary total. `build_track_columns` then applies, in this order:

1. Positions. A point without a valid position (none at all, off the Earth, or at
   exactly 0° 0°, which some devices and tools write when they have no fix) keeps its
   time but has no position: it counts for duration, never for GPS distance.
2. Times. Points without a usable time are left out, as long as enough are timed to
   judge (MIN_TIMED_SHARE); otherwise the file is refused with the counts.
3. Duplicates. A point that appears twice (same time and position; a segment written
   twice) is counted once.
4. Clock glitches. A small group of points stamped far (CLOCK_GLITCH_GAP_S) from the
   rest of the activity, as when a watch's clock jumps by years, is left out.
5. Order. Tracks written out of order are put in order whole; a few points stamped
   out of order (a last point an hour early) are left out; a track whose times go back
   and forth throughout is refused, never sorted blindly.

Every rule that changed something leaves a note for the participant (`base.note`).
"""

from __future__ import annotations

import bisect
import time
from typing import Any

import numpy as np

from activities.parsers.base import (
    MAX_FUTURE_S,
    MIN_VALID_EPOCH,
    FloatArray,
    Indices,
    Mask,
    ParseError,
    note,
)
from activities.track import Track, fix_steps

# (t, lat, lon, ele, hr, cad, segment): t is None when the point has no usable time.
Row = tuple[float | None, float, float, float, float, float, int]

# Fewer timed points than this share of the points, and the timing cannot be judged.
MIN_TIMED_SHARE = 0.5
# A group of points this far in time from the rest of the activity is a clock glitch…
CLOCK_GLITCH_GAP_S = 12 * 3600.0
# …when it holds at most this many points, or this share of them.
CLOCK_GLITCH_MAX_POINTS = 5
CLOCK_GLITCH_MAX_SHARE = 0.02
# At most this many points (or this share) stamped out of order are left out; more
# and the file is refused.
OUT_OF_ORDER_MAX_POINTS = 5
OUT_OF_ORDER_MAX_SHARE = 0.02
# Points without a position are mentioned once they are more than this share.
NO_FIX_NOTE_SHARE = 0.01
# The device's distance is checked against the GPS path over the stretches where both
# exist, between fixes at most this far apart…
PATH_CHECK_MAX_GAP_S = 30.0
# …and is far above what the path allows beyond this ratio plus this margin.
DEVICE_OVER_PATH_RATIO = 1.10
DEVICE_OVER_PATH_MARGIN_M = 50.0
# A summary total (FIT session, TCX laps) is compared with what the points cover.
SUMMARY_OVER_POINTS_RATIO = 1.10
SUMMARY_OVER_POINTS_MARGIN_M = 100.0


def build_track(
    rows: list[Row],
    *,
    source_format: str,
    sport: str | None,
    device: str | None,
) -> Track:
    """A track from (t, lat, lon, ele, hr, cad, segment) rows; see `build_track_columns`."""
    if rows:
        arr = np.array([(np.nan if r[0] is None else r[0], *r[1:]) for r in rows], dtype=np.float64)
    else:
        arr = np.zeros((0, 7))
    return build_track_columns(
        *(arr[:, i] for i in range(7)), source_format=source_format, sport=sport, device=device
    )


def build_track_columns(
    t: FloatArray,
    lat: FloatArray,
    lon: FloatArray,
    ele: FloatArray,
    hr: FloatArray,
    cad: FloatArray,
    segment: FloatArray,
    *,
    source_format: str,
    sport: str | None,
    device: str | None,
    dist: FloatArray | None = None,
    summary_distance: float | None = None,
    notes: list[dict[str, Any]] | None = None,
) -> Track:
    """A track from aligned float columns in file order (nan where missing).

    `dist` is the device's cumulative distance per point, `summary_distance` its total
    for the activity (a FIT session's, a TCX file's laps'). Raises ParseError with the
    counts that show what is missing.
    """
    notes = list(notes or [])
    total = int(t.size)
    if not total:
        raise ParseError("no_points")
    cols = {"t": t, "lat": lat, "lon": lon, "ele": ele, "hr": hr, "cad": cad, "seg": segment}
    if dist is not None:
        cols["dist"] = np.asarray(dist, dtype=np.float64)

    # 1. Positions.
    with np.errstate(invalid="ignore"):
        placed = (np.abs(lat) <= 90) & (np.abs(lon) <= 180) & ((lat != 0) | (lon != 0))
    if not placed.all():
        cols["lat"] = np.where(placed, lat, np.nan)
        cols["lon"] = np.where(placed, lon, np.nan)
    has_distance = "dist" in cols and np.isfinite(cols["dist"]).sum() >= 2
    if not placed.any() and not has_distance and not summary_distance:
        raise ParseError("no_positions", params={"detail": "no_positions", "total": total})

    # 2. Times: none at all, or one no clock could show (before 2000, in the future).
    latest = time.time() + MAX_FUTURE_S
    present = np.isfinite(t)
    with np.errstate(invalid="ignore"):
        timed = (t >= MIN_VALID_EPOCH) & (t <= latest)  # false for nan
    count = int(np.count_nonzero(timed))
    if total == 1:
        raise ParseError("no_points", params={"detail": "one_point", "total": total})
    if count < 2 or count < MIN_TIMED_SHARE * total:
        detail = "no_time" if not count else "no_timestamps"
        raise ParseError("no_timestamps", params={"detail": detail, "timed": count, "total": total})
    impossible = int(np.count_nonzero(present & ~timed))
    untimed = total - count - impossible
    if untimed:
        notes.append(note("untimed", count=untimed, total=total))
    if count < total:
        cols = _take(cols, timed)

    # 3. Duplicates.
    cols, twice = _without_duplicates(cols)
    if twice:
        notes.append(note("duplicates", count=twice))

    # 4. Clock glitches.
    glitch = _clock_glitches(cols["t"])
    if glitch.any() or impossible:
        notes.append(note("clock_glitch", count=int(glitch.sum()) + impossible))
    if glitch.any():
        cols = _take(cols, ~glitch)

    # 5. Order.
    cols, late = _in_time_order(cols)
    if late:
        notes.append(note("out_of_order", count=late))
    t = cols["t"]
    if t[-1] - t[0] < 1.0:
        # Every point at (nearly) the same instant: no duration can be derived.
        raise ParseError("no_timestamps", params={"detail": "same_time", "total": int(t.size)})

    fixed = np.isfinite(cols["lat"])
    unfixed = int(t.size - np.count_nonzero(fixed))
    if unfixed > NO_FIX_NOTE_SHARE * t.size:
        notes.append(note("no_fix", count=unfixed, total=int(t.size)))
    segment = cols["seg"].astype(np.int64)
    hr, cad = cols["hr"], cols["cad"]
    track = Track(
        t=t,
        lat=cols["lat"],
        lon=cols["lon"],
        ele=cols["ele"],
        hr=hr if np.isfinite(hr).any() else None,
        cad=cad if np.isfinite(cad).any() else None,
        sport=sport,
        device=device,
        source_format=source_format,
        has_gps=int(np.count_nonzero(fixed)) >= 2,
        segment=segment if (segment != segment[0]).any() else None,
        dropped_points=total - int(t.size),
    )
    device_distance(track, cols.get("dist"), summary_distance, notes)
    track.notes = notes
    return track


def _take(cols: dict[str, FloatArray], which: Mask | Indices) -> dict[str, FloatArray]:
    return {name: values[which] for name, values in cols.items()}


def _without_duplicates(cols: dict[str, FloatArray]) -> tuple[dict[str, FloatArray], int]:
    """The points without their repeats (same time and position), the first one kept."""
    t = cols["t"]
    steps = np.diff(t)
    if (steps > 0).all():
        return cols, 0  # in order without a repeated time: nothing can repeat
    if not (steps >= 0).all() and np.unique(t).size == t.size:
        return cols, 0
    lat, lon = np.nan_to_num(cols["lat"], nan=999.0), np.nan_to_num(cols["lon"], nan=999.0)
    order = np.lexsort((lon, lat, t))  # stable: the first of equal keys comes first
    same = (np.diff(t[order]) == 0) & (np.diff(lat[order]) == 0) & (np.diff(lon[order]) == 0)
    repeat = np.zeros(t.size, dtype=bool)
    repeat[order[1:][same]] = True
    twice = int(repeat.sum())
    return (_take(cols, ~repeat), twice) if twice else (cols, 0)


def _clock_glitches(t: FloatArray) -> Mask:
    """True for the points of small groups stamped far from the activity's main group."""
    glitch = np.zeros(t.size, dtype=bool)
    steps = np.diff(t)
    if not (np.abs(steps) > CLOCK_GLITCH_GAP_S).any():
        # Every point is that near the next in the file, so no group of them is that far
        # from the rest.
        return glitch
    order = np.argsort(t, kind="stable")
    gaps = np.flatnonzero(np.diff(t[order]) > CLOCK_GLITCH_GAP_S)
    if not gaps.size:
        return glitch
    bounds = np.concatenate(([0], gaps + 1, [t.size]))
    sizes = np.diff(bounds)
    small = max(CLOCK_GLITCH_MAX_POINTS, CLOCK_GLITCH_MAX_SHARE * t.size)
    largest = sizes.max()
    for start, stop, size in zip(bounds[:-1], bounds[1:], sizes, strict=True):
        if size <= small and size < largest / 2:
            glitch[order[start:stop]] = True
    return glitch


def _in_time_order(cols: dict[str, FloatArray]) -> tuple[dict[str, FloatArray], int]:
    """The points in time order, and how many were left out for being out of it."""
    t = cols["t"]
    if not (np.diff(t) < 0).any():
        return cols, 0
    # Tracks (segments) written out of order, each in order itself: put them in order.
    seg = cols["seg"]
    starts = np.flatnonzero(np.concatenate(([True], np.diff(seg) != 0)))
    stops = np.concatenate((starts[1:], [t.size]))
    inside = np.ones(t.size - 1, dtype=bool)
    inside[starts[1:] - 1] = False
    if not (np.diff(t)[inside] < 0).any():
        by_start = sorted(range(starts.size), key=lambda k: t[starts[k]])
        index = np.concatenate([np.arange(starts[k], stops[k]) for k in by_start])
        if not (np.diff(t[index]) < 0).any():
            return _take(cols, index), 0
    # A few points stamped out of order: keep the longest run in order, if it is nearly all.
    keep = _longest_in_order(t)
    late = int(t.size - keep.size)
    if late > max(OUT_OF_ORDER_MAX_POINTS, OUT_OF_ORDER_MAX_SHARE * t.size):
        raise ParseError(
            "no_timestamps",
            params={"detail": "out_of_order", "count": late, "total": int(t.size)},
        )
    return _take(cols, keep), late


def _longest_in_order(t: FloatArray) -> Indices:
    """The indices of a longest subsequence of `t` whose times never go back (patience)."""
    values = t.tolist()
    tails: list[float] = []
    tail_index: list[int] = []
    previous = [-1] * len(values)
    for i, value in enumerate(values):
        k = bisect.bisect_right(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[k] = value
            tail_index[k] = i
        previous[i] = tail_index[k - 1] if k else -1
    kept = []
    i = tail_index[-1]
    while i >= 0:
        kept.append(i)
        i = previous[i]
    return np.array(kept[::-1], dtype=np.int64)


def device_distance(
    track: Track,
    dist: FloatArray | None,
    summary_distance: float | None,
    notes: list[dict[str, Any]],
) -> None:
    """Set the track's device distance from what the file vouches for, with notes.

    The points' own cumulative distance counts first (the increases, so a counter that
    restarts at a lap adds up); a summary total only when the points carry none, and it
    is mentioned when far above what the points cover. Either is checked against the
    GPS path where both exist.
    """
    summary = float(summary_distance) if summary_distance and summary_distance > 0 else None
    if dist is not None and np.isfinite(dist).sum() >= 2:
        steps = _increases(dist)
        covered = float(steps.sum())
        track.dist = np.concatenate(([0.0], np.cumsum(steps)))
        track.device_distance_m = covered
        limit = covered * SUMMARY_OVER_POINTS_RATIO + SUMMARY_OVER_POINTS_MARGIN_M
        if summary is not None and summary > limit:
            notes.append(
                note("summary_distance", summary_m=round(summary), points_m=round(covered))
            )
    elif summary is not None:
        track.device_distance_m = summary
        steps = None
    else:
        return
    if not track.has_gps:
        return
    device_m, path_m = _device_and_path(track, steps)
    if device_m is not None and device_m > path_m * DEVICE_OVER_PATH_RATIO + (
        DEVICE_OVER_PATH_MARGIN_M
    ):
        notes.append(note("device_distance_high", device_m=round(device_m), path_m=round(path_m)))


def _increases(dist: FloatArray) -> FloatArray:
    """Per step, how much the device's cumulative distance grew (0 where it did not)."""
    ok = np.isfinite(dist)
    idx = np.where(ok, np.arange(dist.size), 0)
    np.maximum.accumulate(idx, out=idx)
    filled = dist[idx]
    filled[: np.argmax(ok)] = dist[np.argmax(ok)]
    return np.maximum(np.diff(filled), 0.0)


def _device_and_path(track: Track, steps: FloatArray | None) -> tuple[float | None, float]:
    """The device's and the GPS path's distance over the stretches both vouch for."""
    # The steps between fixes, kept for the summary and the GPS-jump check (a segment
    # break's step is not counted here).
    fixed, path = fix_steps(track)
    gaps = np.diff(track.t[fixed])
    covered = gaps <= PATH_CHECK_MAX_GAP_S
    if track.segment is not None:
        covered &= np.diff(track.segment[fixed]) == 0
    if steps is not None:
        cumulative = np.concatenate(([0.0], np.cumsum(steps)))[fixed]
        return float(np.diff(cumulative)[covered].sum()), float(path[covered].sum())
    # A summary total alone is checked only where the fixes cover nearly the whole time.
    span = float(track.t[-1] - track.t[0])
    if span <= 0 or float(gaps[covered].sum()) < 0.9 * span:
        return None, 0.0
    return track.device_distance_m, float(path[covered].sum())
