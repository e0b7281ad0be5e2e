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
) -> bytes:
    """A GPX 1.1 track of `km` kilometres at an even `pace_s_per_km`, starting at
    `start` (aware) and going round a loop of `loop_km` around (lat, lon)."""
    speed = 1000.0 / pace_s_per_km
    total_m = km * 1000.0
    radius = loop_km * 1000.0 / (2 * math.pi)
    n = max(2, int(math.ceil(total_m / speed / step_s)) + 1)
    points = []
    for i in range(n):
        travelled = min(i * step_s * speed, total_m)
        angle = math.radians(heading_deg) + travelled / radius
        north = radius * math.sin(angle)
        east = radius * (1 - math.cos(angle))
        p_lat = lat + math.degrees(north / EARTH_R)
        p_lon = lon + math.degrees(east / (EARTH_R * math.cos(math.radians(lat))))
        ele = 2.0 + 1.5 * math.sin(travelled / 400.0)
        moment = (start + timedelta(seconds=travelled / speed)).astimezone(UTC)
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        points.append(
            f'<trkpt lat="{p_lat:.7f}" lon="{p_lon:.7f}"><ele>{ele:.1f}</ele>'
            f"<time>{stamp}</time></trkpt>"
        )
    body = "".join(points)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<gpx version="1.1" creator="{creator}" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><type>{sport}</type><trkseg>{body}</trkseg></trk></gpx>"
    ).encode()


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in Vietnam time (UTC+7, no daylight saving)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)
