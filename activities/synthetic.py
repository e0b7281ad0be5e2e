"""Made-up but realistic GPX tracks, for the demo campaign and for tests that
need an effort of a given length, pace and time."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

EARTH_R = 6371008.8


def gpx_track(
    start: datetime,
    km: float,
    pace_s_per_km: float,
    *,
    sport: str = "running",
    lat: float = 10.6035,
    lon: float = 106.6712,
    step_s: float = 5.0,
    heading_deg: float = 0.0,
    loop_km: float = 2.0,
    creator: str = "KindSteps synthetic",
    parts: list[tuple[float, float]] | None = None,
    jump_after_s: float | None = None,
) -> bytes:
    """A GPX 1.1 track of `km` kilometres at an even `pace_s_per_km` (or of `parts`,
    each (km, pace)), starting at `start` (aware) and going round a loop of
    `loop_km` around (lat, lon). `jump_after_s` throws one point 150 m off course,
    the way a lost GPS fix does."""
    parts = parts or [(km, pace_s_per_km)]
    radius = loop_km * 1000.0 / (2 * math.pi)
    points = []
    clock = 0.0
    travelled = 0.0
    for part_km, pace in parts:
        speed = 1000.0 / pace
        part_end = travelled + part_km * 1000.0
        while True:
            points.append((clock, travelled))
            if travelled >= part_end - 1e-6:
                break
            step = min(step_s, (part_end - travelled) / speed)
            clock += step
            travelled = min(part_end, travelled + step * speed)
    rendered = []
    jumped = False
    for clock, travelled in points:
        angle = math.radians(heading_deg) + travelled / radius
        north = radius * math.sin(angle)
        east = radius * (1 - math.cos(angle))
        if jump_after_s is not None and not jumped and clock >= jump_after_s:
            north += 150.0
            jumped = True
        p_lat = lat + math.degrees(north / EARTH_R)
        p_lon = lon + math.degrees(east / (EARTH_R * math.cos(math.radians(lat))))
        ele = 2.0 + 1.5 * math.sin(travelled / 400.0)
        moment = (start + timedelta(seconds=clock)).astimezone(UTC)
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        rendered.append(
            f'<trkpt lat="{p_lat:.7f}" lon="{p_lon:.7f}"><ele>{ele:.1f}</ele>'
            f"<time>{stamp}</time></trkpt>"
        )
    body = "".join(rendered)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<gpx version="1.1" creator="{creator}" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><type>{sport}</type><trkseg>{body}</trkseg></trk></gpx>"
    ).encode()


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in Vietnam time (UTC+7, no daylight saving)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)
