"""Connecting a tracker, bringing its activities through the activities pipeline,
and following what changes on the tracker afterwards.

Every webhook event is a hint, recorded once (`record_event`) and applied in the
background (`apply_event`): an event older than the last one applied to the same
activity changes nothing, and a repeated one is the same row. An activity is fetched
with its owner's token, so an event nobody sent from Strava cannot bring data in.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities import review
from activities.models import Activity, Source, Verdict
from activities.pipeline import process_upload, receive
from campaigns.models import Registration, RegistrationStatus
from campaigns.rules import merged_rules
from core.audit import log_action
from core.errors import DomainError
from core.formatting import km_text
from core.notices import notify
from trackers import strava
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
from trackers.tcx import strava_tcx

log = logging.getLogger(__name__)

# A token is refreshed when it has less than this left (Strava's last six hours).
REFRESH_BEFORE = timedelta(hours=1)
# A transient failure (Strava down) is tried again this many times.
MAX_ATTEMPTS = 5
BACKFILL_PAGE = 100


class ConnectError(DomainError):
    code = "connect_error"


# --- Connecting -------------------------------------------------------------------


def connect(user, code: str, granted_scope: str, client: strava.Client) -> Connection:
    """The participant came back from Strava's consent page with a code."""
    scopes = [scope for scope in granted_scope.split(",") if scope]
    if "activity:read" not in scopes and "activity:read_all" not in scopes:
        raise ConnectError(_("You did not allow KindSteps to read your activities."), code="denied")
    tokens = client.exchange_code(code)
    athlete_id = str(tokens["athlete"]["id"])
    if account_taken(user, Provider.STRAVA, athlete_id):
        raise ConnectError(
            _("This Strava account is already connected to another KindSteps account."),
            code="taken",
        )
    connection = store_connection(
        user,
        Provider.STRAVA,
        athlete_id,
        scopes=scopes,
        access=tokens["access_token"],
        refresh=tokens["refresh_token"],
        expires_at=datetime.fromtimestamp(int(tokens["expires_at"]), UTC),
    )
    from trackers.tasks import backfill_task

    connection_id = connection.pk
    transaction.on_commit(lambda: backfill_task(connection_id))
    return connection


def account_taken(user, provider: str, account_id: str) -> bool:
    """Whether the tracker's account is connected to another KindSteps account."""
    return (
        Connection.objects.filter(provider=provider, account_id=account_id)
        .exclude(user=user)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .exists()
    )


def store_connection(
    user,
    provider: str,
    account_id: str,
    *,
    scopes: list[str],
    access: str,
    refresh: str,
    expires_at: datetime | None,
) -> Connection:
    """The person's connection to ``provider``, active with these tokens (sealed), made
    or renewed in one transaction that also lets go of the same account's disconnected
    connection of somebody else; audited. The caller queues its backfill after commit."""
    values = {
        "account_id": account_id,
        "scopes": ",".join(scopes),
        "status": ConnectionStatus.ACTIVE,
        "access_token": seal(access),
        "refresh_token": seal(refresh),
        "expires_at": expires_at,
        "connected_at": timezone.now(),
        "last_error": "",
        "backfill_done_at": None,
    }
    with transaction.atomic():
        Connection.objects.filter(provider=provider, account_id=account_id).exclude(
            user=user
        ).delete()
        connection, _created = Connection.objects.update_or_create(
            user=user, provider=provider, defaults=values
        )
        log_action("trackers.connected", connection, actor=user, data={"scopes": connection.scopes})
    return connection


