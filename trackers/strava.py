"""Strava's API as KindSteps uses it: OAuth 2.0, one athlete's activities and their
streams, the webhook subscription. Shapes as in https://developers.strava.com/docs/reference/
and https://developers.strava.com/docs/authentication/ ; every call goes through the
shared rate budget (trackers/limits.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import requests
from django.conf import settings

from trackers.errors import RateLimited, TrackerError
from trackers.limits import Budget

TIMEOUT = (5, 20)
STREAM_KEYS = ("time", "latlng", "distance", "altitude", "heartrate", "cadence")
# Strava's sport_type (or the older type) → ours; the rest is not a walk or a run.
SPORTS = {
    "Walk": "walk",
    "Hike": "walk",
    "Run": "run",
    "TrailRun": "run",
    "VirtualRun": "run",
}
BASE_SCOPES = ("read", "activity:read")
PRIVATE_SCOPE = "activity:read_all"

_session = requests.Session()


def activity_url(activity_id: str | int) -> str:
    """The activity on Strava, for its owner's "View on Strava" link."""
    return f"https://www.strava.com/activities/{int(activity_id)}"


def configured() -> bool:
    return bool(settings.STRAVA_CLIENT_ID and settings.STRAVA_CLIENT_SECRET)


def authorize_url(redirect_uri: str, state: str, *, private: bool) -> str:
    scopes = [*BASE_SCOPES, *([PRIVATE_SCOPE] if private else [])]
    query = {
        "client_id": settings.STRAVA_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "approval_prompt": "auto",
        "scope": ",".join(scopes),
        "state": state,
    }
    return f"{settings.STRAVA_OAUTH_URL}/authorize?{urlencode(query)}"


def sport_of(activity: dict) -> str:
    return SPORTS.get(activity.get("sport_type") or activity.get("type") or "", "other")


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class Client:
    """Calls to Strava for one deployment; `budget` decides when each may go out."""

    def __init__(self, budget: Budget | None = None, session: requests.Session | None = None):
        self.budget = budget or Budget()
        self.session = session or _session
        self._held = 0

    def hold(self, calls: int) -> None:
        """Take the budget for the next `calls` at once (an activity's detail and streams),
        so a fetch is never cut between its two calls and made again."""
        wait = self.budget.take(calls)
        if wait:
            raise RateLimited(wait)
        self._held += calls

    def _send(self, method: str, url: str, *, token: str = "", **kwargs) -> requests.Response:
        if self._held:
            self._held -= 1
        else:
            wait = self.budget.take()
            if wait:
                raise RateLimited(wait)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = self.session.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise TrackerError(str(exc)) from exc
        self.budget.observe(response.headers, response.status_code)
        if response.status_code == 429:
            raise RateLimited(self.budget.wait_after_429())
        if response.status_code == 400:
            raise TrackerError("bad request", status=400)
        if response.status_code == 401:
            raise TrackerError("unauthorized", code="token_revoked", status=401)
        if response.status_code == 403:
            raise TrackerError("forbidden", code="private", status=403)
        if response.status_code == 404:
            raise TrackerError("not found", code="not_found", status=404)
        if response.status_code >= 400:
            raise TrackerError(f"Strava answered {response.status_code}", status=502)
        return response

    def _api(self, path: str) -> str:
        return f"{settings.STRAVA_API_URL}{path}"

    # --- OAuth -------------------------------------------------------------------
    def exchange_code(self, code: str) -> dict:
        """POST /oauth/token with the code: tokens, expiry and the athlete."""
        return self._send(
            "POST",
            f"{settings.STRAVA_OAUTH_URL}/token",
            data={
                "client_id": settings.STRAVA_CLIENT_ID,
                "client_secret": settings.STRAVA_CLIENT_SECRET,
                "code": code,
                "grant_type": "authorization_code",
            },
        ).json()

    def refresh(self, refresh_token: str) -> dict:
        return self._send(
            "POST",
            f"{settings.STRAVA_OAUTH_URL}/token",
            data={
                "client_id": settings.STRAVA_CLIENT_ID,
                "client_secret": settings.STRAVA_CLIENT_SECRET,
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
            },
        ).json()

    def deauthorize(self, access_token: str) -> None:
        self._send(
            "POST", f"{settings.STRAVA_OAUTH_URL}/deauthorize", data={"access_token": access_token}
        )

    # --- Activities ----------------------------------------------------------------
    def activity(self, token: str, activity_id: str) -> dict:
        return self._send("GET", self._api(f"/activities/{activity_id}"), token=token).json()

    def streams(self, token: str, activity_id: str) -> dict:
        """GET /activities/{id}/streams?keys=…&key_by_type=true: {"time": {"data": [...]}, …}."""
        return self._send(
            "GET",
            self._api(f"/activities/{activity_id}/streams"),
            token=token,
            params={"keys": ",".join(STREAM_KEYS), "key_by_type": "true"},
        ).json()

    def activities(self, token: str, *, after: int, before: int, page: int, per_page: int = 100):
        """GET /athlete/activities: SummaryActivity list, newest last within the page."""
        return self._send(
            "GET",
            self._api("/athlete/activities"),
            token=token,
            params={"after": after, "before": before, "page": page, "per_page": per_page},
        ).json()

    # --- Webhook subscription (one per application) ------------------------------
    def _app(self) -> dict:
        return {
            "client_id": settings.STRAVA_CLIENT_ID,
            "client_secret": settings.STRAVA_CLIENT_SECRET,
        }

    def create_subscription(self, callback_url: str) -> dict:
        return self._send(
            "POST",
            self._api("/push_subscriptions"),
            data={
                **self._app(),
                "callback_url": callback_url,
                "verify_token": settings.STRAVA_WEBHOOK_VERIFY_TOKEN,
            },
        ).json()

    def view_subscriptions(self) -> list:
        return self._send("GET", self._api("/push_subscriptions"), params=self._app()).json()

    def delete_subscription(self, subscription_id: int) -> None:
        self._send(
            "DELETE", self._api(f"/push_subscriptions/{subscription_id}"), params=self._app()
        )
