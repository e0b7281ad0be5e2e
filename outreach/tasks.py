"""Background jobs of outreach tasks; safe to run twice (each reminder is
claimed by inserting its row first)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from outreach import services


@db_periodic_task(crontab(minute="7"))
def send_outreach_reminders() -> None:
    """Every hour: remind the units whose task is due in the next days."""
    services.send_due_reminders()