def access_token(connection: Connection, client) -> str:
    """A valid access token, refreshed (and stored) when it is about to expire."""
    if not connection.is_active:
        raise TrackerError("not connected", code="token_revoked")
    token = unseal(connection.access_token)
    if token and connection.expires_at and connection.expires_at - timezone.now() > REFRESH_BEFORE:
        return token
    refresh = unseal(connection.refresh_token)
    if not refresh:
        _broken(connection, "token_revoked")
        raise TrackerError("no refresh token", code="token_revoked")
    try:
        tokens = client.refresh(refresh)
    except TrackerError as error:
        if error.code in ("token_revoked", "private") or error.status == 400:
            _broken(connection, "token_revoked")
            raise TrackerError("refresh refused", code="token_revoked") from error
        raise
    connection.access_token = seal(tokens["access_token"])
    connection.refresh_token = seal(tokens.get("refresh_token") or refresh)
    # Strava answers when it expires, Garmin in how many seconds.
    connection.expires_at = (
        datetime.fromtimestamp(int(tokens["expires_at"]), UTC)
        if tokens.get("expires_at")
        else timezone.now() + timedelta(seconds=int(tokens.get("expires_in") or 0))
    )
    connection.save(update_fields=["access_token", "refresh_token", "expires_at"])
    return tokens["access_token"]


def _broken(connection: Connection, code: str) -> None:
    connection.status = ConnectionStatus.BROKEN
    _failed(connection, code)
    connection.save(update_fields=["status"])


def _failed(connection: Connection, code: str) -> None:
    connection.last_error = code
    connection.last_error_at = timezone.now()
    Connection.objects.filter(pk=connection.pk).update(
        last_error=code, last_error_at=connection.last_error_at
    )


def disconnect(connection: Connection, client: strava.Client, *, actor) -> None:
    """The participant disconnects: Strava is told, tokens and Strava's data go."""
    token = unseal(connection.access_token)
    if token and connection.is_active:
        try:
            client.deauthorize(token)
        except TrackerError:
            log.info("Strava deauthorize failed for %s; forgetting anyway", connection)
    forget(connection, actor=actor, reason="disconnected")


def forget(connection: Connection, *, actor=None, reason: str = "deauthorized") -> None:
    """Delete the tokens and what Strava's terms ask us not to keep once access ends
    (docs/decisions/0032-strava-deauthorisation.md): the stored file, the map, the chart
    and the title. KindSteps' own verdict (its date, distance and credit) stays, so the
    campaign's totals do not change behind the participant's back."""
    with transaction.atomic():
        connection.access_token = connection.refresh_token = ""
        connection.expires_at = None
        connection.status = ConnectionStatus.DISCONNECTED
        connection.save(update_fields=["access_token", "refresh_token", "expires_at", "status"])
        for tracked in connection.tracked.select_related("activity__upload__stored_file"):
            if tracked.activity is not None:
                _erase_details(tracked.activity)
            tracked.name = ""
            tracked.save(update_fields=["name"])
        log_action("trackers.forgotten", connection, actor=actor, data={"reason": reason})


def _erase_details(activity: Activity) -> None:
    upload = activity.upload
    activity.upload = None
    activity.track = []
    activity.public_track = []
    activity.series = {}
    activity.device = ""
    activity.source_url = ""
    activity.save(
        update_fields=["upload", "track", "public_track", "series", "device", "source_url"]
    )
    if upload is None:
        return
    stored = upload.stored_file
    upload.delete()
    if not stored.uploads.exists():
        name = stored.content.name
        stored.delete()
        if name:
            stored.content.storage.delete(name)


# --- Which window to bring in ---------------------------------------------------


def campaign_window(user, now: datetime | None = None) -> tuple[datetime, datetime] | None:
    """From the earliest open campaign start (or registration) to now: the activities
    a backfill brings. Campaigns closed longer ago than their grace are left alone."""
    now = now or timezone.now()
    starts = []
    for registration in Registration.objects.filter(
        user=user, status=RegistrationStatus.ACTIVE
    ).select_related("campaign"):
        campaign = registration.campaign
        grace = timedelta(hours=merged_rules(campaign.rules)["close_grace_hours"])
        if campaign.ends_at + grace < now or campaign.starts_at > now:
            continue
        starts.append(max(campaign.starts_at, registration.registered_at))
    if not starts:
        return None
    return min(starts), now


