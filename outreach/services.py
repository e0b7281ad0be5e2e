"""Outreach tasks: create a task, hand in a submission, review it, remind
the late. Every state change is audited and the people concerned are told in
their own language."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from campaigns.models import Campaign
from core.audit import log_action
from core.errors import DomainError
from core.formatting import local_datetime
from core.notices import notify, send_templated_mail
from orgs.models import Unit, UnitKind, UnitRole
from outreach.images import (
    FileRefused,
    StoredDocument,
    StoredImage,
    check_document,
    process_image,
)
from outreach.models import (
    FileKind,
    OutreachTask,
    Reminder,
    Submission,
    SubmissionFile,
    SubmissionStatus,
)
from outreach.summary import MISSING, unit_states

if TYPE_CHECKING:
    from accounts.models import User

MAX_IMAGES = 20
MAX_FILES = 10
MAX_WANTED = 20
MAX_REMINDER_DAYS = 30


class OutreachError(DomainError):
    code = "outreach_error"


class SubmissionRefused(OutreachError):
    """What was wrong, file by file (``files``: (original name, message) pairs) and
    with the submission as a whole (``problems``)."""

    code = "submission_refused"

    def __init__(self) -> None:
        super().__init__(_("The submission was not saved."))
        self.files: list[tuple[str, str]] = []
        self.problems: list[str] = []


def submission_url(task: OutreachTask, unit: Unit) -> str:
    return reverse("outreach:submission", args=[task.pk, unit.code])


def _staff_by_unit(units: QuerySet[Unit] | Iterable[Unit]) -> dict[int, list[User]]:
    """People with a role on each unit itself (not on the units above)."""
    staff: dict[int, list[User]] = {}
    for role in UnitRole.objects.filter(unit__in=units).select_related("user"):
        staff.setdefault(role.unit_id, []).append(role.user)
    return staff


def _deadline_text(task: OutreachTask) -> str:
    return local_datetime(task.deadline, task.campaign.tz, is_end=True)


def create_task(
    campaign: Campaign,
    *,
    from_unit: Unit,
    title: str,
    deadline: datetime,
    actor: User,
    instructions: str = "",
    unit_kinds: list[str] | None = None,
    wants_images: int = 0,
    wants_files: int = 0,
    reminder_days_before: int = 2,
    now: datetime | None = None,
) -> OutreachTask:
    now = now or timezone.now()
    title = title.strip()
    unit_kinds = sorted(set(unit_kinds or []))
    if not title:
        raise OutreachError(_("Give the task a title."), code="title_missing")
    if not from_unit.path.startswith(campaign.organiser_unit.path):
        raise OutreachError(
            _("The task must come from the campaign's organiser or a unit below it."),
            code="from_unit_outside_campaign",
        )
    if any(kind not in UnitKind.values for kind in unit_kinds):
        raise OutreachError(_("Unknown kind of unit."), code="unit_kind_unknown")
    if wants_images + wants_files < 1:
        raise OutreachError(_("Ask for at least one image or one document."), code="nothing_wanted")
    if wants_images > MAX_WANTED or wants_files > MAX_WANTED or wants_images < 0:
        raise OutreachError(
            _("Ask for at most %(n)s images and %(n)s documents.") % {"n": MAX_WANTED},
            code="too_many_wanted",
        )
    if not 0 <= reminder_days_before <= MAX_REMINDER_DAYS:
        raise OutreachError(
            _("The reminder can go out at most %(n)s days before the deadline.")
            % {"n": MAX_REMINDER_DAYS},
            code="reminder_out_of_range",
        )
    if deadline <= now:
        raise OutreachError(_("The deadline must be in the future."), code="deadline_past")
    with transaction.atomic():
        task = OutreachTask.objects.create(
            campaign=campaign,
            from_unit=from_unit,
            created_by=actor,
            title=title,
            instructions=instructions.strip(),
            deadline=deadline,
            unit_kinds=unit_kinds,
            wants_images=wants_images,
            wants_files=wants_files,
            reminder_days_before=reminder_days_before,
        )
        units = list(task.expected_units())
        if not units:
            raise OutreachError(
                _("No unit below %(unit)s is of the chosen kinds.") % {"unit": from_unit.name},
                code="no_units_expected",
            )
        log_action(
            "outreach.task.created",
            task,
            actor=actor,
            campaign=campaign,
            data={
                "title": task.title,
                "from_unit": from_unit.code,
                "deadline": task.deadline.isoformat(),
                "unit_kinds": unit_kinds,
                "units": len(units),
            },
        )
        staff = _staff_by_unit(units)
        for unit in units:
            for user in staff.get(unit.pk, []):
                _tell_unit(user, task, unit, "created")
    return task


_UNIT_NOTICES = {
    "created": _("%(from)s asks %(unit)s for “%(task)s” by %(deadline)s"),
    "reminder": _("Reminder: “%(task)s” for %(unit)s is due by %(deadline)s"),
    "returned": _("“%(task)s” of %(unit)s was returned: please send it again"),
    "approved": _("“%(task)s” of %(unit)s was approved"),
}
_UNIT_MAILS = {"created", "reminder", "returned"}


def _tell_unit(user: User, task: OutreachTask, unit: Unit, event: str, comment: str = "") -> None:
    url = submission_url(task, unit)
    notify(
        user,
        f"outreach.{event}",
        title=_UNIT_NOTICES[event],
        body=comment,
        url=url,
        params={
            "from": task.from_unit.name,
            "unit": unit.name,
            "task": task.title,
            "deadline": _deadline_text(task),
        },
    )
    if event in _UNIT_MAILS:
        send_templated_mail(
            user,
            f"outreach/email/{event}",
            {
                "task": task,
                "unit": unit,
                "deadline": _deadline_text(task),
                "comment": comment,
                "url": url,
            },
        )


def _new_name(unit: Unit, extension: str, suffix: str = "") -> str:
    return f"{unit.code.lower()}-{secrets.token_urlsafe(12)}{suffix}.{extension}"


def _prepare(
    task: OutreachTask, images: list[UploadedFile], files: list[UploadedFile]
) -> tuple[list[tuple[str, StoredImage]], list[tuple[UploadedFile, StoredDocument]]]:
    """Check every file and the counts; raise one SubmissionRefused listing all problems."""
    refused = SubmissionRefused()
    if images and not task.wants_images:
        refused.problems.append(str(_("This task does not ask for images.")))
    if files and not task.wants_files:
        refused.problems.append(str(_("This task does not ask for documents.")))
    if len(images) > MAX_IMAGES:
        refused.problems.append(str(_("Send at most %(n)s images at once.") % {"n": MAX_IMAGES}))
    if len(files) > MAX_FILES:
        refused.problems.append(str(_("Send at most %(n)s documents at once.") % {"n": MAX_FILES}))
    if refused.problems:
        raise refused
    ready_images, ready_files = [], []
    for upload in images:
        try:
            ready_images.append((upload.name or "", process_image(upload)))
        except FileRefused as exc:
            refused.files.append((upload.name or "", str(exc.message)))
    for upload in files:
        try:
            ready_files.append((upload, check_document(upload)))
        except FileRefused as exc:
            refused.files.append((upload.name or "", str(exc.message)))
    if len(images) < task.wants_images:
        refused.problems.append(
            str(
                ngettext_lazy(
                    "This task asks for at least %(n)s image; you chose %(m)s.",
                    "This task asks for at least %(n)s images; you chose %(m)s.",
                    task.wants_images,
                )
                % {"n": task.wants_images, "m": len(images)}
            )
        )
    if len(files) < task.wants_files:
        refused.problems.append(
            str(
                ngettext_lazy(
                    "This task asks for at least %(n)s document; you chose %(m)s.",
                    "This task asks for at least %(n)s documents; you chose %(m)s.",
                    task.wants_files,
                )
                % {"n": task.wants_files, "m": len(files)}
            )
        )
    if refused.files or refused.problems:
        raise refused
    return ready_images, ready_files


def submit(
    task: OutreachTask,
    unit: Unit,
    *,
    images: list[UploadedFile],
    files: list[UploadedFile],
    actor: User,
    note: str = "",
    now: datetime | None = None,
) -> Submission:
    """Hand in (or, before approval, hand in again) the unit's files. A new
    submission replaces the previous files."""
    now = now or timezone.now()
    if not task.expected_units().filter(pk=unit.pk).exists():
        raise OutreachError(_("This task is not addressed to this unit."), code="not_expected")
    ready_images, ready_files = _prepare(task, images, files)
    old_names: list[str] = []
    with transaction.atomic():
        submission = Submission.objects.select_for_update().filter(task=task, unit=unit).first()
        if submission is not None and submission.status == SubmissionStatus.APPROVED:
            raise OutreachError(_("This submission is already approved."), code="already_approved")
        again = submission is not None
        if submission is None:
            submission = Submission(task=task, unit=unit)
        else:
            for old in submission.files.all():
                old_names += [stored.name for stored in (old.file, old.thumbnail) if stored.name]
            submission.files.all().delete()
        submission.status = SubmissionStatus.SUBMITTED
        submission.note = note.strip()
        submission.submitted_by = actor
        submission.submitted_at = now
        submission.reviewed_by = None
        submission.reviewed_at = None
        submission.save()
        for position, (name, image) in enumerate(ready_images):
            stored = SubmissionFile(
                submission=submission,
                kind=FileKind.IMAGE,
                original_name=name[:255],
                content_type=image.content_type,
                width=image.width,
                height=image.height,
                size=len(image.content),
                position=position,
            )
            stored.file.save(_new_name(unit, image.extension), ContentFile(image.content), False)
            stored.thumbnail.save(
                _new_name(unit, "jpg", "-thumb"), ContentFile(image.thumbnail), False
            )
            stored.save()
        for position, (upload, document) in enumerate(ready_files):
            stored = SubmissionFile(
                submission=submission,
                kind=FileKind.FILE,
                # A file from a form always has a name and a size; Django's type allows none.
                original_name=(upload.name or "")[:255],
                content_type=document.content_type,
                size=upload.size or 0,
                position=position,
            )
            upload.seek(0)
            stored.file.save(_new_name(unit, document.extension), upload, False)
            stored.save()
        log_action(
            "outreach.submission.resubmitted" if again else "outreach.submission.submitted",
            submission,
            actor=actor,
            campaign=task.campaign,
            data={
                "task": task.pk,
                "unit": unit.code,
                "images": len(ready_images),
                "files": len(ready_files),
                "late": submission.is_late,
            },
        )
        if task.created_by is not None:
            notify(
                task.created_by,
                "outreach.submitted",
                title=_("%(unit)s handed in “%(task)s”"),
                url=reverse("outreach:task", args=[task.pk]) + "?state=submitted",
                params={"unit": unit.name, "task": task.title},
            )
        storage = SubmissionFile._meta.get_field("file").storage

        def delete_old_files() -> None:
            for name in old_names:
                storage.delete(name)

        transaction.on_commit(delete_old_files)
    return submission


def review(
    submission: Submission,
    *,
    approve: bool,
    actor: User,
    comment: str = "",
    now: datetime | None = None,
) -> Submission:
    """Approve, or return with a comment saying what to change."""
    now = now or timezone.now()
    comment = comment.strip()
    if not approve and not comment:
        raise OutreachError(
            _("Say what the unit should change before returning it."), code="comment_missing"
        )
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update()
            .select_related("task__campaign", "task__from_unit", "unit")
            .get(pk=submission.pk)
        )
        if submission.status != SubmissionStatus.SUBMITTED:
            raise OutreachError(
                _("This submission is not waiting for review any more."), code="not_waiting"
            )
        submission.status = SubmissionStatus.APPROVED if approve else SubmissionStatus.RETURNED
        submission.comment = comment
        submission.reviewed_by = actor
        submission.reviewed_at = now
        submission.save()
        log_action(
            f"outreach.submission.{submission.status}",
            submission,
            actor=actor,
            campaign=submission.task.campaign,
            data={"task": submission.task_id, "unit": submission.unit.code, "comment": comment},
        )
        for user in _staff_by_unit([submission.unit]).get(submission.unit_id, []):
            _tell_unit(user, submission.task, submission.unit, submission.status, comment)
    return submission


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind each unit that has not handed in (or was returned) once,
    ``reminder_days_before`` days before the deadline. Returns how many units
    were reminded."""
    now = now or timezone.now()
    sent = 0
    tasks = OutreachTask.objects.filter(
        deadline__gt=now,
        deadline__lte=now + timedelta(days=MAX_REMINDER_DAYS),
        reminder_days_before__gt=0,
    ).select_related("campaign", "from_unit")
    for task in tasks:
        reminder_at = task.reminder_at
        assert reminder_at is not None  # the query keeps reminder_days_before > 0
        if reminder_at > now:
            continue
        reminded = set(task.reminders.values_list("unit_id", flat=True))
        due = [
            item.unit
            for item in unit_states(task, now=now)
            if item.state in (MISSING, SubmissionStatus.RETURNED) and item.unit.pk not in reminded
        ]
        staff = _staff_by_unit(due)
        for unit in due:
            try:
                with transaction.atomic():
                    # The row is the claim: a second run finds it and skips.
                    reminder = Reminder.objects.create(task=task, unit=unit)
                    log_action(
                        "outreach.reminder.sent",
                        reminder,
                        campaign=task.campaign,
                        data={"task": task.pk, "unit": unit.code},
                    )
                    for user in staff.get(unit.pk, []):
                        _tell_unit(user, task, unit, "reminder")
            except IntegrityError:
                continue
            sent += 1
    return sent
