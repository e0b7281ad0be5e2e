"""Every outreach view with the owner (admin of Cần Đước, who set the task),
a member (staff of the Long Trạch commune below it) and an outsider (admin of
the neighbouring district)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from conftest import PASSWORD
from kindsteps.testing.clock import NOW
from kindsteps.testing.mfa import with_totp
from orgs.models import Role, UnitRole
from outreach import services
from outreach.models import OutreachTask, Submission, SubmissionStatus

from .conftest import jpeg

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


@pytest.fixture
def sent(task, tree, member):
    return services.submit(task, tree["LA-CD-LTR"], images=[jpeg(), jpeg()], files=[], actor=member)


def submission_url(task, code="LA-CD-LTR"):
    return reverse("outreach:submission", args=[task.pk, code])


# What is asked of my chapter


def test_mine_shows_the_owner_the_tasks_they_set(client, owner, task):
    response = login(client, owner).get(reverse("outreach:mine"))

    assert response.status_code == 200
    assert response.context["set_by_me"][0]["task"] == task
    assert response.context["open_rows"] == []


def test_mine_shows_the_member_what_is_asked_of_their_commune(client, member, task):
    response = login(client, member).get(reverse("outreach:mine"))

    assert response.status_code == 200
    [row] = response.context["open_rows"]
    assert (row["task"], row["unit"].code, row["state"]) == (task, "LA-CD-LTR", "missing")
    assert submission_url(task).encode() in response.content
    assert response.context["set_by_me"] == []


def test_mine_shows_the_outsider_nothing_of_another_district(client, outsider, task):
    response = login(client, outsider).get(reverse("outreach:mine"))

    assert response.status_code == 200
    assert task.title.encode() not in response.content


def test_mine_needs_a_login(client, task):
    response = client.get(reverse("outreach:mine"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# The campaign's outreach tab


def test_campaign_tab_lists_the_owners_tasks_with_counts(client, owner, campaign, task, sent):
    response = login(client, owner).get(reverse("outreach:campaign", args=[campaign.slug]))

    assert response.status_code == 200
    [row] = response.context["rows"]
    assert (row["task"], row["expected"], row["waiting"], row["missing"]) == (task, 2, 1, 1)
    assert response.context["can_create"]


@pytest.mark.parametrize("person", ["member", "outsider"])
def test_campaign_tab_is_not_found_for_member_and_outsider(client, person, request, campaign):
    user = request.getfixturevalue(person)

    response = login(client, user).get(reverse("outreach:campaign", args=[campaign.slug]))

    assert response.status_code == 404


# New task


def test_owner_creates_a_task_with_a_local_deadline(client, owner, campaign, tree):
    day = (NOW + timedelta(days=10)).date()
    response = login(client, owner).post(
        reverse("outreach:create", args=[campaign.slug]),
        {
            "title": "Banner and launch photos",
            "instructions": "By 16/04",
            "from_unit": tree["LA-CD"].pk,
            "unit_kinds": ["commune"],
            "deadline_date": day.isoformat(),
            "deadline_time": "24:00",
            "wants_images": "2",
            "wants_files": "0",
            "reminder_days_before": "2",
        },
    )

    task = OutreachTask.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:task", args=[task.pk])
    local = task.deadline.astimezone(campaign.tz)
    assert (local.date(), local.hour) == (day + timedelta(days=1), 0)
    assert task.unit_kinds == ["commune"]


def test_new_task_form_shows_service_errors(client, owner, campaign, tree):
    response = login(client, owner).post(
        reverse("outreach:create", args=[campaign.slug]),
        {
            "title": "Nothing wanted",
            "from_unit": tree["LA-CD"].pk,
            "deadline_date": (NOW + timedelta(days=3)).date().isoformat(),
            "deadline_time": "17:00",
            "wants_images": "0",
            "wants_files": "0",
            "reminder_days_before": "2",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not OutreachTask.objects.exists()


def test_owner_sees_the_new_task_form(client, owner, campaign):
    response = login(client, owner).get(reverse("outreach:create", args=[campaign.slug]))

    assert response.status_code == 200
    assert b'name="deadline_date"' in response.content


@pytest.mark.parametrize("person", ["member", "outsider"])
def test_new_task_is_not_found_for_member_and_outsider(client, person, request, campaign):
    user = request.getfixturevalue(person)

    response = login(client, user).post(
        reverse("outreach:create", args=[campaign.slug]), {"title": "x"}
    )

    assert response.status_code == 404
    assert not OutreachTask.objects.exists()


def test_new_task_is_forbidden_to_view_only_staff_of_the_organiser(
    client, user_factory, tree, campaign
):
    viewer = user_factory("viewer@example.org")
    UnitRole.objects.create(user=viewer, unit=tree["LA-CD"], role=Role.STAFF)

    response = login(client, viewer).get(reverse("outreach:create", args=[campaign.slug]))

    assert response.status_code == 403


# Compliance


def test_compliance_shows_each_unit_and_filters_by_state(client, owner, task, sent):
    login(client, owner)

    everything = client.get(reverse("outreach:task", args=[task.pk]))
    missing = client.get(reverse("outreach:task", args=[task.pk]), {"state": "missing"})

    assert everything.status_code == 200
    assert [(s.unit.code, s.state) for s in everything.context["states"]] == [
        ("LA-CD-LTR", "submitted"),
        ("LA-CD-THPT", "missing"),
    ]
    thumb = reverse("outreach:thumbnail", args=[sent.files.first().pk])
    assert thumb.encode() in everything.content
    assert [s.unit.code for s in missing.context["states"]] == ["LA-CD-THPT"]


def test_the_province_organiser_sees_the_compliance_of_a_district_task(
    client, user_factory, tree, task
):
    province = with_totp(user_factory("province@example.org"))
    UnitRole.objects.create(user=province, unit=tree["LA"], role=Role.ADMIN)

    response = login(client, province).get(reverse("outreach:task", args=[task.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("person", ["member", "outsider"])
def test_compliance_is_not_found_for_member_and_outsider(client, person, request, task):
    user = request.getfixturevalue(person)

    response = login(client, user).get(reverse("outreach:task", args=[task.pk]))

    assert response.status_code == 404


# The unit's page: see, upload


def test_member_sees_the_upload_form_for_their_commune(client, member, task):
    response = login(client, member).get(submission_url(task))

    assert response.status_code == 200
    assert b'accept="image/*"' in response.content
    assert b'capture="environment"' in response.content
    assert not response.context["can_review"]


def test_member_uploads_photos_from_a_phone(client, member, task):
    response = login(client, member).post(
        submission_url(task), {"images": [jpeg("a.jpg"), jpeg("b.jpg")], "note": "Launch day"}
    )

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.unit.code, submission.note, submission.files.count()) == (
        "LA-CD-LTR",
        "Launch day",
        2,
    )


def test_upload_errors_name_each_refused_file(client, member, task):
    fake = jpeg("not-a-photo.jpg")
    fake.file.seek(0)
    fake.file.truncate()
    fake.file.write(b"plain text")
    fake.file.seek(0)

    response = login(client, member).post(
        submission_url(task), {"images": [jpeg("good.jpg"), fake]}
    )

    assert response.status_code == 400
    assert b"not-a-photo.jpg" in response.content
    assert not Submission.objects.exists()


def test_member_sees_the_organisers_comment_after_a_return(client, member, owner, task, sent):
    services.review(sent, approve=False, comment="Please show the whole banner.", actor=owner)

    response = login(client, member).get(submission_url(task))

    assert response.status_code == 200
    assert b"Please show the whole banner." in response.content
    assert response.context["can_upload"]


def test_member_cannot_open_a_sibling_unit(client, member, task):
    response = login(client, member).get(submission_url(task, "LA-CD-THPT"))

    assert response.status_code == 404


def test_owner_sees_the_review_form_of_a_waiting_submission(client, owner, task, sent):
    response = login(client, owner).get(submission_url(task))

    assert response.status_code == 200
    assert response.context["can_review"]


def test_outsider_can_neither_see_nor_upload_for_the_commune(client, outsider, task):
    login(client, outsider)

    seen = client.get(submission_url(task))
    posted = client.post(submission_url(task), {"images": [jpeg(), jpeg()]})

    assert (seen.status_code, posted.status_code) == (404, 404)
    assert not Submission.objects.exists()


# Review


def test_owner_approves_a_submission(client, owner, task, sent):
    response = login(client, owner).post(
        reverse("outreach:review", args=[task.pk, "LA-CD-LTR"]), {"decision": "approve"}
    )

    assert response.status_code == 302
    sent.refresh_from_db()
    assert (sent.status, sent.reviewed_by) == (SubmissionStatus.APPROVED, owner)


def test_owner_returns_a_submission_with_a_comment(client, owner, task, sent):
    login(client, owner).post(
        reverse("outreach:review", args=[task.pk, "LA-CD-LTR"]),
        {"decision": "return", "comment": "Too dark"},
    )

    sent.refresh_from_db()
    assert (sent.status, sent.comment) == (SubmissionStatus.RETURNED, "Too dark")


def test_review_takes_post_only(client, owner, task, sent):
    response = login(client, owner).get(reverse("outreach:review", args=[task.pk, "LA-CD-LTR"]))

    assert response.status_code == 405


@pytest.mark.parametrize("person", ["member", "outsider"])
def test_member_and_outsider_cannot_review(client, person, request, task, sent):
    user = request.getfixturevalue(person)

    response = login(client, user).post(
        reverse("outreach:review", args=[task.pk, "LA-CD-LTR"]), {"decision": "approve"}
    )

    assert response.status_code == 404
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.SUBMITTED


# Files


@pytest.mark.parametrize("person", ["owner", "member"])
def test_owner_and_member_get_the_image_and_its_thumbnail(client, person, request, sent):
    stored = sent.files.first()
    login(client, request.getfixturevalue(person))

    image = client.get(reverse("outreach:file", args=[stored.pk]))
    thumb = client.get(reverse("outreach:thumbnail", args=[stored.pk]))

    assert (image.status_code, image["Content-Type"]) == (200, "image/jpeg")
    assert thumb.status_code == 200
    assert b"".join(thumb.streaming_content).startswith(b"\xff\xd8")


def test_outsider_gets_no_file(client, outsider, sent):
    stored = sent.files.first()
    login(client, outsider)

    assert client.get(reverse("outreach:file", args=[stored.pk])).status_code == 404
    assert client.get(reverse("outreach:thumbnail", args=[stored.pk])).status_code == 404


def test_organiser_reviews_but_does_not_replace_a_waiting_submission(client, owner, task, sent):
    response = login(client, owner).get(submission_url(task))

    assert not response.context["can_upload"]


def test_organiser_may_send_for_a_unit_that_has_sent_nothing(client, owner, task):
    response = login(client, owner).get(submission_url(task, "LA-CD-THPT"))

    assert response.context["can_upload"]
    assert not response.context["can_review"]
