"""summary.compliance: the numbers the compliance view and the reports share."""

from datetime import timedelta

import pytest

from kindsteps.testing.clock import NOW
from outreach import services
from outreach.summary import compliance

from .conftest import jpeg

pytestmark = pytest.mark.django_db


def test_counts_expected_submitted_approved_returned_late_and_missing(
    campaign, task, tree, owner, member
):
    services.submit(task, tree["LA-CD-LTR"], images=[jpeg(), jpeg()], files=[], actor=member)
    after_deadline = task.deadline + timedelta(hours=1)

    [row] = compliance(campaign, tree["LA"], now=after_deadline)

    assert row["title"] == "Banner and launch photos"
    assert row["deadline"] == task.deadline
    assert {key: row[key] for key in ("expected", "submitted", "waiting", "approved")} == {
        "expected": 2,
        "submitted": 1,
        "waiting": 1,
        "approved": 0,
    }
    # The school handed in nothing and the deadline has passed: missing, not "sent late".
    assert (row["returned"], row["missing"], row["late"]) == (0, 1, 0)


def test_returned_submission_sent_on_time_is_not_late_after_the_deadline(
    campaign, task, tree, owner, member
):
    submission = services.submit(
        task, tree["LA-CD-LTR"], images=[jpeg(), jpeg()], files=[], actor=member
    )
    services.review(submission, approve=False, comment="Too dark", actor=owner)

    [before] = compliance(campaign, tree["LA-CD"])
    [after] = compliance(campaign, tree["LA-CD"], now=task.deadline + timedelta(days=1))

    assert (before["returned"], before["submitted"], before["late"]) == (1, 0, 0)
    assert (after["returned"], after["missing"], after["late"]) == (1, 1, 0)


def test_approved_counts_as_submitted_and_a_late_hand_in_is_late(
    campaign, task, tree, owner, member
):
    submission = services.submit(
        task,
        tree["LA-CD-LTR"],
        images=[jpeg(), jpeg()],
        files=[],
        actor=member,
        now=task.deadline + timedelta(minutes=5),
    )
    services.review(submission, approve=True, actor=owner)

    [row] = compliance(campaign, tree["LA-CD"], now=task.deadline - timedelta(days=1))

    assert (row["submitted"], row["approved"], row["waiting"], row["late"]) == (1, 1, 0, 1)


def test_counts_only_the_units_inside_the_given_subtree(campaign, task, tree):
    [row] = compliance(campaign, tree["LA-CD-THPT"])

    assert (row["expected"], row["missing"]) == (1, 1)


def test_leaves_out_tasks_that_expect_nothing_of_the_subtree(campaign, task, tree, owner):
    services.create_task(
        campaign,
        from_unit=tree["LA-CD"],
        title="School posters",
        deadline=NOW + timedelta(days=3),
        unit_kinds=["school"],
        wants_files=1,
        actor=owner,
    )

    titles = [row["title"] for row in compliance(campaign, tree["LA-CD-LTR"])]

    assert titles == ["Banner and launch photos"]
    assert compliance(campaign, tree["LA-CG"]) == []


def test_only_units_that_handed_in_after_the_deadline_are_sent_late(
    campaign, task, tree, owner, member
):
    services.submit(
        task,
        tree["LA-CD-LTR"],
        images=[jpeg(), jpeg()],
        files=[],
        actor=member,
        now=task.deadline + timedelta(hours=2),
    )

    [row] = compliance(campaign, tree["LA-CD"], now=task.deadline + timedelta(days=3))

    assert (row["late"], row["missing"]) == (1, 1)  # the commune sent late; the school never did


def test_as_of_a_moment_counts_what_was_handed_in_and_reviewed_by_then(
    campaign, task, tree, owner, member, time_machine
):
    time_machine.move_to(NOW + timedelta(days=1), tick=False)
    first = services.submit(
        task, tree["LA-CD-LTR"], images=[jpeg(), jpeg()], files=[], actor=member
    )
    time_machine.move_to(NOW + timedelta(days=2), tick=False)
    services.review(first, approve=False, comment="Too dark", actor=owner)
    time_machine.move_to(NOW + timedelta(days=3), tick=False)
    again = services.submit(
        task, tree["LA-CD-LTR"], images=[jpeg(), jpeg()], files=[], actor=member
    )
    time_machine.move_to(NOW + timedelta(days=4), tick=False)
    services.review(again, approve=True, actor=owner)

    def as_of(days: float) -> dict:
        [row] = compliance(campaign, tree["LA-CD"], as_of=NOW + timedelta(days=days))
        return {key: row[key] for key in ("missing", "waiting", "returned", "approved")}

    assert as_of(0.5) == {"missing": 2, "waiting": 0, "returned": 0, "approved": 0}
    assert as_of(1.5) == {"missing": 1, "waiting": 1, "returned": 0, "approved": 0}
    # The first hand-in was returned; the row now holds the second, made later.
    assert as_of(2.5) == {"missing": 1, "waiting": 0, "returned": 1, "approved": 0}
    assert as_of(3.5) == {"missing": 1, "waiting": 1, "returned": 0, "approved": 0}
    assert as_of(4.5) == {"missing": 1, "waiting": 0, "returned": 0, "approved": 1}
