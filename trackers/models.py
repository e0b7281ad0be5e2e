"""Connections to the trackers people already use (Strava, Garmin), the activities
they brought and the webhook events that told us about them.

Tokens are stored encrypted (trackers/crypto.py); an activity of a tracker is one
row per (provider, external id), whatever number of events mention it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    STRAVA = "strava", "Strava"
    GARMIN = "garmin", "Garmin"


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", _("connected")
    BROKEN = "broken", _("needs reconnecting")
    DISCONNECTED = "disconnected", _("disconnected")


class Connection(models.Model):
    """One person's link to one tracker account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracker_connections"
    )
    provider = models.CharField(max_length=16, choices=Provider.choices)
    # The athlete's id on the provider (Strava's athlete.id).
    account_id = models.CharField(max_length=64)
    scopes = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=16, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE
    )
    access_token = models.TextField(blank=True)  # Fernet-encrypted
    refresh_token = models.TextField(blank=True)  # Fernet-encrypted
    expires_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(default=timezone.now)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    # Stable code of the last failure (trackers/errors.py), "" when the last call worked.
    last_error = models.CharField(max_length=32, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    backfill_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "account_id"], name="tracker_account_once"),
            models.UniqueConstraint(fields=["user", "provider"], name="tracker_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.account_id}"

    @property
    def is_active(self) -> bool:
        return self.status == ConnectionStatus.ACTIVE

    @property
    def counts_private(self) -> bool:
        return "activity:read_all" in self.scopes.split(",")


class TrackedState(models.TextChoices):
    PENDING = "pending", _("waiting to be fetched")
    IMPORTED = "imported", _("brought in and judged")
    SKIPPED = "skipped", _("not brought in")
    WITHDRAWN = "withdrawn", _("withdrawn")
    FAILED = "failed", _("could not be fetched")


class TrackedActivity(models.Model):
    """An activity on a tracker, and what became of it here."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="tracked")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    external_id = models.CharField(max_length=64)
    activity = models.OneToOneField(
        "activities.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tracked",
    )
    state = models.CharField(
        max_length=16, choices=TrackedState.choices, default=TrackedState.PENDING
    )
    reason = models.CharField(max_length=32, blank=True)  # trackers/errors.py code
    # Shown to its owner only (docs/decisions/0031-strava-data-display.md).
    name = models.CharField(max_length=255, blank=True)
    sport_type = models.CharField(max_length=32, blank=True)
    # The newest event applied: an older or repeated one changes nothing.
    event_time = models.DateTimeField(null=True, blank=True)
    reached_provider_at = models.DateTimeField(null=True, blank=True)
    reached_us_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_id"], name="tracked_activity_once"
            ),
        ]
        indexes = [models.Index(fields=["connection", "-updated_at"])]

    def __str__(self) -> str:
        return f"{self.provider}:{self.external_id} {self.state}"


class WebhookEvent(models.Model):
    """One event as a provider posted it; the same event posted twice is one row."""

    provider = models.CharField(max_length=16, choices=Provider.choices)
    object_type = models.CharField(max_length=16)
    object_id = models.CharField(max_length=64)
    aspect = models.CharField(max_length=16)
    owner_id = models.CharField(max_length=64)
    event_time = models.DateTimeField()
    updates = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "object_type", "object_id", "aspect", "event_time"],
                name="webhook_event_once",
            ),
        ]
        indexes = [models.Index(fields=["processed_at", "received_at"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.object_type}:{self.object_id} {self.aspect}"
