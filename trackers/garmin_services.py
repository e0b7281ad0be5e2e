"""Garmin Connect, connected: the OAuth 2.0 (PKCE) link, Garmin's notifications and the
FIT files they point at, brought through the same activities pipeline as an upload.

Like Strava's events (trackers/services.py), every notification is a hint recorded once
(`record_notifications`) and applied in the background (`apply`): a repeated one is the
same row and changes nothing, a file is fetched with its owner's token and only from
Garmin's own host, and a deregistration is believed only once Garmin itself no longer
accepts the participant's token (docs/decisions/0052-garmin-deregistration.md).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from activities.pipeline import process_upload, receive
from trackers import garmin
from trackers.crypto import seal, unseal
from trackers.errors import RateLimited, TrackerError
from trackers.models import (
    Connection,
    ConnectionStatus,
    Provider,
    TrackedActivity,
    TrackedState,
    WebhookEvent,
)
from trackers.services import (
    ConnectError,
    _failed,
    _skip,
    _tell,
    access_token,
    account_taken,
    campaign_window,
    fetch_failed,
    forget,
    store_connection,
)

log = logging.getLogger(__name__)

FILE, SUMMARY = "activityFile", "activity"
USER = "user"
DEREGISTER, PERMISSIONS = "deregister", "permissions"


# --- Connecting -------------------------------------------------------------------


def _expiry(tokens: dict) -> datetime:
    return timezone.now() + timedelta(seconds=int(tokens.get("expires_in") or 0))


def connect(user, code: str, verifier: str, redirect_uri: str, client: garmin.Client):
    """The participant came back from Garmin's consent page with a code."""
    tokens = client.exchange_code(code, verifier, redirect_uri)
    token = tokens["access_token"]
    garmin_id = client.user_id(token)
    try:
        permissions = client.permissions(token)
    except TrackerError:
        permissions = None  # asked again when Garmin tells us of a change
    if permissions is not None and garmin.ACTIVITY_EXPORT not in permissions:
        raise ConnectError(_("You did not allow KindSteps to read your activities."), code="denied")
    if account_taken(user, Provider.GARMIN, garmin_id):
        raise ConnectError(
            _("This Garmin account is already connected to another KindSteps account."),
            code="taken",
        )
    connection = store_connection(
        user,
        Provider.GARMIN,
        garmin_id,
        scopes=permissions or [garmin.ACTIVITY_EXPORT],
        access=token,
        refresh=tokens.get("refresh_token") or "",
        expires_at=_expiry(tokens),
    )
    from trackers.garmin_tasks import backfill_task

    connection_id = connection.pk
    transaction.on_commit(lambda: backfill_task(connection_id))
    return connection


def disconnect(connection: Connection, client: garmin.Client, *, actor) -> None:
    """The participant disconnects: Garmin is told (the registration is deleted), then
    tokens and Garmin's data go as on a deregistration."""
    if connection.is_active:
        try:
            client.deregister(access_token(connection, client))
        except TrackerError:
            log.info("Garmin deregistration failed for %s; forgetting anyway", connection)
    forget(connection, actor=actor, reason="disconnected")


# --- Notifications ------------------------------------------------------------------


def _items(payload: dict, key: str) -> list[dict]:
    value = payload.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _now_second() -> datetime:
    return timezone.now().replace(microsecond=0)


def _activity_key(item: dict) -> str:
    """The activity's id: a file ping and a summary push of one activity share its
    activityId (the summaryId of a file and of a summary need not be the same)."""
    value = item.get("activityId") or item.get("summaryId")
    if value in (None, ""):
        raise ValueError("no activity id")
    return str(value)[:64]


def _record(**fields) -> WebhookEvent | None:
    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(provider=Provider.GARMIN, **fields)
    except IntegrityError:
        return None


