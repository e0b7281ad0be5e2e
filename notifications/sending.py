"""The outbox: e-mails go out in batches, at most ``NOTIFICATIONS_EMAILS_PER_MINUTE``
a minute (the ``send_emails`` job runs once a minute and sends one batch).

Each row is claimed by a conditional update (``claimed_at`` from empty), so two
workers never send one twice; a row whose worker died is claimed again after
``CLAIM_TIMEOUT``. An e-mail is written when it is sent, in the person's language
of that moment, as plain text with an HTML alternative, and carries the
List-Unsubscribe and List-Unsubscribe-Post headers of RFC 8058: a mail program's
"unsubscribe" button turns off that kind of e-mail in one click, without a login.

Verdicts are told together: a person whose import of twenty files was judged gets one
e-mail listing each activity not counted or held, with its reasons, not twenty."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from notifications import services
from notifications.kinds import KINDS, VERDICT
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


GROUPED_KINDS = {VERDICT}
GROUP_MAX = 20  # verdicts told in one e-mail at most; more wait for the next one


def _section(email: Email, message) -> dict:
    return {
        "message": message,
        "action_url": settings.SITE_URL + email.link if email.link else "",
        "links": [(label, settings.SITE_URL + path) for label, path in message.links],
    }


def build(email: Email, more: Sequence[Email] = ()) -> EmailMultiAlternatives:
    """The e-mail as its reader reads it: their language, both parts, the headers.
    ``more`` are other e-mails of the same person and kind told in this one (several
    verdicts of one import read as one e-mail, each with its reasons)."""
    user = email.user
    language = user.preferred_language or settings.LANGUAGE_CODE
    group = [email, *more]
    with translation.override(language):
        sections = [_section(row, services.message_of(row)) for row in group]
        if len(group) == 1:
            title = sections[0]["message"].title
        else:
            title = ngettext(
                "%(count)s of your activities: not counted or waiting for review",
                "%(count)s of your activities: not counted or waiting for review",
                len(group),
            ) % {"count": len(group)}
        unsubscribe = unsubscribe_url(user.pk, email.kind)
        context = {
            "user": user,
            "title": title,
            "sections": sections,
            "grouped": len(group) > 1,
            "kind": KINDS[email.kind],
            "unsubscribe_url": unsubscribe,
            "settings_url": settings.SITE_URL + reverse("notifications:settings"),
            "PLATFORM_NAME": settings.PLATFORM_NAME,
            "SITE_URL": settings.SITE_URL,
            "LANGUAGE_CODE": language,
        }
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
    mail = EmailMultiAlternatives(
        subject=title,
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


def _groups(rows: list[Email]) -> list[list[Email]]:
    """The batch's e-mails, one person's of a grouped kind together (at most
    ``GROUP_MAX`` in one), each other one alone; in the order they were written."""
    groups: dict[object, list[Email]] = {}
    for email in rows:
        key = (email.user_id, email.kind) if email.kind in GROUPED_KINDS else email.pk
        groups.setdefault(key, []).append(email)
    return [
        group[start : start + GROUP_MAX]
        for group in groups.values()
        for start in range(0, len(group), GROUP_MAX)
    ]


def _claim_more(email: Email, room: int, now: datetime) -> list[Email]:
    """Up to ``room`` of the person's other waiting e-mails of ``email``'s grouped kind,
    claimed to be told with it."""
    if email.kind not in GROUPED_KINDS or room <= 0:
        return []
    others = (
        waiting()
        .filter(user_id=email.user_id, kind=email.kind, claimed_at__isnull=True)
        .order_by("id")
        .values_list("pk", flat=True)[:room]
    )
    claimed = [
        pk
        for pk in list(others)
        if Email.objects.filter(pk=pk, claimed_at__isnull=True, sent_at__isnull=True).update(
            claimed_at=now
        )
    ]
    return list(
        Email.objects.filter(pk__in=claimed).select_related("user", "campaign").order_by("id")
    )


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
    rows = list(Email.objects.filter(pk__in=ids).select_related("user", "campaign").order_by("id"))
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        log.warning("mail server unreachable: %s", error)
        Email.objects.filter(pk__in=ids).update(claimed_at=None)
        return 0
    try:
        for group in _groups(rows):
            email = group[0]
            reason = _drop_reason(email)  # the same for the whole group: one person, one kind
            if reason:
                Email.objects.filter(pk__in=[row.pk for row in group]).update(dropped=reason)
                continue
            group += _claim_more(email, GROUP_MAX - len(group), now)
            pks = [row.pk for row in group]
            try:
                connection.send_messages([build(email, group[1:])])
            except (smtplib.SMTPException, OSError) as error:
                attempts = email.attempts + 1
                log.warning("notification e-mail %s failed: %s", email.pk, error)
                Email.objects.filter(pk=email.pk).update(
                    attempts=attempts,
                    claimed_at=None,
                    dropped=str(error)[:200] if attempts >= MAX_ATTEMPTS else "",
                )
                Email.objects.filter(pk__in=pks[1:]).update(claimed_at=None)
                continue
            Email.objects.filter(pk__in=pks).update(sent_at=timezone.now())
            sent += 1
    finally:
        connection.close()
    return sent
