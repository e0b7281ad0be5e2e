"""Background jobs of the whole site. The worker is ``manage.py run_huey``
(``make demo`` starts one); huey finds this module by its name.

Huey evaluates crontabs in UTC: Vietnam is UTC+7, so 20:30 UTC is 03:30 there,
the quietest hour of a campaign day."""

import time
from importlib import import_module

from django.conf import settings
from django.core.mail import send_mail
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, periodic_task, task

from core.health import record_heartbeat

# Jobs that talk to the outside world (SMTP now; payment and tracker APIs later)
# try again a few times, a minute apart, before they give up.
OUTSIDE_RETRIES = 3
OUTSIDE_RETRY_DELAY = 60  # seconds


@db_periodic_task(crontab(hour="20", minute="30"))
def purge_expired_sessions() -> None:
    """Delete expired login sessions, which Django never removes by itself."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()


@task(retries=OUTSIDE_RETRIES, retry_delay=OUTSIDE_RETRY_DELAY)
def send_email(
    subject: str, message: str, recipients: list[str], from_email: str | None = None
) -> int:
    """Send one plain-text e-mail; an unreachable mail server is retried."""
    return send_mail(subject, message, from_email, recipients)


@periodic_task(crontab(minute="*"))
def queue_heartbeat() -> None:
    """Once a minute, queue a heartbeat that measures how long it waits behind the other
    jobs (/healthz and /metrics report it; core.health)."""
    heartbeat(time.time())


@task()
def heartbeat(sent_at: float) -> None:
    record_heartbeat(sent_at)
