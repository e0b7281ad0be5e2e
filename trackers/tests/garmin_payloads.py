"""Garmin's answers and notifications, shaped as the public evidence shows them.

Garmin's own partner documents (the Activity API and OAuth 2.0 PKCE specifications of the
Garmin Connect Developer Program) are given to approved partners only; the public
marketing page https://developer.garmin.com/gc-developer-program/activity-api/ says no
more than "ping/pull or push" and "FIT files". The shapes below are therefore taken from
the best public evidence, each named (docs/decisions/0051-garmin-activity-api.md):

- OAuth 2.0 PKCE, authorize at https://connect.garmin.com/oauth2Confirm (client_id,
  response_type=code, redirect_uri, code_challenge, code_challenge_method=S256, state) and
  the token at https://diauth.garmin.com/di-oauth2-service/oauth/token (grant_type,
  client_id, client_secret, code, code_verifier, redirect_uri): the open-source
  the-momentum/open-wearables, backend/app/services/providers/garmin/oauth.py, and
  GoFast-Athlete-Training/gofastbackendv2-fall2025, docs/GARMIN_OAUTH_FLOW.md (request
  and answer). The answer's fields (access_token, token_type, refresh_token, expires_in,
  scope, jti, refresh_token_expires_in): strautomator/core, src/garmin/types.ts
  (OAuth2Token).
- GET https://apis.garmin.com/wellness-api/rest/user/id → {"userId": ...}, GET
  …/user/permissions → ["ACTIVITY_EXPORT", ...], DELETE …/user/registration → 204, and
  the backfill GET …/backfill/activities?summaryStartTimeInSeconds=&summaryEndTimeInSeconds=
  (202; 30 days at most; 409 for a window already asked): a public digest of the partner
  specifications (Activity API 1.2.3) found in public source ("Garmin — Endpoints"), and
  open-wearables, backend/app/services/providers/garmin/backfill.py.
- The `activityFiles` ping (userId, summaryId, activityId, activityName, fileType "FIT",
  callbackURL https://apis.garmin.com/wellness-api/rest/activityFile?id=…&token=…,
  startTimeInSeconds), `deregistrations` [{userId}] and `userPermissionsChange`
  [{userId, permissions, changeTimeInSeconds}]: strautomator/core, src/garmin/types.ts
  and src/garmin/webhooks.ts; open-wearables, handlers/lifecycle.py and data_247.py
  (fileType FIT, callbackURL). The callback URL is valid 24 hours for one download, a
  second answers 410 (the endpoints digest, "Activity API §7.4").
- The `activities` push (summaryId, activityId, activityType "RUNNING"/"WALKING",
  startTimeInSeconds, startTimeOffsetInSeconds, durationInSeconds, distanceInMeters,
  averageSpeedInMetersPerSecond, activeKilocalories, deviceName, manual): the endpoints
  digest's example answer, and open-wearables' push handler
  (backend/app/api/routes/v1/garmin_webhooks.py).
- The `garmin-client-id` header on every notification: open-wearables, garmin_webhooks.py.
"""

from __future__ import annotations

import math
from datetime import datetime

from activities.tests.fitfiles import SEMICIRCLES, SPORTS, FitWriter, fit_time

API = "https://apis.garmin.com"
AUTHORIZE = "https://connect.garmin.com/oauth2Confirm"
TOKEN = "https://diauth.garmin.com/di-oauth2-service/oauth/token"
USER_ID = "d3315b1072421d0dd7c8f6b8e1de4df8"
CLIENT_ID = "856b6502-0fed-48fb-9e60-643c299fb3b7"
HEADERS = {"garmin-client-id": CLIENT_ID}


def token_response(access: str = "garmin-access", refresh: str = "garmin-refresh") -> dict:
    return {
        "access_token": access,
        "token_type": "bearer",
        "refresh_token": refresh,
        "expires_in": 86399,
        "scope": "PARTNER_WRITE PARTNER_READ CONNECT_READ CONNECT_WRITE",
        "jti": "e2b4cc5c-1a4c-4a3b-9f55-0a8d1c7e5f10",
        "refresh_token_expires_in": 7775999,
    }


def permissions(*names: str) -> list[str]:
    return list(names or ("ACTIVITY_EXPORT", "HEALTH_EXPORT"))


def file_url(activity_id: int, token: str = "AAAAAGk4RnlcJ3B1") -> str:
    return f"{API}/wellness-api/rest/activityFile?id={activity_id}&token={token}"


def activity_file_ping(
    activity_id: int,
    start: datetime,
    *,
    user_id: str = USER_ID,
    token: str = "AAAAAGk4RnlcJ3B1",
    activity_type: str = "WALKING",
    callback: str | None = None,
) -> dict:
    return {
        "activityFiles": [
            {
                "userId": user_id,
                "summaryId": f"{activity_id}-file",
                "activityId": activity_id,
                "activityName": "Đi bộ Cần Đước",
                "activityType": activity_type,
                "fileType": "FIT",
                "callbackURL": callback or file_url(activity_id, token),
                "startTimeInSeconds": int(start.timestamp()),
                "manual": False,
            }
        ]
    }


def activities_push(
    activity_id: int,
    start: datetime,
    *,
    activity_type: str = "WALKING",
    distance_m: float = 3000.0,
    duration_s: int = 2160,
    manual: bool = False,
) -> dict:
    return {
        "activities": [
            {
                "userId": USER_ID,
                "summaryId": str(activity_id),
                "activityId": activity_id,
                "activityName": "Đi bộ Cần Đước",
                "activityType": activity_type,
                "startTimeInSeconds": int(start.timestamp()),
                "startTimeOffsetInSeconds": 25200,
                "durationInSeconds": duration_s,
                "distanceInMeters": distance_m,
                "averageSpeedInMetersPerSecond": distance_m / duration_s,
                "activeKilocalories": 180,
                "deviceName": "forerunner55",
                "manual": manual,
            }
        ]
    }


def deregistration(user_id: str = USER_ID) -> dict:
    return {"deregistrations": [{"userId": user_id}]}


def permissions_change(*names: str, when: int = 1_700_000_000) -> dict:
    return {
        "userPermissionsChange": [
            {
                "userId": USER_ID,
                "summaryId": f"x{when}",
                "permissions": list(names),
                "changeTimeInSeconds": when,
            }
        ]
    }


def walk_fit(start: datetime, distance_m: float = 3000.0, elapsed_s: int = 2160) -> bytes:
    """The FIT file a Forerunner writes for a walk: a loop around Cần Đước at an even
    pace, one record every 5 seconds, one session."""
    writer = FitWriter()
    t0 = fit_time(start.timestamp())
    writer.add("file_id", type=4, manufacturer=1, product=3869, time_created=t0)
    radius = 2000.0 / (2 * math.pi)
    for t in range(0, elapsed_s + 1, 5):
        d = distance_m * t / elapsed_s
        angle = d / radius
        north, east = radius * math.sin(angle), radius * (1 - math.cos(angle))
        lat = 10.6035 + math.degrees(north / 6371008.8)
        lon = 106.6712 + math.degrees(east / (6371008.8 * math.cos(math.radians(10.6035))))
        writer.add(
            "record",
            timestamp=t0 + t,
            position_lat=int(lat * SEMICIRCLES),
            position_long=int(lon * SEMICIRCLES),
            altitude=2.0,
            heart_rate=110,
            distance=round(d, 2),
        )
    writer.add(
        "session",
        timestamp=t0 + elapsed_s,
        start_time=t0,
        sport=SPORTS["walking"],
        total_elapsed_time=elapsed_s,
        total_distance=distance_m,
    )
    return writer.encode()
