"""The notification jobs (huey crontabs are in UTC; Vietnam is UTC+7).

- every 10 minutes: verdicts, campaigns that started, frozen results, certificates made;
- every morning at 08:00 in Vietnam: the last-days and the sync reminders;
- every Monday at 09:00 in Vietnam: the weekly digest;
- every minute: one batch of e-mails, at most NOTIFICATIONS_EMAILS_PER_MINUTE.

Each sweep is idempotent (notifications.sweeps); the e-mails are claimed one by one
(notifications.sending)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from notifications import sending, sweeps


@db_periodic_task(crontab(minute="*/10"))
@lock_task("notifications-sweep")
def sweep_events() -> None:
    sweeps.verdicts()
    sweeps.campaign_starts()
    sweeps.results()
    sweeps.certificates()


# 01:00 UTC is 08:00 in Vietnam: a reminder read over breakfast, the day still ahead.
@db_periodic_task(crontab(hour="1", minute="0"))
@lock_task("notifications-morning")
def morning_reminders() -> None:
    sweeps.last_days()
    sweeps.sync_reminders()


@db_periodic_task(crontab(day_of_week="1", hour="2", minute="0"))
@lock_task("notifications-digest")
def monday_digest() -> None:
    sweeps.digests()


@db_periodic_task(crontab(minute="*"))
@lock_task("notifications-send")
def send_emails() -> None:
    sending.send_batch()
