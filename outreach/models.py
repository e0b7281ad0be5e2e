"""Outreach tasks: what an organiser asks of the chapters below their unit
(a banner, launch photos, a report), what each chapter handed in, and the
organiser's verdict on it."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Unit


class OutreachTask(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="outreach_tasks",
    )
    # The organiser's unit: the task is addressed to the units below it.
    from_unit = models.ForeignKey(
        Unit, verbose_name=_("from"), on_delete=models.PROTECT, related_name="outreach_tasks"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    deadline = models.DateTimeField(_("deadline"))  # UTC; shown in the campaign's zone
    # UnitKind codes; empty means every unit below from_unit.
    unit_kinds = models.JSONField(_("kinds of unit"), default=list, blank=True)
    wants_images = models.PositiveSmallIntegerField(_("images wanted (at least)"), default=0)
    wants_files = models.PositiveSmallIntegerField(_("documents wanted (at least)"), default=0)
    reminder_days_before = models.PositiveSmallIntegerField(
        _("reminder, days before the deadline"), default=2
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outreach task")
        verbose_name_plural = _("outreach tasks")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.title

    def expected_units(self) -> QuerySet[Unit]:
        """The units that owe a submission: every unit below ``from_unit`` (of
        the chosen kinds)."""
        units = Unit.objects.filter(
            path__startswith=self.from_unit.path, depth__gt=self.from_unit.depth
        )
        if self.unit_kinds:
            units = units.filter(kind__in=self.unit_kinds)
        return units.order_by("path")

    def is_overdue(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) > self.deadline

    @property
    def reminder_at(self) -> datetime | None:
        if not self.reminder_days_before:
            return None
        return self.deadline - timedelta(days=self.reminder_days_before)


class SubmissionStatus(models.TextChoices):
    """Stable codes; never renamed."""

    SUBMITTED = "submitted", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class Submission(models.Model):
    """The current hand-in of one unit for one task. A returned submission is
    replaced in place when the unit sends it again; the audit log keeps the
    history."""

    task = models.ForeignKey(OutreachTask, on_delete=models.CASCADE, related_name="submissions")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="outreach_submissions")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.SUBMITTED,
    )
    note = models.TextField(_("note from the unit"), blank=True)
    comment = models.TextField(_("organiser's comment"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="submission_one_per_task_unit")
        ]

    def __str__(self) -> str:
        return f"{self.task} — {self.unit}"

    @property
    def is_late(self) -> bool:
        return self.submitted_at > self.task.deadline


class FileKind(models.TextChoices):
    IMAGE = "image", _("Image")
    FILE = "file", _("Document")


def _upload_to(instance: "SubmissionFile", filename: str) -> str:
    return f"outreach/{instance.submission.task_id}/{filename}"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=8, choices=FileKind.choices)
    original_name = models.CharField(max_length=255)
    # Stored under a random name; served only through the scoped view.
    file = models.FileField(upload_to=_upload_to, max_length=255)
    thumbnail = models.FileField(upload_to=_upload_to, max_length=255, blank=True)
    content_type = models.CharField(max_length=100)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveIntegerField()  # bytes, as stored
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "position", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Reminder(models.Model):
    """A reminder sent to one unit for one task: inserted before sending, so it
    goes out once whatever runs the job twice."""

    task = models.ForeignKey(OutreachTask, on_delete=models.CASCADE, related_name="reminders")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="reminder_one_per_task_unit")
        ]

    def __str__(self) -> str:
        return f"{self.task} — {self.unit}"
