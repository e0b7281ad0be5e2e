"""services: creating a task, handing in, reviewing and reminding — with the
audit log, the notices and the e-mails they send."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEntry, Notice
from kindsteps.testing.clock import NOW
from orgs.models import Role, UnitRole
from outreach import services
from outreach.models import Reminder, Submission, SubmissionFile, SubmissionStatus

from .conftest import jpeg, pdf, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_staff(tree, user_factory):
    user = user_factory("school@example.org", full_name="Cô Giáo", preferred_language="en")
    UnitRole.objects.create(user=user, unit=tree["LA-CD-THPT"], role=Role.STAFF)
    return user


def test_task_expects_every_unit_below_its_unit(task, tree):
    codes = [unit.code for unit in task.expected_units()]

    assert codes == ["LA-CD-LTR", "LA-CD-THPT"]


def test_task_for_one_kind_expects_only_those_units(campaign, tree, owner):
    task = services.create_task(
        campaign,
        from_unit=tree["LA-CD"],
        title="School posters",
        deadline=NOW + timedelta(days=3),
        unit_kinds=["school"],
        wants_files=1,
        actor=owner,
    )

    assert [unit.code for unit in task.expected_units()] == ["LA-CD-THPT"]


def test_creating_a_task_tells_the_staff_of_each_unit_in_their_language(
    campaign, tree, owner, member, school_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = services.create_task(
            campaign,
            from_unit=tree["LA-CD"],
            title="Banner and launch photos",
            instructions="Hang the banner at the commune office.",
            deadline=NOW + timedelta(days=5),
            wants_images=2,
            actor=owner,
        )

    assert set(Notice.objects.filter(code="outreach.created").values_list("user", flat=True)) == {
        member.pk,
        school_staff.pk,
    }
    [english] = [m for m in mail.outbox if m.to == ["school@example.org"]]
    assert "Banner and launch photos" in english.subject
    assert "Hang the banner at the commune office." in english.body
    assert f"/outreach/tasks/{task.pk}/units/LA-CD-THPT/" in english.body
    assert "Deadline:" in english.body
    assert AuditEntry.objects.filter(
        action="outreach.task.created", object_id=str(task.pk)
    ).exists()


def test_refuses_a_task_that_asks_for_nothing(campaign, tree, owner):
    with pytest.raises(services.OutreachError) as caught:
        services.create_task(
            campaign,
            from_unit=tree["LA-CD"],
            title="Nothing",
            deadline=NOW + timedelta(days=1),
            actor=owner,
        )

    assert caught.value.code == "nothing_wanted"


def test_refuses_a_task_from_a_unit_outside_the_campaign(campaign, tree, outsider):
    with pytest.raises(services.OutreachError) as caught:
        services.create_task(
            campaign,
            from_unit=tree["LA-CG"],
            title="Photos",
            deadline=NOW + timedelta(days=1),
            wants_images=1,
            actor=outsider,
        )

    assert caught.value.code == "from_unit_outside_campaign"


def test_refuses_a_deadline_in_the_past(campaign, tree, owner):
    with pytest.raises(services.OutreachError) as caught:
        services.create_task(
            campaign,
            from_unit=tree["LA-CD"],
            title="Photos",
            deadline=NOW - timedelta(minutes=1),
            wants_images=1,
            actor=owner,
        )

    assert caught.value.code == "deadline_past"


def test_refuses_a_task_when_no_unit_below_is_of_the_chosen_kind(campaign, tree, owner):
    with pytest.raises(services.OutreachError) as caught:
        services.create_task(
            campaign,
            from_unit=tree["LA-CD"],
            title="Clinic photos",
            deadline=NOW + timedelta(days=1),
            unit_kinds=["health"],
            wants_images=1,
            actor=owner,
        )

    assert caught.value.code == "no_units_expected"


def test_submission_stores_images_with_thumbnails_and_documents(campaign, tree, owner, member):
    task = services.create_task(
        campaign,
        from_unit=tree["LA-CD"],
        title="Report and photo",
        deadline=NOW + timedelta(days=1),
        wants_images=1,
        wants_files=1,
        actor=owner,
    )

    submission = services.submit(
        task, tree["LA-CD-LTR"], images=[png()], files=[pdf()], note="Done", actor=member
    )

    document, image = submission.files.order_by("kind")
    assert (document.kind, image.kind) == ("file", "image")
    assert image.original_name == "banner.png" and image.thumbnail
    assert image.file.name.startswith(f"outreach/{task.pk}/la-cd-ltr-")
    assert document.content_type == "application/pdf"
    assert document.file.read().startswith(b"%PDF-")
    assert submission.status == SubmissionStatus.SUBMITTED
    assert Notice.objects.filter(user=owner, code="outreach.submitted").exists()


def test_refuses_fewer_images_than_asked_and_names_each_bad_file(task, tree, member):
    bad = SimpleUploadedFile("not-a-photo.jpg", b"hello", "image/jpeg")

    with pytest.raises(services.SubmissionRefused) as caught:
        services.submit(task, tree["LA-CD-LTR"], images=[bad], files=[], actor=member)

    assert [name for name, _message in caught.value.files] == ["not-a-photo.jpg"]
    assert len(caught.value.problems) == 1  # one image chosen, two asked for
    assert not Submission.objects.exists()


def test_refuses_documents_when_the_task_asks_only_for_images(task, tree, member):
    with pytest.raises(services.SubmissionRefused) as caught:
        services.submit(
            task, tree["LA-CD-LTR"], images=[jpeg(), jpeg()], files=[pdf()], actor=member
        )

    assert caught.value.problems


def test_refuses_a_unit_the_task_does_not_address(task, tree, outsider):
    with pytest.raises(services.OutreachError) as caught:
        services.submit(task, tree["LA-CG-PL"], images=[jpeg(), jpeg()], files=[], actor=outsider)

    assert caught.value.code == "not_expected"


def test_returned_submission_can_be_sent_again_and_replaces_its_files(
    task, tree, owner, member, media, django_capture_on_commit_callbacks
):
    first = services.submit(
        task, tree["LA-CD-LTR"], images=[jpeg(), jpeg()], files=[], actor=member
    )
    old_paths = [media / f.file.name for f in first.files.all()]
    services.review(first, approve=False, comment="Too dark", actor=owner)

    with django_capture_on_commit_callbacks(execute=True):
        again = services.submit(
            task, tree["LA-CD-LTR"], images=[jpeg("a.jpg"), jpeg("b.jpg")], files=[], actor=member
        )

    assert again.pk == first.pk
    assert again.status == SubmissionStatus.SUBMITTED
    assert sorted(again.files.values_list("original_name", flat=True)) == ["a.jpg", "b.jpg"]
    assert SubmissionFile.objects.count() == 2
    assert not any(path.exists() for path in old_paths)
    assert AuditEntry.objects.filter(action="outreach.submission.resubmitted").count() == 1


def test_an_approved_submission_cannot_be_replaced(task, tree, owner, member):
    submission = services.submit(
        task, tree["LA-CD-LTR"], images=[jpeg(), jpeg()], files=[], actor=member
    )
    services.review(submission, approve=True, actor=owner)

    with pytest.raises(services.OutreachError) as caught:
        services.submit(task, tree["LA-CD-LTR"], images=[jpeg(), jpeg()], files=[], actor=member)

    assert caught.value.code == "already_approved"


def test_returning_needs_a_comment(task, tree, owner, member):
    submission = services.submit(
        task, tree["LA-CD-LTR"], images=[jpeg(), jpeg()], files=[], actor=member
    )

    with pytest.raises(services.OutreachError) as caught:
        services.review(submission, approve=False, comment="  ", actor=owner)

    assert caught.value.code == "comment_missing"


def test_returning_tells_the_unit_staff_with_the_comment(
    task, tree, owner, member, django_capture_on_commit_callbacks
):
    submission = services.submit(
        task, tree["LA-CD-LTR"], images=[jpeg(), jpeg()], files=[], actor=member
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.review(submission, approve=False, comment="The banner is cut off.", actor=owner)

    notice = Notice.objects.get(user=member, code="outreach.returned")
    assert notice.body == "The banner is cut off."
    [message] = mail.outbox
    assert message.to == ["member@example.org"]
    assert "The banner is cut off." in message.body
    entry = AuditEntry.objects.get(action="outreach.submission.returned")
    assert entry.data["comment"] == "The banner is cut off."


def test_a_submission_is_reviewed_once(task, tree, owner, member):
    submission = services.submit(
        task, tree["LA-CD-LTR"], images=[jpeg(), jpeg()], files=[], actor=member
    )
    services.review(submission, approve=True, actor=owner)

    with pytest.raises(services.OutreachError) as caught:
        services.review(submission, approve=False, comment="Changed my mind", actor=owner)

    assert caught.value.code == "not_waiting"


def test_reminds_units_that_have_not_sent_once_and_only_inside_the_reminder_window(
    task, tree, owner, member, school_staff, django_capture_on_commit_callbacks
):
    services.submit(task, tree["LA-CD-THPT"], images=[jpeg(), jpeg()], files=[], actor=school_staff)
    too_early = task.deadline - timedelta(days=3)
    in_window = task.deadline - timedelta(days=1)
    mail.outbox.clear()

    assert services.send_due_reminders(now=too_early) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders(now=in_window) == 1
    assert services.send_due_reminders(now=in_window + timedelta(hours=1)) == 0

    assert list(Reminder.objects.values_list("unit__code", flat=True)) == ["LA-CD-LTR"]
    assert Notice.objects.filter(user=member, code="outreach.reminder").count() == 1
    [message] = mail.outbox
    assert message.to == ["member@example.org"]
    assert "Banner and launch photos" in message.subject


def test_no_reminder_after_the_deadline(task):
    assert services.send_due_reminders(now=task.deadline + timedelta(minutes=1)) == 0


def test_the_hourly_job_sends_due_reminders(task, tree, member, time_machine):
    from outreach.tasks import send_outreach_reminders

    time_machine.move_to(task.deadline - timedelta(days=1, hours=1))

    send_outreach_reminders.call_local()

    assert Reminder.objects.count() == 2
