"""The review services: organisers decide flagged activities, participants
complain once about a rejection, organisers answer; every step audited and
told to the participant in their own language."""

from datetime import timedelta

import pytest

from activities import review
from activities.judging import rejudge_registration
from activities.models import ComplaintStatus, VerdictStatus
from activities.tests.factories import ActivityFactory, VerdictFactory
from campaigns.tests.factories import CampaignFactory
from core.errors import NotAllowed
from core.models import AuditEntry, Notice
from kindsteps.testing.clock import NOW, local_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA-CD"], slug="cd-review")


@pytest.fixture
def flagged(campaign, participant):
    return VerdictFactory(campaign=campaign, activity=ActivityFactory(user=participant))


@pytest.fixture
def rejected(campaign, participant):
    return VerdictFactory(
        campaign=campaign,
        activity=ActivityFactory(user=participant),
        status=VerdictStatus.REJECTED,
        credited_m=0,
    )


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


# ------------------------------------------------------------------ the queue


def test_queue_holds_flagged_and_complained_rejections_oldest_first(campaign, participant, tree):
    now = NOW
    newer = VerdictFactory(campaign=campaign, judged_at=now - timedelta(hours=1))
    older = VerdictFactory(campaign=campaign, judged_at=now - timedelta(hours=5))
    complained = VerdictFactory(
        campaign=campaign,
        activity=ActivityFactory(user=participant),
        status=VerdictStatus.REJECTED,
        judged_at=now - timedelta(hours=3),
    )
    review.complain(complained, "Tôi đi bộ thật, GPS bị lỗi.", user=participant)
    VerdictFactory(campaign=campaign, status=VerdictStatus.REJECTED)  # no complaint
    VerdictFactory(campaign=campaign, status=VerdictStatus.ACCEPTED)
    VerdictFactory(campaign=CampaignFactory(organiser_unit=tree["LA-CG"]))

    assert list(review.review_queue(campaign)) == [older, complained, newer]


# ------------------------------------------------------------------ decisions


def test_organiser_accepts_a_flagged_activity_and_it_counts(flagged, owner, participant):
    verdict = review.decide(flagged, VerdictStatus.ACCEPTED, "Looks right", actor=owner)

    verdict.refresh_from_db()
    assert verdict.status == VerdictStatus.ACCEPTED
    assert verdict.credited_m == 5000
    assert verdict.decided_by == owner and verdict.decided_at is not None
    assert verdict.decision_note == "Looks right"
    entry = AuditEntry.objects.get(action="activities.verdict.decided")
    assert entry.actor == owner and entry.campaign == flagged.campaign
    assert entry.data["from"] == "flagged" and entry.data["to"] == "accepted"
    assert Notice.objects.get(user=participant).code == "activities.verdict.accepted"


def test_organiser_rejects_with_a_note_and_nothing_is_credited(flagged, owner, participant):
    review.decide(flagged, VerdictStatus.REJECTED, "Đi xe máy từ km 2", actor=owner)

    flagged.refresh_from_db()
    assert (flagged.status, flagged.credited_m) == ("rejected", 0)
    notice = Notice.objects.get(user=participant)
    assert notice.code == "activities.verdict.rejected"
    assert "Đi xe máy từ km 2" in notice.body


def test_rejection_without_a_note_is_refused(flagged, owner):
    with pytest.raises(review.ReviewError) as error:
        review.decide(flagged, VerdictStatus.REJECTED, "   ", actor=owner)

    assert error.value.code == "reason_required"
    flagged.refresh_from_db()
    assert flagged.status == VerdictStatus.FLAGGED and flagged.decided_by is None
    assert actions() == []


def test_a_decision_other_than_accept_or_reject_is_refused(flagged, owner):
    with pytest.raises(review.ReviewError) as error:
        review.decide(flagged, VerdictStatus.FLAGGED, "hm", actor=owner)
    assert error.value.code == "invalid_decision"


@pytest.mark.parametrize("who", ["member", "outsider", "participant"])
def test_only_organisers_may_decide(flagged, who, request):
    with pytest.raises(NotAllowed) as error:
        review.decide(flagged, VerdictStatus.ACCEPTED, "", actor=request.getfixturevalue(who))

    assert error.value.status == 403
    flagged.refresh_from_db()
    assert flagged.status == VerdictStatus.FLAGGED
    assert actions() == []