def record_notifications(payload: dict) -> list[WebhookEvent]:
    """Keep each notification of one POST (a ping or a push may carry several kinds at
    once); the events to apply. Raises ValueError for a body that is not Garmin's."""
    if not isinstance(payload, dict):
        raise ValueError("not a Garmin notification")
    events: list[WebhookEvent] = []
    known = False
    for item in _items(payload, "activityFiles"):
        known = True
        try:
            owner, key = str(item["userId"]), _activity_key(item)
        except (KeyError, ValueError):
            continue
        url = str(item.get("callbackURL") or "")
        updates = {
            "callback": seal(url),
            "fileType": str(item.get("fileType") or ""),
            "activityType": str(item.get("activityType") or ""),
            "activityName": str(item.get("activityName") or "")[:255],
            "manual": bool(item.get("manual")),
            "startTimeInSeconds": item.get("startTimeInSeconds"),
        }
        when = garmin.from_seconds(item.get("startTimeInSeconds")) or _now_second()
        event = _record(
            object_type=FILE,
            object_id=key,
            aspect="create",
            owner_id=owner,
            event_time=when,
            updates=updates,
        )
        if event is None:
            event = _renewed(key, when, url, updates)
        if event is not None:
            events.append(event)
    for item in _items(payload, "activities"):
        known = True
        try:
            owner, key = str(item["userId"]), _activity_key(item)
        except (KeyError, ValueError):
            continue
        fields = (
            "activityType",
            "activityName",
            "startTimeInSeconds",
            "durationInSeconds",
            "distanceInMeters",
            "deviceName",
            "manual",
        )
        event = _record(
            object_type=SUMMARY,
            object_id=key,
            aspect="create",
            owner_id=owner,
            event_time=garmin.from_seconds(item.get("startTimeInSeconds")) or _now_second(),
            updates={name: item.get(name) for name in fields if name in item},
        )
        if event is not None:
            events.append(event)
    for item in _items(payload, "deregistrations"):
        known = True
        if item.get("userId"):
            event = _record(
                object_type=USER,
                object_id=str(item["userId"])[:64],
                aspect=DEREGISTER,
                owner_id=str(item["userId"])[:64],
                event_time=_now_second(),
            )
            if event is not None:
                events.append(event)
    for item in _items(payload, "userPermissionsChange"):
        known = True
        if item.get("userId"):
            permissions = item.get("permissions")
            event = _record(
                object_type=USER,
                object_id=str(item["userId"])[:64],
                aspect=PERMISSIONS,
                owner_id=str(item["userId"])[:64],
                event_time=garmin.from_seconds(item.get("changeTimeInSeconds")) or _now_second(),
                updates={
                    "permissions": [str(p) for p in permissions]
                    if isinstance(permissions, list)
                    else []
                },
            )
            if event is not None:
                events.append(event)
    if not known and not any(isinstance(value, list) for value in payload.values()):
        raise ValueError("not a Garmin notification")
    return events


def _renewed(key: str, when: datetime, url: str, updates: dict) -> WebhookEvent | None:
    """The same file ping again. With the same link it changes nothing; with a new link
    (Garmin sent it again, e.g. after a backfill) the file may be fetched with it, but
    only when it has not been brought in already."""
    with transaction.atomic():
        event = (
            WebhookEvent.objects.select_for_update()
            .filter(provider=Provider.GARMIN, object_type=FILE, object_id=key, event_time=when)
            .first()
        )
        if event is None or unseal(event.updates.get("callback", "")) == url:
            return None
        event.updates = updates
        event.processed_at = None
        event.outcome = ""
        event.save(update_fields=["updates", "processed_at", "outcome"])
        return event


