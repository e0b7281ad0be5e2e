"""Background jobs of the Garmin connection: the same queue as Strava's (trackers/tasks.py),
each job safe to run twice, put back for the window with room when Garmin's budget (or a
429) turns it away. Notifications are applied by trackers.tasks.apply_event_task."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from trackers import garmin, garmin_services
from trackers.errors import RateLimited, TrackerError
from trackers.models import Connection, TrackedActivity, TrackedState
from trackers.tasks import RETRY_DELAY, _later


def schedule_fetch(task, tracked_id: int) -> None:
    delay = garmin.budget().reserve(2)  # a token refresh at most, and the file
    if delay <= 0:
        task(tracked_id)
    else:
        task.schedule((tracked_id,), delay=_later(delay))


@db_task()
def fetch_task(tracked_id: int) -> None:
    try:
        garmin_services.fetch(tracked_id, garmin.Client())
    except RateLimited as limited:
        delay = max(limited.retry_after, garmin.budget().reserve(2))
        fetch_task.schedule((tracked_id,), delay=_later(delay))
    except TrackerError:
        fetch_task.schedule((tracked_id,), delay=_later(RETRY_DELAY))


@db_task()
def backfill_task(connection_id: int) -> None:
    try:
        garmin_services.backfill(connection_id, garmin.Client())
    except RateLimited as limited:
        backfill_task.schedule((connection_id,), delay=_later(limited.retry_after))
    except TrackerError as error:
        if error.code != "token_revoked":
            backfill_task.schedule((connection_id,), delay=_later(RETRY_DELAY))


def sync_now(connection: Connection) -> None:
    """The participant asks: files that failed are fetched again (Garmin sends a new
    link after the backfill), and the campaign window is asked for again."""
    for tracked in TrackedActivity.objects.filter(
        connection=connection, state=TrackedState.FAILED
    ).exclude(reason__in=("token_revoked", "file_gone")):
        tracked.state = TrackedState.PENDING
        tracked.attempts = 0
        tracked.save(update_fields=["state", "attempts"])
        schedule_fetch(fetch_task, tracked.pk)
    backfill_task(connection.pk)