def test_staff_of_a_unit_above_the_organiser_may_decide(flagged, user_factory, tree):
    from orgs.models import Role, UnitRole

    province = user_factory("province@example.org")
    UnitRole.objects.create(user=province, unit=tree["LA"], role=Role.STAFF)

    review.decide(flagged, VerdictStatus.ACCEPTED, "", actor=province)
    flagged.refresh_from_db()
    assert flagged.status == VerdictStatus.ACCEPTED


def test_manual_accept_credits_only_what_the_daily_cap_leaves(campaign, participant, owner):
    campaign.rules = {"daily_cap_m": 5000}
    campaign.save()
    VerdictFactory(
        campaign=campaign,
        activity=ActivityFactory(user=participant, started_at=local_at(0, 7), distance_m=3000),
        status=VerdictStatus.ACCEPTED,
        credited_m=3000,
        reasons=[],
    )
    flagged = VerdictFactory(
        campaign=campaign,
        activity=ActivityFactory(user=participant, started_at=local_at(0, 9), distance_m=4000),
    )

    verdict = review.decide(flagged, VerdictStatus.ACCEPTED, "", actor=owner)

    assert verdict.credited_m == 2000
    assert AuditEntry.objects.get().data["credited_m"] == 2000


def test_manual_accept_of_another_day_gets_its_whole_distance(campaign, participant, owner):
    campaign.rules = {"daily_cap_m": 5000}
    campaign.save()
    VerdictFactory(
        campaign=campaign,
        activity=ActivityFactory(user=participant, started_at=local_at(-2, 7), distance_m=5000),
        status=VerdictStatus.ACCEPTED,
        credited_m=5000,
        reasons=[],
    )
    flagged = VerdictFactory(
        campaign=campaign,
        activity=ActivityFactory(user=participant, started_at=local_at(0, 7), distance_m=4000),
    )

    assert review.decide(flagged, VerdictStatus.ACCEPTED, "", actor=owner).credited_m == 4000


def test_a_later_rejudge_leaves_a_decided_verdict_alone(flagged, owner):
    review.decide(flagged, VerdictStatus.REJECTED, "Không hợp lệ", actor=owner)

    rejudge_registration(flagged.registration_id)

    flagged.refresh_from_db()
    assert flagged.status == VerdictStatus.REJECTED
    assert flagged.credited_m == 0
    assert flagged.decision_note == "Không hợp lệ"


def test_a_rejudge_does_judge_undecided_verdicts_again(flagged):
    rejudge_registration(flagged.registration_id)

    flagged.refresh_from_db()
    # Nothing is wrong with the stored facts: the flag from the factory goes.
    assert flagged.status == VerdictStatus.ACCEPTED
    assert flagged.decided_by is None


# ------------------------------------------------------------------ complaints


def test_participant_complains_once_about_a_rejection(rejected, participant):
    complaint = review.complain(rejected, "  Tôi đi bộ thật, GPS bị lỗi.  ", user=participant)

    assert complaint.text == "Tôi đi bộ thật, GPS bị lỗi."
    assert complaint.status == ComplaintStatus.OPEN
    entry = AuditEntry.objects.get(action="activities.complaint.created")
    assert entry.actor == participant and entry.campaign == rejected.campaign

    with pytest.raises(review.ReviewError) as error:
        review.complain(rejected, "Một lần nữa, xin xem lại.", user=participant)
    assert error.value.code == "already_complained"


def test_only_the_owner_may_complain(rejected, owner):
    with pytest.raises(NotAllowed):
        review.complain(rejected, "Không phải của tôi nhưng vẫn muốn", user=owner)


