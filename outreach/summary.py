"""Where each unit stands on each outreach task. The compliance view and the
campaign reports read the same numbers from here.

A unit expected by a task is in exactly one state:

- ``missing``: nothing handed in yet;
- ``submitted``: handed in, waiting for the organiser's review;
- ``approved``: handed in and approved;
- ``returned``: sent back with a comment and not handed in again yet.

Independently of its state a unit is ``late`` when it handed in after the
deadline, or when the deadline has passed and it is still missing or
returned."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from campaigns.models import Campaign
from core.formatting import local_datetime
from orgs.models import Unit
from outreach.models import OutreachTask, Submission, SubmissionStatus

MISSING = "missing"
STATES = (MISSING, *SubmissionStatus.values)


@dataclass
class UnitState:
    unit: Unit
    submission: Submission | None
    state: str  # one of STATES
    late: bool


def state_of(task: OutreachTask, submission: Submission | None, now: datetime) -> tuple[str, bool]:
    if submission is None:
        return MISSING, now > task.deadline
    if submission.status == SubmissionStatus.RETURNED:
        return submission.status, now > task.deadline
    return submission.status, submission.submitted_at > task.deadline


def unit_states(
    task: OutreachTask, within: Unit | None = None, now: datetime | None = None
) -> list[UnitState]:
    """Every unit the task expects (inside ``within``'s subtree if given), in
    tree order, with its submission."""
    now = now or timezone.now()
    units = task.expected_units()
    if within is not None:
        units = units.filter(within.subtree_q())
    units = list(units)
    submissions = {
        s.unit_id: s
        for s in Submission.objects.filter(task=task, unit__in=[u.pk for u in units])
        .select_related("task")
        .prefetch_related("files")
    }
    states = []
    for unit in units:
        submission = submissions.get(unit.pk)
        state, late = state_of(task, submission, now)
        states.append(UnitState(unit=unit, submission=submission, state=state, late=late))
    return states


def counts(states: list[UnitState]) -> dict[str, int]:
    """``submitted`` counts every unit that handed in and was not sent back
    (waiting or approved); ``waiting`` only those still to review."""
    by_state = {name: 0 for name in STATES}
    for item in states:
        by_state[item.state] += 1
    return {
        "expected": len(states),
        "submitted": by_state[SubmissionStatus.SUBMITTED] + by_state[SubmissionStatus.APPROVED],
        "waiting": by_state[SubmissionStatus.SUBMITTED],
        "approved": by_state[SubmissionStatus.APPROVED],
        "returned": by_state[SubmissionStatus.RETURNED],
        "late": sum(1 for item in states if item.late),
        "missing": by_state[MISSING],
    }


def compliance(campaign: Campaign, unit: Unit, now: datetime | None = None) -> list[dict]:
    """One row per task of ``campaign`` that expects something of a unit inside
    ``unit``'s subtree, counting only those units: the task's ``title``,
    ``deadline`` (aware, UTC) and ``deadline_text`` (in the campaign's zone),
    then ``expected``, ``submitted``, ``waiting``, ``approved``, ``returned``,
    ``late`` and ``missing`` (see the module's docstring)."""
    now = now or timezone.now()
    rows = []
    for task in campaign.outreach_tasks.select_related("from_unit").order_by("deadline", "pk"):
        states = unit_states(task, within=unit, now=now)
        if not states:
            continue
        rows.append(
            {
                "task": task,
                "title": task.title,
                "deadline": task.deadline,
                "deadline_text": local_datetime(task.deadline, campaign.tz, is_end=True),
                **counts(states),
            }
        )
    return rows
