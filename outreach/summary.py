"""Where each unit stands on each outreach task. The compliance view and the
campaign reports read the same numbers from here.

A unit expected by a task is in exactly one state:

- ``missing``: nothing handed in yet;
- ``submitted``: handed in, waiting for the organiser's review;
- ``approved``: handed in and approved;
- ``returned``: sent back with a comment and not handed in again yet.

Independently of its state a unit is ``late`` ("sent late") when it handed in
after the deadline: only a unit that handed in can be late; one that never did
is ``missing``, however long after the deadline.

``as_of`` gives the states as they were at a past moment (the dashboard's PDF
"as of the end of" a day): a hand-in or review after it is not yet made. The
submission row holds the latest hand-in and review; when one of them comes after
the moment, the audit log's earlier entries for the submission say what it was."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from campaigns.models import Campaign
from core.formatting import local_datetime
from core.models import AuditEntry
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
    """The unit's state and whether it sent late. ``now`` is kept for callers
    that pass it: lateness depends only on when the unit handed in."""
    if submission is None:
        return MISSING, False
    return submission.status, submission.submitted_at > task.deadline


# Audit actions of a submission, and the state each leaves it in.
_ACTIONS = {
    "outreach.submission.submitted": SubmissionStatus.SUBMITTED,
    "outreach.submission.resubmitted": SubmissionStatus.SUBMITTED,
    "outreach.submission.approved": SubmissionStatus.APPROVED,
    "outreach.submission.returned": SubmissionStatus.RETURNED,
}


def _state_at(task: OutreachTask, submission: Submission | None, moment: datetime):
    """(state, late) of the unit at ``moment``."""
    if submission is None:
        return MISSING, False
    handed_in = submission.submitted_at < moment  # the latest hand-in
    reviewed = submission.reviewed_at is None or submission.reviewed_at < moment
    if handed_in and reviewed:
        return state_of(task, submission, moment)
    if handed_in:
        # Handed in by then, reviewed only after it: still waiting then.
        return SubmissionStatus.SUBMITTED, submission.submitted_at > task.deadline
    entries = list(
        AuditEntry.objects.filter(
            object_type=Submission._meta.label_lower,
            object_id=str(submission.pk),
            action__in=list(_ACTIONS),
            created_at__lt=moment,
        ).order_by("created_at", "id")
    )
    if not entries:
        return MISSING, False
    sent = [e for e in entries if _ACTIONS[e.action] == SubmissionStatus.SUBMITTED]
    late = bool(sent) and bool(sent[-1].data.get("late"))
    return _ACTIONS[entries[-1].action], late


def unit_states(
    task: OutreachTask,
    within: Unit | None = None,
    now: datetime | None = None,
    *,
    as_of: datetime | None = None,
) -> list[UnitState]:
    """Every unit the task expects (inside ``within``'s subtree if given), in
    tree order, with its submission; ``as_of``: in the state of that moment."""
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
        if as_of is None:
            state, late = state_of(task, submission, now)
        else:
            state, late = _state_at(task, submission, as_of)
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


def compliance(
    campaign: Campaign,
    unit: Unit,
    now: datetime | None = None,
    *,
    as_of: datetime | None = None,
) -> list[dict]:
    """One row per task of ``campaign`` that expects something of a unit inside
    ``unit``'s subtree, counting only those units: the task's ``title``,
    ``deadline`` (aware, UTC) and ``deadline_text`` (in the campaign's zone),
    then ``expected``, ``submitted``, ``waiting``, ``approved``, ``returned``,
    ``late`` (sent late) and ``missing`` (see the module's docstring).
    ``as_of``: as things stood at that moment (what was handed in and reviewed
    by then)."""
    now = now or timezone.now()
    rows = []
    for task in campaign.outreach_tasks.select_related("from_unit").order_by("deadline", "pk"):
        states = unit_states(task, within=unit, now=now, as_of=as_of)
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