# --- Webhook events ---------------------------------------------------------------


def record_event(payload: dict) -> WebhookEvent | None:
    """Keep one event as Strava posted it (https://developers.strava.com/docs/webhooks/);
    None for a repeat. Raises ValueError for what is not an event."""
    try:
        object_type = str(payload["object_type"])
        aspect = str(payload["aspect_type"])
        event_time = datetime.fromtimestamp(int(payload["event_time"]), UTC)
        object_id = str(int(payload["object_id"]))
        owner_id = str(int(payload["owner_id"]))
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise ValueError("not a Strava event") from exc
    if object_type not in ("activity", "athlete") or aspect not in ("create", "update", "delete"):
        raise ValueError("not a Strava event")
    updates = payload.get("updates") if isinstance(payload.get("updates"), dict) else {}
    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(
                provider=Provider.STRAVA,
                object_type=object_type,
                object_id=object_id,
                aspect=aspect,
                owner_id=owner_id,
                event_time=event_time,
                updates=updates,
            )
    except IntegrityError:
        return None


def apply_event(event_id: int) -> str:
    """Apply one recorded event, once. Returns its outcome."""
    with transaction.atomic():
        event = (
            WebhookEvent.objects.select_for_update()
            .filter(pk=event_id, processed_at__isnull=True)
            .first()
        )
        if event is None:
            return "done"
        if event.provider == Provider.GARMIN:
            from trackers import garmin_services

            outcome = garmin_services.apply(event)
        else:
            outcome = _apply(event)
        event.processed_at = timezone.now()
        event.outcome = outcome
        event.save(update_fields=["processed_at", "outcome"])
    return outcome


def _apply(event: WebhookEvent) -> str:
    connection = Connection.objects.filter(
        provider=Provider.STRAVA, account_id=event.owner_id
    ).first()
    if connection is None or not connection.is_active:
        return "unknown_athlete"
    if event.object_type == "athlete":
        if str(event.updates.get("authorized", "")).lower() == "false":
            forget(connection)
            _failed(connection, "deauthorized")
            return "deauthorized"
        return "ignored"
    tracked, created = TrackedActivity.objects.get_or_create(
        provider=Provider.STRAVA,
        external_id=event.object_id,
        defaults={"connection": connection, "event_time": event.event_time},
    )
    if tracked.connection_id != connection.pk:
        return "other_athlete"
    if not created and tracked.event_time and event.event_time < tracked.event_time:
        return "stale"
    tracked.event_time = event.event_time
    if event.aspect == "create":
        if not created and tracked.state != TrackedState.PENDING:
            tracked.save(update_fields=["event_time"])
            return "already_known"
        tracked.reached_provider_at = event.event_time
        tracked.state = TrackedState.PENDING
        tracked.save()
        queue_fetch(tracked)
        return "queued"
    if event.aspect == "delete":
        withdraw(tracked, "not_found")
        return "withdrawn"
    return _apply_update(tracked, event.updates)


def _apply_update(tracked: TrackedActivity, updates: dict) -> str:
    """Title, type and privacy, as Strava's update events carry them."""
    fields = ["event_time", "updated_at"]
    tracked.updated_at = timezone.now()
    if "title" in updates:
        tracked.name = str(updates["title"])[:255]
        fields.append("name")
    private = str(updates.get("private", "")).lower()
    if private == "true" and not tracked.connection.counts_private:
        tracked.save(update_fields=fields)
        withdraw(tracked, "private")
        return "withdrawn"
    new_type = updates.get("type") or updates.get("sport_type")
    if new_type:
        tracked.sport_type = str(new_type)[:32]
        fields.append("sport_type")
    tracked.save(update_fields=fields)
    sport = strava.SPORTS.get(tracked.sport_type, "other") if tracked.sport_type else ""
    activity = tracked.activity
    if activity is not None and sport and sport != activity.sport:
        review.change_sport(activity, sport, user=activity.user)
        return "rejudged"
    could_count = private == "false" or (sport and sport != "other")
    if (
        activity is None
        and could_count
        and tracked.state
        in (
            TrackedState.SKIPPED,
            TrackedState.WITHDRAWN,
        )
    ):
        tracked.state = TrackedState.PENDING
        tracked.save(update_fields=["state"])
        queue_fetch(tracked)
        return "queued"
    return "updated"


