"""Telling people: the choice each made, the in-app list and the outbox.

``deliver`` is the one door every sweep goes through: for each event it looks up
whether the person wants it on the site and by e-mail (their ``Preference``, else
the kind's default), and writes a ``Notification`` and an ``Email`` row. Both are
unique per person, kind and key, and written with ``ignore_conflicts``: a sweep run
again, or two at once, adds nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core import signing
from django.db import transaction
from django.utils import timezone, translation

from campaigns.services import mark_notices_read
from core.models import Notice
from notifications.kinds import KINDS, Kind, Message
from notifications.models import Email, Notification, Preference

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


@dataclass
class Event:
    user_id: int
    kind: str
    key: str
    campaign_id: int | None = None
    params: dict = field(default_factory=dict)
    link: str = ""


# ------------------------------------------------------------------ preferences


@dataclass
class Choice:
    kind: Kind
    email: bool
    in_app: bool


def choices(user) -> list[Choice]:
    """The person's choice for every kind, the defaults where they have not chosen."""
    stored = {p.kind: p for p in Preference.objects.filter(user=user)}
    out = []
    for kind in KINDS.values():
        pref = stored.get(kind.code)
        out.append(
            Choice(
                kind,
                pref.email if pref else kind.email,
                pref.in_app if pref else kind.in_app,
            )
        )
    return out


def set_choice(user, kind: str, *, email: bool | None = None, in_app: bool | None = None) -> None:
    """Change one kind's channels; the one not given stays as it is."""
    default = KINDS[kind]
    with transaction.atomic():
        pref = Preference.objects.select_for_update().filter(user=user, kind=kind).first()
        current_email = pref.email if pref else default.email
        current_in_app = pref.in_app if pref else default.in_app
        Preference.objects.update_or_create(
            user=user,
            kind=kind,
            defaults={
                "email": current_email if email is None else email,
                "in_app": current_in_app if in_app is None else in_app,
            },
        )


def _wanted(kind: str, user_ids: set[int]) -> tuple[set[int], set[int]]:
    """Of ``user_ids``, who wants ``kind`` by e-mail and who on the site."""
    default = KINDS[kind]
    email = set(user_ids) if default.email else set()
    in_app = set(user_ids) if default.in_app else set()
    for user_id, by_email, on_site in Preference.objects.filter(
        kind=kind, user_id__in=user_ids
    ).values_list("user_id", "email", "in_app"):
        (email.add if by_email else email.discard)(user_id)
        (in_app.add if on_site else in_app.discard)(user_id)
    return email, in_app


# ------------------------------------------------------------------ delivering


def deliver(events: Iterable[Event], *, now: datetime | None = None) -> int:
    """Write each event as the person wants it. Returns how many events were given
    (already told or not): the rows themselves keep each one once."""
    now = now or timezone.now()
    by_kind: dict[str, list[Event]] = {}
    for event in events:
        by_kind.setdefault(event.kind, []).append(event)
    given = 0
    for kind, batch in by_kind.items():
        for start in range(0, len(batch), 1000):
            chunk = batch[start : start + 1000]
            email, in_app = _wanted(kind, {e.user_id for e in chunk})
            fields = [
                {
                    "user_id": e.user_id,
                    "kind": e.kind,
                    "key": e.key,
                    "campaign_id": e.campaign_id,
                    "params": e.params,
                    "link": e.link,
                    "created_at": now,
                }
                for e in chunk
            ]
            Notification.objects.bulk_create(
                [Notification(**f) for f in fields if f["user_id"] in in_app],
                ignore_conflicts=True,
            )
            Email.objects.bulk_create(
                [Email(**f) for f in fields if f["user_id"] in email], ignore_conflicts=True
            )
            given += len(chunk)
    return given


# ------------------------------------------------------------------ reading


def message_of(row: Notification | Email, language: str | None = None) -> Message:
    """The row's words in ``language`` (default: the active one)."""
    kind = KINDS[row.kind]
    with translation.override(language or translation.get_language()):
        return kind.render(row.params, row.campaign)


@dataclass
class Item:
    """One line of the bell's page: a notification, or a notice another app left the
    person (an organiser's decision on their activity, an answered complaint, a tracker
    that needs reconnecting, a report that is ready: ``core.notices``)."""

    source: str  # "notification" or "notice": the form field that marks it read
    pk: int
    title: str
    summary: str
    link: str
    created_at: datetime
    read_at: datetime | None


def unread_count(user) -> int:
    return (
        Notification.objects.filter(user=user, read_at__isnull=True).count()
        + Notice.objects.filter(user=user, read_at__isnull=True).count()
    )


def recent(user, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(user=user).select_related("campaign")[:limit])


def inbox(user, limit: int = 50) -> list[Item]:
    """The person's latest notifications and notices together, newest first, each in
    the active language (a notice was written in the person's language when it came)."""
    items = []
    for row in recent(user, limit):
        message = message_of(row)
        items.append(
            Item(
                "notification",
                row.pk,
                message.title,
                message.summary,
                row.link,
                row.created_at,
                row.read_at,
            )
        )
    for notice in Notice.objects.filter(user=user)[:limit]:
        items.append(
            Item(
                "notice",
                notice.pk,
                notice.title,
                notice.body,
                notice.url,
                notice.created_at,
                notice.read_at,
            )
        )
    items.sort(key=lambda item: (item.created_at, item.pk), reverse=True)
    return items[:limit]


def mark_read(
    user,
    notification_id: int | None = None,
    now: datetime | None = None,
    *,
    notice_id: int | None = None,
) -> int:
    """Mark one of the person's notifications or notices read, or (neither given) all."""
    now = now or timezone.now()
    if notice_id is not None:
        return mark_notices_read(user, notice_id, now)
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        return rows.filter(pk=notification_id).update(read_at=now)
    return rows.update(read_at=now) + mark_notices_read(user, now=now)


# ------------------------------------------------------------------ unsubscribing


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A signed token that turns off one kind's e-mail for one person, no login needed.
    It does not expire: an old e-mail's link still works."""
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if kind not in KINDS or not isinstance(user_id, int):
        return None
    return user_id, kind