def apply(event: WebhookEvent, client: garmin.Client | None = None) -> str:
    """Apply one recorded Garmin notification (called by services.apply_event)."""
    connection = Connection.objects.filter(
        provider=Provider.GARMIN, account_id=event.owner_id
    ).first()
    if connection is None or not connection.is_active:
        return "unknown_athlete"
    client = client or garmin.Client()
    if event.aspect == DEREGISTER:
        return _deregistered(connection, client)
    if event.aspect == PERMISSIONS:
        return _permissions_changed(connection, event, client)
    tracked, created = TrackedActivity.objects.get_or_create(
        provider=Provider.GARMIN,
        external_id=event.object_id,
        defaults={"connection": connection, "event_time": event.event_time},
    )
    if tracked.connection_id != connection.pk:
        return "other_athlete"
    if event.object_type == SUMMARY:
        return _summary(tracked, event.updates)
    return _file(tracked, event.updates, created)


def _deregistered(connection: Connection, client: garmin.Client) -> str:
    """Believed only when Garmin no longer accepts the token: a late deregistration of
    an earlier link, or one nobody at Garmin sent, does not disconnect anyone."""
    try:
        still = client.user_id(access_token(connection, client)) == connection.account_id
    except TrackerError as error:
        if error.code != "token_revoked":
            raise  # Garmin down or busy: the sweep applies the event again later
        still = False
    if still:
        return "still_authorised"
    forget(connection)
    _failed(connection, "deauthorized")
    return "deauthorized"


def _permissions_changed(connection: Connection, event: WebhookEvent, client) -> str:
    """The permissions Garmin says the participant now shares; asked of Garmin itself
    when it answers, since a notification is only a hint."""
    try:
        permissions = client.permissions(access_token(connection, client))
    except TrackerError as error:
        if error.code != "token_revoked":
            raise
        permissions = []
    if garmin.ACTIVITY_EXPORT not in permissions:
        forget(connection, reason="permission_removed")
        _failed(connection, "permission_removed")
        return "permission_removed"
    Connection.objects.filter(pk=connection.pk).update(scopes=",".join(permissions))
    return "permissions"


def _summary(tracked: TrackedActivity, updates: dict) -> str:
    """A pushed summary: its name, sport and times; the track comes with the file."""
    fields = ["name", "sport_type", "updated_at"]
    tracked.name = str(updates.get("activityName") or tracked.name or "")[:255]
    tracked.sport_type = str(updates.get("activityType") or tracked.sport_type or "")[:32]
    tracked.updated_at = timezone.now()
    start = garmin.from_seconds(updates.get("startTimeInSeconds"))
    if start is not None and tracked.reached_provider_at is None:
        tracked.reached_provider_at = start + timedelta(
            seconds=int(updates.get("durationInSeconds") or 0)
        )
        fields.append("reached_provider_at")
    tracked.save(update_fields=fields)
    if tracked.state != TrackedState.PENDING:
        return "already_known"
    if garmin.sport_of(tracked.sport_type) == "other":
        return _skip(tracked, "not_walk_or_run")
    if updates.get("manual"):
        return _skip(tracked, "manual_entry")
    return "summary"


def _file(tracked: TrackedActivity, updates: dict, created: bool) -> str:
    if not created and tracked.state not in (TrackedState.PENDING, TrackedState.FAILED):
        return "already_known"
    if updates.get("activityName") and not tracked.name:
        tracked.name = str(updates["activityName"])[:255]
    if updates.get("activityType"):
        tracked.sport_type = str(updates["activityType"])[:32]
    tracked.state = TrackedState.PENDING
    tracked.attempts = 0
    tracked.updated_at = timezone.now()
    tracked.save()
    if (updates.get("fileType") or "FIT").upper() != "FIT":
        return _skip(tracked, "unreadable")
    if tracked.sport_type and garmin.sport_of(tracked.sport_type) == "other":
        return _skip(tracked, "not_walk_or_run")
    if updates.get("manual"):
        return _skip(tracked, "manual_entry")
    queue_fetch(tracked)
    return "queued"


def queue_fetch(tracked: TrackedActivity) -> None:
    from trackers.garmin_tasks import fetch_task, schedule_fetch

    tracked_id = tracked.pk
    transaction.on_commit(lambda: schedule_fetch(fetch_task, tracked_id))


