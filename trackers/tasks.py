"""Background jobs of the trackers. Each is safe to run twice; a job the rate budget
turns away is put back in the queue for the window that has room."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from trackers import services, strava
from trackers.errors import RateLimited, TrackerError
from trackers.limits import Budget
from trackers.models import Connection, Provider, TrackedActivity, TrackedState, WebhookEvent

RETRY_DELAY = 60  # seconds, when Strava does not answer
# Spread within a window, so the jobs of one window do not all start at its first second.
JITTER_S = 5.0


def _later(delay: float) -> float:
    return delay + random.uniform(0, JITTER_S)  # spreading, not security


def schedule_fetch(task, tracked_id: int) -> None:
    delay = Budget().reserve(2)
    if delay <= 0:
        task(tracked_id)
    else:
        task.schedule((tracked_id,), delay=_later(delay))


@db_task()
def apply_event_task(event_id: int) -> None:
    services.apply_event(event_id)


@db_task()
def fetch_task(tracked_id: int) -> None:
    try:
        services.fetch(tracked_id, strava.Client())
    except RateLimited as limited:
        # Booked again in the first window with room, not crowding the next one.
        delay = max(limited.retry_after, Budget().reserve(2))
        fetch_task.schedule((tracked_id,), delay=_later(delay))
    except TrackerError:
        fetch_task.schedule((tracked_id,), delay=_later(RETRY_DELAY))


@db_task()
def backfill_task(connection_id: int, page: int = 1) -> None:
    try:
        more = services.backfill_page(connection_id, page, strava.Client())
    except RateLimited as limited:
        backfill_task.schedule((connection_id, page), delay=_later(limited.retry_after))
        return
    except TrackerError as error:
        if error.code != "token_revoked":
            backfill_task.schedule((connection_id, page), delay=_later(RETRY_DELAY))
        return
    if more:
        backfill_task(connection_id, page + 1)


def sync_now(connection: Connection) -> None:
    """The participant asks: look again for new activities, and try again the failed."""
    failed = TrackedActivity.objects.filter(
        connection=connection, state=TrackedState.FAILED
    ).exclude(reason="token_revoked")
    for tracked in failed:
        tracked.state = TrackedState.PENDING
        tracked.attempts = 0
        tracked.save(update_fields=["state", "attempts"])
        schedule_fetch(fetch_task, tracked.pk)
    backfill_task(connection.pk)


@db_periodic_task(crontab(minute="*/10"))
def resume_lost_work() -> None:
    """Events never applied and fetches never run (a worker died, the queue was
    flushed) are taken up again: no event is lost."""
    now = timezone.now()
    for event_id in WebhookEvent.objects.filter(
        processed_at__isnull=True, received_at__lt=now - timedelta(minutes=5)
    ).values_list("pk", flat=True)[:1000]:
        apply_event_task(event_id)
    from trackers import garmin_tasks

    for tracked_id, provider in TrackedActivity.objects.filter(
        state=TrackedState.PENDING, updated_at__lt=now - timedelta(hours=48)
    ).values_list("pk", "provider")[:1000]:
        TrackedActivity.objects.filter(pk=tracked_id).update(updated_at=now)
        if provider == Provider.GARMIN:
            garmin_tasks.schedule_fetch(garmin_tasks.fetch_task, tracked_id)
        else:
            schedule_fetch(fetch_task, tracked_id)
