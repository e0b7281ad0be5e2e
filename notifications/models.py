"""What participants are told, and how they want to be told.

A notification is one event for one person, named by its ``kind`` (a stable code of
``notifications.kinds.KINDS``) and a ``key`` that says which occurrence it is (the
verdict, the campaign's week, the certificate): the pair is unique per person, so a
sweep run twice tells nobody twice. Its words are not stored: ``params`` holds the
facts, and the text is written when it is read, in the reader's language.

``Notification`` is the in-app copy (the bell); ``Email`` the outbox and the sent-log
of the e-mail copy, sent in batches at a bounded rate (notifications.sending);
``Preference`` a person's choice per kind and channel, when it differs from the
kind's default; ``SweepMark`` how far each periodic sweep has looked."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=80)
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "key"], name="notification_once_per_key"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} for {self.user_id}"


class Email(models.Model):
    """One e-mail to send (``sent_at`` empty) or sent. A batch claims its rows with a
    conditional update of ``claimed_at``, so two workers never send one twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=80)
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set when it was given up (too many failures, or nobody to send it to any more).
    dropped = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("notification e-mail")
        verbose_name_plural = _("notification e-mails")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="email_once_per_key")
        ]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(sent_at__isnull=True, dropped=""),
                name="email_waiting",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} to {self.user_id}"


class Preference(models.Model):
    """A person's choice for one kind, stored only once they have chosen."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    email = models.BooleanField(_("by e-mail"))
    in_app = models.BooleanField(_("on the site"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class SweepMark(models.Model):
    """Up to when a sweep has looked for what happened (verdicts, results…)."""

    name = models.CharField(max_length=40, unique=True)
    until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} until {self.until:%Y-%m-%d %H:%M}"
