"""Who may see which outreach task and submission. Organisers are the
administrators of the task's unit or of a unit above it; a unit's staff (and
everyone with a role above it) see that unit's submission. Anything else is
a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from orgs.access import is_staff_of, units_for_staff
from orgs.models import Unit
from outreach.models import OutreachTask, SubmissionFile


def is_task_organiser(user, task: OutreachTask) -> bool:
    return user.is_authenticated and is_staff_of(user, task.from_unit, admin=True)


def get_task_for_organiser(user, pk: int) -> OutreachTask:
    task = get_object_or_404(OutreachTask.objects.select_related("campaign", "from_unit"), pk=pk)
    if not is_task_organiser(user, task):
        raise Http404
    return task


def get_task_and_unit(user, pk: int, code: str) -> tuple[OutreachTask, Unit]:
    """The task and one unit it expects, if the person is staff of that unit
    or of a unit above it."""
    task = get_object_or_404(OutreachTask.objects.select_related("campaign", "from_unit"), pk=pk)
    unit = units_for_staff(user).filter(code=code).first()
    if unit is None or not task.expected_units().filter(pk=unit.pk).exists():
        raise Http404
    return task, unit


def get_file_for_staff(user, pk: int) -> SubmissionFile:
    stored = get_object_or_404(SubmissionFile.objects.select_related("submission__unit"), pk=pk)
    if not (user.is_authenticated and is_staff_of(user, stored.submission.unit)):
        raise Http404
    return stored
