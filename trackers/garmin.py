"""Garmin Connect's Activity API as KindSteps uses it (Garmin Connect Developer Program).

Garmin's partner documents are given to approved partners only; what this module relies
on, and where it was checked, is in docs/trackers.md ("Garmin: the public evidence") and
docs/decisions/0051-garmin-activity-api.md:

- OAuth 2.0 with PKCE (S256): the participant is sent to `oauth2Confirm`, the code is
  exchanged at `diauth.garmin.com/di-oauth2-service/oauth/token` (with the verifier and
  the client secret); access tokens last about a day, refresh tokens about three months.
- `GET /wellness-api/rest/user/id` → {"userId": ...}, the id every notification carries;
  `GET /wellness-api/rest/user/permissions` → ["ACTIVITY_EXPORT", ...];
  `DELETE /wellness-api/rest/user/registration` (204) ends the link from our side.
- Notifications are POSTed to us: `activityFiles` pings with a `callbackURL` to fetch the
  FIT file (valid 24 hours, one download, 410 after), `activities` pushes with the summary,
  `deregistrations` and `userPermissionsChange`.
- `GET /wellness-api/rest/backfill/activities?summaryStartTimeInSeconds=&summaryEndTimeInSeconds=`
  asks Garmin to send the notifications of a past window again (202; at most 30 days a
  request; 409 for a window already asked).

Every call goes through a rate budget of its own (trackers/limits.py, prefix
`trackers:garmin:rate`), the same queue as Strava's.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlparse

import requests
from django.conf import settings

from trackers.errors import RateLimited, TrackerError
from trackers.limits import Budget, Limits

# The activities pipeline's source for a file Garmin sent: the one place it is named.
SOURCE = "garmin"
TIMEOUT = (5, 30)
ACTIVITY_EXPORT = "ACTIVITY_EXPORT"
# Garmin's activityType → ours; everything else is not a walk or a run.
SPORTS = {
    "WALKING": "walk",
    "CASUAL_WALKING": "walk",
    "SPEED_WALKING": "walk",
    "HIKING": "walk",
    "RUNNING": "run",
    "STREET_RUNNING": "run",
    "TRAIL_RUNNING": "run",
    "TRACK_RUNNING": "run",
    "TREADMILL_RUNNING": "run",
    "INDOOR_RUNNING": "run",
    "VIRTUAL_RUN": "run",
    "ULTRA_RUN": "run",
}
# A backfill request covers at most this much (Garmin refuses longer windows).
BACKFILL_SPAN = timedelta(days=30)

_session = requests.Session()


def configured() -> bool:
    return bool(settings.GARMIN_CLIENT_ID and settings.GARMIN_CLIENT_SECRET)


def budget() -> Budget:
    return Budget(
        prefix="trackers:garmin:rate",
        short_s=60,
        day_s=86400,
        defaults=Limits(*settings.GARMIN_RATE_LIMITS),
    )


def pkce_pair() -> tuple[str, str]:
    """A code verifier (RFC 7636: 43–128 characters) and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)[:96]
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(redirect_uri: str, state: str, challenge: str) -> str:
    query = {
        "client_id": settings.GARMIN_CLIENT_ID,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": state,
    }
    return f"{settings.GARMIN_AUTHORIZE_URL}?{urlencode(query)}"


def sport_of(activity_type: str | None) -> str:
    return SPORTS.get((activity_type or "").upper(), "other")


def from_seconds(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlparse(url or "")
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    return parts.scheme, (parts.hostname or "").lower(), port


def is_garmin_url(url: str) -> bool:
    """A callback URL we may follow: on Garmin's API host (HTTPS), nowhere else, so a
    forged ping cannot make us send a participant's token to another address."""
    origin = _origin(url)
    return origin is not None and origin == _origin(settings.GARMIN_API_URL)


class Client:
    """Calls to Garmin for one deployment; `budget` decides when each may go out."""

    def __init__(self, budget_: Budget | None = None, session: requests.Session | None = None):
        self.budget = budget_ or budget()
        self.session = session or _session

    def _send(self, method: str, url: str, *, token: str = "", **kwargs) -> requests.Response:
        wait = self.budget.take()
        if wait:
            raise RateLimited(wait)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = self.session.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise TrackerError(str(exc)) from exc
        if response.status_code == 429:
            self.budget.close_window()
            raise RateLimited(self.budget.wait_after_429())
        if response.status_code in (400, 409):
            raise TrackerError("bad request", status=response.status_code)
        if response.status_code in (401, 403):
            raise TrackerError("unauthorized", code="token_revoked", status=response.status_code)
        if response.status_code == 412:
            raise TrackerError("permission", code="permission_removed", status=412)
        if response.status_code in (404, 410):
            raise TrackerError("gone", code="file_gone", status=response.status_code)
        if response.status_code >= 400:
            raise TrackerError(f"Garmin answered {response.status_code}", status=502)
        return response

    def _api(self, path: str) -> str:
        return f"{settings.GARMIN_API_URL}{path}"

    # --- OAuth 2.0 with PKCE -----------------------------------------------------
    def exchange_code(self, code: str, verifier: str, redirect_uri: str) -> dict:
        """The code for tokens: access_token, refresh_token, expires_in, scope, …"""
        return self._send(
            "POST",
            settings.GARMIN_TOKEN_URL,
            data={
                "grant_type": "authorization_code",
                "client_id": settings.GARMIN_CLIENT_ID,
                "client_secret": settings.GARMIN_CLIENT_SECRET,
                "code": code,
                "code_verifier": verifier,
                "redirect_uri": redirect_uri,
            },
        ).json()

    def refresh(self, refresh_token: str) -> dict:
        return self._send(
            "POST",
            settings.GARMIN_TOKEN_URL,
            data={
                "grant_type": "refresh_token",
                "client_id": settings.GARMIN_CLIENT_ID,
                "client_secret": settings.GARMIN_CLIENT_SECRET,
                "refresh_token": refresh_token,
            },
        ).json()

    # --- The user ----------------------------------------------------------------
    def user_id(self, token: str) -> str:
        return str(
            self._send("GET", self._api("/wellness-api/rest/user/id"), token=token).json()["userId"]
        )

    def permissions(self, token: str) -> list[str]:
        answer = self._send(
            "GET", self._api("/wellness-api/rest/user/permissions"), token=token
        ).json()
        if isinstance(answer, dict):  # some accounts answer {"permissions": [...]}
            answer = answer.get("permissions") or []
        return [str(item) for item in answer]

    def deregister(self, token: str) -> None:
        self._send("DELETE", self._api("/wellness-api/rest/user/registration"), token=token)

    # --- Activities --------------------------------------------------------------
    def activity_file(self, token: str, callback_url: str) -> bytes:
        """The file a ping points at (FIT), downloaded once."""
        if not is_garmin_url(callback_url):
            raise TrackerError("not a Garmin URL", code="file_gone", status=400)
        return self._send("GET", callback_url, token=token).content

    def backfill(self, token: str, start: datetime, end: datetime) -> None:
        """Ask Garmin to send the activities of [start, end) again (202, delivered later
        through the notifications); a window already asked (409) is not an error."""
        try:
            self._send(
                "GET",
                self._api("/wellness-api/rest/backfill/activities"),
                token=token,
                params={
                    "summaryStartTimeInSeconds": int(start.timestamp()),
                    "summaryEndTimeInSeconds": int(end.timestamp()),
                },
            )
        except TrackerError as error:
            if error.status != 409:
                raise
