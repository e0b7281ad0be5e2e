"""A Strava activity (its detail and streams) written as a TCX file, which the
activities pipeline reads like any watch's file: the same track, rules and verdicts.

The time stream is seconds from `start_date`; distance is Strava's own cumulative
distance, kept as the device distance; an activity without streams (indoor, a
treadmill) is one lap of its elapsed time and distance.
"""

from __future__ import annotations

from datetime import timedelta
from xml.sax.saxutils import escape

from trackers.strava import parse_time

TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"


def _stamp(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _data(streams: dict, key: str) -> list:
    stream = streams.get(key) or {}
    return list(stream.get("data") or [])


def strava_tcx(detail: dict, streams: dict) -> bytes:
    start = parse_time(detail["start_date"])
    assert start is not None
    sport = (
        "Running"
        if detail.get("sport_type", detail.get("type")) in ("Run", "TrailRun")
        else "Other"
    )
    times = _data(streams, "time")
    latlng = _data(streams, "latlng")
    dist = _data(streams, "distance")
    alt = _data(streams, "altitude")
    hr = _data(streams, "heartrate")
    points = []
    for i, offset in enumerate(times):
        parts = [f"<Time>{_stamp(start + timedelta(seconds=offset))}</Time>"]
        if i < len(latlng) and latlng[i]:
            lat, lon = latlng[i]
            parts.append(
                f"<Position><LatitudeDegrees>{lat:.7f}</LatitudeDegrees>"
                f"<LongitudeDegrees>{lon:.7f}</LongitudeDegrees></Position>"
            )
        if i < len(alt) and alt[i] is not None:
            parts.append(f"<AltitudeMeters>{alt[i]:.1f}</AltitudeMeters>")
        if i < len(dist) and dist[i] is not None:
            parts.append(f"<DistanceMeters>{dist[i]:.1f}</DistanceMeters>")
        if i < len(hr) and hr[i]:
            parts.append(f"<HeartRateBpm><Value>{int(hr[i])}</Value></HeartRateBpm>")
        points.append(f"<Trackpoint>{''.join(parts)}</Trackpoint>")
    device = escape(detail.get("device_name") or "Strava")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<TrainingCenterDatabase xmlns="{TCX_NS}"><Activities>'
        f'<Activity Sport="{sport}"><Id>{_stamp(start)}</Id>'
        f"<Notes>Strava activity {int(detail['id'])}</Notes>"
        f'<Lap StartTime="{_stamp(start)}">'
        f"<TotalTimeSeconds>{float(detail.get('elapsed_time') or 0):.1f}</TotalTimeSeconds>"
        f"<DistanceMeters>{float(detail.get('distance') or 0):.1f}</DistanceMeters>"
        f"<Track>{''.join(points)}</Track></Lap>"
        f"<Creator><Name>{device}</Name></Creator>"
        "</Activity></Activities></TrainingCenterDatabase>"
    ).encode()