@pytest.mark.parametrize("status", [VerdictStatus.ACCEPTED, VerdictStatus.FLAGGED])
def test_only_a_rejected_activity_can_be_complained_about(campaign, participant, status):
    verdict = VerdictFactory(
        campaign=campaign, activity=ActivityFactory(user=participant), status=status
    )
    with pytest.raises(review.ReviewError) as error:
        review.complain(verdict, "Tôi muốn khiếu nại việc này.", user=participant)
    assert error.value.code == "not_rejected"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "complaint_too_short"),
        ("  ngắn     ", "complaint_too_short"),
        ("x" * (review.COMPLAINT_MAX_CHARS + 1), "complaint_too_long"),
    ],
)
def test_complaint_length_is_limited(rejected, participant, text, code):
    with pytest.raises(review.ReviewError) as error:
        review.complain(rejected, text, user=participant)
    assert error.value.code == code
    assert not hasattr(rejected, "complaint") or rejected.complaint is None


def test_complaint_of_exactly_the_limits_is_taken(rejected, participant):
    complaint = review.complain(rejected, "x" * review.COMPLAINT_MAX_CHARS, user=participant)
    assert len(complaint.text) == review.COMPLAINT_MAX_CHARS


def test_upheld_complaint_accepts_the_activity_and_tells_the_participant_in_english(
    rejected, participant, owner
):
    participant.preferred_language = "en"
    participant.save()
    complaint = review.complain(rejected, "I really walked, the GPS failed.", user=participant)

    review.answer_complaint(complaint, True, "Bạn nói đúng, xin lỗi.", actor=owner)

    complaint.refresh_from_db()
    rejected.refresh_from_db()
    assert complaint.status == ComplaintStatus.UPHELD
    assert complaint.answered_by == owner and complaint.answer == "Bạn nói đúng, xin lỗi."
    assert rejected.status == VerdictStatus.ACCEPTED and rejected.credited_m == 5000
    notice = Notice.objects.get(user=participant)
    assert notice.title.startswith("Your activity of ")
    assert "counts in" in notice.title
    assert "Bạn nói đúng, xin lỗi." in notice.body
    assert actions() == [
        "activities.complaint.created",
        "activities.complaint.answered",
        "activities.verdict.decided",
    ]


def test_dismissed_complaint_keeps_the_rejection_and_tells_the_participant_in_their_language(
    rejected, participant, owner
):
    participant.preferred_language = "en"
    participant.save()
    complaint = review.complain(rejected, "Tôi đi bộ thật, GPS bị lỗi.", user=participant)

    review.answer_complaint(complaint, False, "Tốc độ 40 km/h ở km 3.", actor=owner)

    complaint.refresh_from_db()
    rejected.refresh_from_db()
    assert complaint.status == ComplaintStatus.DISMISSED
    assert rejected.status == VerdictStatus.REJECTED and rejected.credited_m == 0
    notice = Notice.objects.get(user=participant)
    assert notice.code == "activities.complaint.dismissed"
    assert notice.title.startswith("Your complaint about the activity of ")
    assert notice.title.endswith("was not upheld")
    assert "Tốc độ 40 km/h ở km 3." in notice.body
    entry = AuditEntry.objects.get(action="activities.complaint.answered")
    assert entry.data == {"status": "dismissed", "answer": "Tốc độ 40 km/h ở km 3."}


def test_a_complaint_is_answered_once(rejected, participant, owner):
    complaint = review.complain(rejected, "Tôi đi bộ thật, GPS bị lỗi.", user=participant)
    review.answer_complaint(complaint, False, "Không.", actor=owner)

    with pytest.raises(review.ReviewError) as error:
        review.answer_complaint(complaint, True, "Thôi được.", actor=owner)

    assert error.value.code == "already_answered"
    rejected.refresh_from_db()
    assert rejected.status == VerdictStatus.REJECTED
    assert actions().count("activities.complaint.answered") == 1


def test_an_answer_is_required(rejected, participant, owner):
    complaint = review.complain(rejected, "Tôi đi bộ thật, GPS bị lỗi.", user=participant)
    with pytest.raises(review.ReviewError) as error:
        review.answer_complaint(complaint, False, " ", actor=owner)
    assert error.value.code == "answer_required"


def test_only_organisers_answer_complaints(rejected, participant, member):
    complaint = review.complain(rejected, "Tôi đi bộ thật, GPS bị lỗi.", user=participant)
    with pytest.raises(NotAllowed):
        review.answer_complaint(complaint, True, "Được", actor=member)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.OPEN
