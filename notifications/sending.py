"""The outbox: e-mails go out in batches, at most ``NOTIFICATIONS_EMAILS_PER_MINUTE``
a minute (the ``send_emails`` job runs once a minute and sends one batch).

Each row is claimed by a conditional update (``claimed_at`` from empty), so two
workers never send one twice; a row whose worker died is claimed again after
``CLAIM_TIMEOUT``. An e-mail is written when it is sent, in the person's language
of that moment, as plain text with an HTML alternative, and carries the
List-Unsubscribe and List-Unsubscribe-Post headers of RFC 8058: a mail program's
"unsubscribe" button turns off that kind of e-mail in one click, without a login."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from notifications import services
from notifications.kinds import KINDS
from notifications.models import Email

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_ATTEMPTS = 5


def waiting():
    return Email.objects.filter(sent_at__isnull=True, dropped="")


def claim(limit: int, now: datetime) -> list[int]:
    """Up to ``limit`` waiting e-mails, oldest first, each claimed by this worker."""
    waiting().filter(claimed_at__lt=now - CLAIM_TIMEOUT).update(claimed_at=None)
    candidates = waiting().filter(claimed_at__isnull=True).order_by("id")
    claimed = []
    for pk in candidates.values_list("pk", flat=True)[: limit * 2]:
        if len(claimed) >= limit:
            break
        if Email.objects.filter(pk=pk, claimed_at__isnull=True, sent_at__isnull=True).update(
            claimed_at=now
        ):
            claimed.append(pk)
    return claimed


def unsubscribe_url(user_id: int, kind: str) -> str:
    token = services.unsubscribe_token(user_id, kind)
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[token])


def build(email: Email) -> EmailMultiAlternatives:
    """The e-mail as its reader reads it: their language, both parts, the headers."""
    user = email.user
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        message = services.message_of(email)
        unsubscribe = unsubscribe_url(user.pk, email.kind)
        context = {
            "user": user,
            "message": message,
            "kind": KINDS[email.kind],
            "action_url": settings.SITE_URL + email.link if email.link else "",
            "links": [(label, settings.SITE_URL + path) for label, path in message.links],
            "unsubscribe_url": unsubscribe,
            "settings_url": settings.SITE_URL + reverse("notifications:settings"),
            "PLATFORM_NAME": settings.PLATFORM_NAME,
            "SITE_URL": settings.SITE_URL,
            "LANGUAGE_CODE": language,
        }
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
    mail = EmailMultiAlternatives(
        subject=message.title,
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    mail.attach_alternative(html, "text/html")
    return mail


def _drop_reason(email: Email) -> str:
    user = email.user
    if not user.is_active or user.deleted_at is not None or not user.email:
        return "no recipient"
    pref = {c.kind.code: c for c in services.choices(user)}[email.kind]
    if not pref.email:
        return "turned off"
    return ""


def send_batch(limit: int | None = None, now: datetime | None = None) -> int:
    """Send one batch; returns how many went. A mail server that fails leaves the
    rest for the next minute's batch; an e-mail that fails ``MAX_ATTEMPTS`` times
    is given up."""
    limit = settings.NOTIFICATIONS_EMAILS_PER_MINUTE if limit is None else limit
    now = now or timezone.now()
    ids = claim(limit, now)
    if not ids:
        return 0
    sent = 0
    connection = get_connection()
    rows = Email.objects.filter(pk__in=ids).select_related("user", "campaign").order_by("id")
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        log.warning("mail server unreachable: %s", error)
        Email.objects.filter(pk__in=ids).update(claimed_at=None)
        return 0
    try:
        for email in rows:
            reason = _drop_reason(email)
            if reason:
                Email.objects.filter(pk=email.pk).update(dropped=reason)
                continue
            try:
                connection.send_messages([build(email)])
            except (smtplib.SMTPException, OSError) as error:
                attempts = email.attempts + 1
                log.warning("notification e-mail %s failed: %s", email.pk, error)
                Email.objects.filter(pk=email.pk).update(
                    attempts=attempts,
                    claimed_at=None,
                    dropped=str(error)[:200] if attempts >= MAX_ATTEMPTS else "",
                )
                continue
            Email.objects.filter(pk=email.pk).update(sent_at=timezone.now())
            sent += 1
    finally:
        connection.close()
    return sent
