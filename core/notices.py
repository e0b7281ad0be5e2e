"""In-app notices, and the e-mail that goes with the important ones. Texts are
rendered in the recipient's preferred language, not the sender's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from core.models import Notice
from core.tasks import send_email

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def notify(
    user,
    code: str,
    *,
    title: StrOrPromise,
    body: StrOrPromise = "",
    url: str = "",
    params: dict | None = None,
) -> Notice:
    """Create a notice. ``title`` and ``body`` may be lazy translations with
    ``%(name)s`` placeholders filled from ``params`` in the recipient's language."""
    params = params or {}
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        # A callable param (e.g. ``lambda: campaign.title``) is read in that language too.
        values = {key: value() if callable(value) else value for key, value in params.items()}
        title_text = str(title) % values if values else str(title)
        body_text = (str(body) % values if values else str(body)) if body else ""
    return Notice.objects.create(user=user, code=code, title=title_text, body=body_text, url=url)


def send_templated_mail(user, template: str, context: dict) -> None:
    """Send ``<template>_subject.txt`` / ``<template>_message.txt`` to ``user`` in
    their language, after the surrounding transaction commits."""
    language = user.preferred_language or settings.LANGUAGE_CODE

    def _send() -> None:
        with translation.override(language):
            ctx = {"user": user, "SITE_URL": settings.SITE_URL, **context}
            subject = render_to_string(f"{template}_subject.txt", ctx).strip()
            message = render_to_string(f"{template}_message.txt", ctx)
        # Through the job queue, which retries when the mail server is away.
        send_email(subject, message, [user.email])

    transaction.on_commit(_send)