def withdraw(tracked: TrackedActivity, reason: str) -> None:
    """The activity and its credit leave every campaign (activities.review.delete_activity
    recounts the person's line); the Strava record stays to say why."""
    activity = tracked.activity
    tracked.activity = None
    tracked.state = TrackedState.WITHDRAWN
    tracked.reason = reason
    tracked.updated_at = timezone.now()
    tracked.save(update_fields=["activity", "state", "reason", "updated_at"])
    if activity is not None:
        review.delete_activity(activity, user=activity.user)


def queue_fetch(tracked: TrackedActivity) -> None:
    """Book the two calls (detail, streams) in the rate budget and queue the fetch."""
    from trackers.tasks import fetch_task, schedule_fetch

    tracked_id = tracked.pk
    transaction.on_commit(lambda: schedule_fetch(fetch_task, tracked_id))


# --- Bringing one activity in -----------------------------------------------------


def fetch(tracked_id: int, client: strava.Client) -> str:
    """Fetch a pending activity and send it down the pipeline. Raises RateLimited
    (the caller puts it back in the queue); anything else ends up on the page."""
    tracked = (
        TrackedActivity.objects.select_related("connection__user")
        .filter(pk=tracked_id, state=TrackedState.PENDING)
        .first()
    )
    if tracked is None:
        return "done"
    connection = tracked.connection
    if connection.status == ConnectionStatus.DISCONNECTED:
        return _skip(tracked, "disconnected")
    try:
        return _fetch(tracked, connection, client)
    except RateLimited:
        _failed(connection, "rate_limited")
        raise
    except TrackerError as error:
        return fetch_failed(tracked, connection, error, skipped=("private", "not_found"))


def fetch_failed(
    tracked: TrackedActivity,
    connection: Connection,
    error: TrackerError,
    *,
    skipped: tuple[str, ...] = (),
) -> str:
    """An activity the provider would not give: a revoked token breaks the connection;
    a provider's own error is raised again for the queue to retry, up to MAX_ATTEMPTS;
    anything else (or the last try) leaves the activity failed, or skipped for the
    ``skipped`` codes, with its reason shown to the participant. Returns the reason."""
    tracked.attempts += 1
    if error.code == "token_revoked":
        _broken(connection, "token_revoked")
    elif error.code == "provider_error" and tracked.attempts < MAX_ATTEMPTS:
        tracked.save(update_fields=["attempts"])
        raise error
    tracked.state = TrackedState.SKIPPED if error.code in skipped else TrackedState.FAILED
    tracked.reason = error.code
    tracked.updated_at = timezone.now()
    tracked.save(update_fields=["state", "reason", "attempts", "updated_at"])
    _failed(connection, error.code)
    return error.code


def _skip(tracked: TrackedActivity, reason: str) -> str:
    tracked.state = TrackedState.SKIPPED
    tracked.reason = reason
    tracked.updated_at = timezone.now()
    tracked.save(update_fields=["state", "reason", "name", "sport_type", "updated_at"])
    return reason


