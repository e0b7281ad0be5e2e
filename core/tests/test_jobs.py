"""The site's jobs, run at once as the test settings ask (``immediate``)."""

from datetime import datetime, timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from huey.contrib.djhuey import HUEY

from core.tasks import purge_expired_sessions, send_email
from kindsteps.testing.clock import NOW


def make_session(expires_in: timedelta) -> str:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["marker"] = "x"
    store.set_expiry(NOW + expires_in)
    store.save()
    return store.session_key


def test_jobs_run_at_once_under_the_test_settings():
    assert HUEY.immediate is True


@pytest.mark.django_db
def test_purge_expired_sessions_deletes_expired_and_keeps_live_ones():
    expired = make_session(timedelta(days=-1))
    live = make_session(timedelta(days=1))

    purge_expired_sessions()

    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()


def test_purge_expired_sessions_is_due_once_a_day_at_half_past_three_in_vietnam():
    # The consumer asks for the periodic tasks due at each minute, in UTC.
    def due_at(hour: int, minute: int) -> bool:
        moment = datetime(2024, 4, 20, hour, minute)
        return any(t.name == "purge_expired_sessions" for t in HUEY.read_periodic(moment))

    due_minutes = [(h, m) for h in range(24) for m in range(60) if due_at(h, m)]
    assert due_minutes == [(20, 30)]  # 20:30 UTC is 03:30 in Asia/Ho_Chi_Minh


def test_send_email_delivers_the_message():
    send_email("Chào bạn", "Cảm ơn bạn đã tham gia.", ["walker@example.org"])

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Chào bạn"
    assert message.body == "Cảm ơn bạn đã tham gia."
    assert message.to == ["walker@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
