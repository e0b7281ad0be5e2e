"""Strava's answers, shaped as its published API reference shows them:

- token exchange and refresh: https://developers.strava.com/docs/authentication/
  (POST https://www.strava.com/oauth/token → token_type, expires_at, expires_in,
  refresh_token, access_token, athlete)
- DetailedActivity: https://developers.strava.com/docs/reference/#api-Activities-getActivityById
- StreamSet (key_by_type=true): https://developers.strava.com/docs/reference/#api-Streams-getActivityStreams
- SummaryActivity list: https://developers.strava.com/docs/reference/#api-Activities-getLoggedInAthleteActivities
- webhook events and the subscription check: https://developers.strava.com/docs/webhooks/
- rate-limit headers: https://developers.strava.com/docs/rate-limits
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

API = "https://www.strava.com/api/v3"
OAUTH = "https://www.strava.com/oauth"
ATHLETE_ID = 134815
HEADERS = {
    "X-RateLimit-Limit": "200,2000",
    "X-RateLimit-Usage": "4,67",
    "X-ReadRateLimit-Limit": "100,1000",
    "X-ReadRateLimit-Usage": "3,40",
}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def token_response(
    *, expires_at: int, access: str = "a4b945687g", refresh: str = "e5n567567"
) -> dict:
    return {
        "token_type": "Bearer",
        "expires_at": expires_at,
        "expires_in": 21600,
        "refresh_token": refresh,
        "access_token": access,
        "athlete": {
            "id": ATHLETE_ID,
            "username": "lmanh",
            "resource_state": 2,
            "firstname": "Minh Anh",
            "lastname": "Lê",
            "city": "Cần Đước",
            "state": "Long An",
            "country": "Vietnam",
            "sex": "F",
            "premium": False,
            "summit": False,
            "created_at": "2017-11-14T02:30:05Z",
            "updated_at": "2018-02-06T19:32:20Z",
            "badge_type_id": 0,
            "profile_medium": "https://example.org/medium.jpg",
            "profile": "https://example.org/large.jpg",
            "friend": None,
            "follower": None,
        },
    }


def refresh_response(*, expires_at: int, access: str, refresh: str) -> dict:
    return {
        "token_type": "Bearer",
        "access_token": access,
        "expires_at": expires_at,
        "expires_in": 21600,
        "refresh_token": refresh,
    }


def activity(
    activity_id: int,
    start: datetime,
    *,
    distance_m: float = 3000.0,
    elapsed_s: int = 2160,
    sport_type: str = "Walk",
    private: bool = False,
    manual: bool = False,
    name: str = "Đi bộ buổi sáng",
) -> dict:
    """A DetailedActivity (the fields KindSteps reads, and their neighbours)."""
    return {
        "id": activity_id,
        "resource_state": 3,
        "external_id": f"garmin_push_{activity_id}",
        "upload_id": activity_id * 10,
        "athlete": {"id": ATHLETE_ID, "resource_state": 1},
        "name": name,
        "distance": distance_m,
        "moving_time": elapsed_s - 60,
        "elapsed_time": elapsed_s,
        "total_elevation_gain": 4.0,
        "type": sport_type,
        "sport_type": sport_type,
        "start_date": _iso(start),
        "start_date_local": _iso(start).replace("Z", ""),
        "timezone": "(GMT+07:00) Asia/Ho_Chi_Minh",
        "utc_offset": 25200,
        "start_latlng": [10.6035, 106.6712],
        "end_latlng": [10.6036, 106.6713],
        "achievement_count": 0,
        "kudos_count": 3,
        "comment_count": 0,
        "athlete_count": 1,
        "photo_count": 0,
        "map": {
            "id": f"a{activity_id}",
            "polyline": "",
            "resource_state": 3,
            "summary_polyline": "",
        },
        "trainer": False,
        "commute": False,
        "manual": manual,
        "private": private,
        "visibility": "only_me" if private else "everyone",
        "flagged": False,
        "gear_id": None,
        "average_speed": distance_m / max(elapsed_s - 60, 1),
        "max_speed": 2.1,
        "has_heartrate": True,
        "device_name": "Garmin Forerunner 55",
        "calories": 180,
    }


def summary(activity_id: int, start: datetime, **kwargs) -> dict:
    """A SummaryActivity as the athlete's list gives it."""
    detail = activity(activity_id, start, **kwargs)
    detail["resource_state"] = 2
    for key in ("calories", "device_name"):
        detail.pop(key)
    return detail


def streams(distance_m: float = 3000.0, elapsed_s: int = 2160, step_s: int = 5) -> dict:
    """A StreamSet keyed by type: a loop of `distance_m` around Cần Đước at an even pace."""
    n = elapsed_s // step_s + 1
    radius = 2000.0 / (2 * math.pi)
    times, latlng, dist, alt, hr = [], [], [], [], []
    for i in range(n):
        t = min(i * step_s, elapsed_s)
        d = distance_m * t / elapsed_s
        angle = d / radius
        north, east = radius * math.sin(angle), radius * (1 - math.cos(angle))
        lat = 10.6035 + math.degrees(north / 6371008.8)
        lon = 106.6712 + math.degrees(east / (6371008.8 * math.cos(math.radians(10.6035))))
        times.append(t)
        latlng.append([round(lat, 7), round(lon, 7)])
        dist.append(round(d, 1))
        alt.append(round(2.0 + math.sin(d / 400), 1))
        hr.append(110)

    def stream(data, series_type="distance"):
        return {"data": data, "series_type": series_type, "original_size": n, "resolution": "high"}

    return {
        "time": stream(times),
        "latlng": stream(latlng),
        "distance": stream(dist),
        "altitude": stream(alt),
        "heartrate": stream(hr),
    }


def event(aspect: str, object_id: int, event_time: int, *, updates=None, object_type="activity"):
    return {
        "aspect_type": aspect,
        "event_time": event_time,
        "object_id": object_id,
        "object_type": object_type,
        "owner_id": ATHLETE_ID,
        "subscription_id": 120475,
        "updates": updates or {},
    }