# --- Bringing one file in ---------------------------------------------------------


def _file_event(tracked: TrackedActivity) -> WebhookEvent | None:
    return (
        WebhookEvent.objects.filter(
            provider=Provider.GARMIN, object_type=FILE, object_id=tracked.external_id
        )
        .order_by("-received_at", "-pk")
        .first()
    )


def fetch(tracked_id: int, client: garmin.Client) -> str:
    """Download a pending activity's FIT file and send it down the pipeline. Raises
    RateLimited (the caller puts it back in the queue) and, while attempts are left,
    TrackerError for Garmin being down."""
    tracked = (
        TrackedActivity.objects.select_related("connection__user")
        .filter(pk=tracked_id, provider=Provider.GARMIN, state=TrackedState.PENDING)
        .first()
    )
    if tracked is None:
        return "done"
    connection = tracked.connection
    if connection.status == ConnectionStatus.DISCONNECTED:
        return _skip(tracked, "disconnected")
    event = _file_event(tracked)
    if event is None:
        return "waiting_for_file"  # the summary came first; the ping brings the link
    try:
        token = access_token(connection, client)
        data = client.activity_file(token, unseal(event.updates.get("callback", "")))
    except RateLimited:
        _failed(connection, "rate_limited")
        raise
    except TrackerError as error:
        return fetch_failed(tracked, connection, error)
    return _bring_in(tracked, connection, event, data)


def _bring_in(tracked, connection, event: WebhookEvent, data: bytes) -> str:
    now = timezone.now()
    start = garmin.from_seconds(event.updates.get("startTimeInSeconds"))
    # The 72-hour rule reads when it reached Garmin: the ping's arrival, or, for an
    # activity from before the participant connected (sent again by a backfill), its
    # end as the summary gave it, or its start.
    reached = event.received_at
    earlier = tracked.reached_provider_at or start
    if earlier is not None and earlier < connection.connected_at:
        reached = earlier
    tracked.reached_provider_at = reached
    tracked.reached_us_at = now
    sport = garmin.sport_of(tracked.sport_type) if tracked.sport_type else ""
    received = receive(
        connection.user,
        data,
        f"garmin-{tracked.external_id}.fit",
        source=garmin.SOURCE,
        sport=sport if sport != "other" else "",
        received_at=reached,
        process=False,
    )
    upload = process_upload(received.pk)
    ids = [pk for result in (upload.results if upload else []) for pk in result["activities"]]
    if not ids:
        code = (upload.results[0].get("error") if upload and upload.results else "") or ""
        return _skip(tracked, "duplicate" if code == "already_uploaded_by_other" else "unreadable")
    activity = Activity.objects.get(pk=ids[0])
    if TrackedActivity.objects.filter(activity=activity).exclude(pk=tracked.pk).exists():
        return _skip(tracked, "duplicate")
    tracked.activity = activity
    tracked.state = TrackedState.IMPORTED
    tracked.reason = ""
    tracked.updated_at = now
    tracked.save()
    Connection.objects.filter(pk=connection.pk).update(last_sync_at=now, last_error="")
    _tell(activity, Provider.GARMIN)
    return "imported"


# --- Backfill -----------------------------------------------------------------------


def backfill(connection_id: int, client: garmin.Client) -> int:
    """Ask Garmin to send again the activities of the campaign window (30 days a
    request); they arrive later as file pings. Returns the number of requests made."""
    connection = Connection.objects.select_related("user").get(pk=connection_id)
    window = campaign_window(connection.user)
    done = 0
    if window is not None and connection.is_active:
        start, end = window
        token = access_token(connection, client)
        while start < end:
            stop = min(start + garmin.BACKFILL_SPAN, end)
            client.backfill(token, start, stop)
            done += 1
            start = stop
    Connection.objects.filter(pk=connection.pk).update(backfill_done_at=timezone.now())
    return done