def _fetch(tracked: TrackedActivity, connection: Connection, client: strava.Client) -> str:
    token = access_token(connection, client)
    client.hold(2)
    detail = client.activity(token, tracked.external_id)
    tracked.name = (detail.get("name") or "")[:255]
    tracked.sport_type = (detail.get("sport_type") or detail.get("type") or "")[:32]
    sport = strava.sport_of(detail)
    if detail.get("private") and not connection.counts_private:
        return _skip(tracked, "private")
    if sport == "other":
        return _skip(tracked, "not_walk_or_run")
    if detail.get("manual"):
        return _skip(tracked, "manual_entry")
    start = strava.parse_time(detail.get("start_date"))
    if start is None or not detail.get("elapsed_time"):
        return _skip(tracked, "no_data")
    streams = client.streams(token, tracked.external_id)
    now = timezone.now()
    end = start + timedelta(seconds=int(detail["elapsed_time"]))
    # The 72-hour rule reads when it reached Strava (docs/trackers.md).
    reached = max(end, tracked.reached_provider_at or end)
    tracked.reached_provider_at = reached
    tracked.reached_us_at = now
    received = receive(
        connection.user,
        strava_tcx(detail, streams),
        f"strava-{tracked.external_id}.tcx",
        source=Source.STRAVA,
        sport=sport,
        received_at=reached,
        process=False,
    )
    upload = process_upload(received.pk)
    ids = [pk for result in (upload.results if upload else []) for pk in result["activities"]]
    if not ids:
        code = (upload.results[0].get("error") if upload and upload.results else "") or ""
        return _skip(tracked, "duplicate" if code == "already_uploaded_by_other" else "unreadable")
    activity = Activity.objects.get(pk=ids[0])
    activity.source_url = strava.activity_url(tracked.external_id)
    activity.save(update_fields=["source_url"])
    tracked.activity = activity
    tracked.state = TrackedState.IMPORTED
    tracked.reason = ""
    tracked.updated_at = now
    tracked.save()
    Connection.objects.filter(pk=connection.pk).update(last_sync_at=now, last_error="")
    _tell(activity)
    return "imported"


def _tell(activity: Activity, provider: str = Provider.STRAVA) -> None:
    verdicts = list(Verdict.objects.filter(activity=activity).select_related("campaign"))
    if verdicts:
        body = _("Open it to see how each campaign judged it.")
    else:
        body = _("It is outside the dates of your campaigns.")
    title = (
        _("Your activity from Garmin arrived: %(distance)s")
        if provider == Provider.GARMIN
        else _("Your activity from Strava arrived: %(distance)s")
    )
    notify(
        activity.user,
        "trackers.activity_judged",
        title=title,
        body=body,
        url=reverse("activities:detail", args=[activity.pk]),
        params={"distance": km_text(activity.distance_m)},
    )


# --- Backfill ---------------------------------------------------------------------


def backfill_page(connection_id: int, page: int, client: strava.Client) -> bool:
    """Book the walks and runs of one page of the athlete's list in the campaign window;
    True when there is another page."""
    connection = Connection.objects.select_related("user").get(pk=connection_id)
    window = campaign_window(connection.user)
    if window is None or not connection.is_active:
        _backfill_done(connection)
        return False
    after, before = window
    token = access_token(connection, client)
    summaries = client.activities(
        token,
        after=int(after.timestamp()),
        before=int(before.timestamp()),
        page=page,
        per_page=BACKFILL_PAGE,
    )
    for summary in summaries:
        if strava.sport_of(summary) == "other" or summary.get("manual"):
            continue
        if summary.get("private") and not connection.counts_private:
            continue
        start = strava.parse_time(summary.get("start_date"))
        end = start + timedelta(seconds=int(summary.get("elapsed_time") or 0)) if start else None
        tracked, created = TrackedActivity.objects.get_or_create(
            provider=Provider.STRAVA,
            external_id=str(summary["id"]),
            defaults={
                "connection": connection,
                "name": (summary.get("name") or "")[:255],
                "sport_type": (summary.get("sport_type") or "")[:32],
                "reached_provider_at": end,
            },
        )
        if created:
            queue_fetch(tracked)
    if len(summaries) < BACKFILL_PAGE:
        _backfill_done(connection)
        return False
    return True


def _backfill_done(connection: Connection) -> None:
    Connection.objects.filter(pk=connection.pk).update(
        backfill_done_at=timezone.now(), last_sync_at=timezone.now()
    )
