"""The organisers' review screens — queue, one item with its decisions, and the
history — for the owner (organiser), a member (commune staff who may look at
their commune's items) and an outsider."""

from datetime import timedelta

import pytest
from django.urls import reverse

from activities import review
from activities.models import ComplaintStatus, VerdictStatus
from activities.tests.factories import ActivityFactory, VerdictFactory, reason
from campaigns.tests.factories import CampaignFactory
from core.models import AuditEntry
from kindsteps.testing.clock import NOW, local_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA-CD"], slug="cd-review")


@pytest.fixture
def flagged(campaign, participant, tree):
    verdict = VerdictFactory(
        campaign=campaign,
        activity=ActivityFactory(user=participant, started_at=local_at(0, 8)),
        judged_at=NOW - timedelta(hours=2),
    )
    verdict.registration.unit = tree["LA-CD-THPT"]
    verdict.registration.save()
    return verdict


@pytest.fixture
def commune_item(campaign, user_factory, tree):
    """A flagged vehicle-speed activity of someone from the member's commune."""
    walker = user_factory("commune@example.org", full_name="Trần Văn Xã")
    verdict = VerdictFactory(
        campaign=campaign,
        activity=ActivityFactory(user=walker, distance_m=7300),
        judged_at=NOW - timedelta(hours=1),
        reasons=[reason("vehicle_speed", "Tốc độ như đi xe.", "Vehicle-fast for 2 km.")],
    )
    verdict.registration.unit = tree["LA-CD-LTR"]
    verdict.registration.save()
    return verdict


@pytest.fixture
def complained(campaign, user_factory, tree):
    """A rejected activity its owner complained about."""
    walker = user_factory("complainer@example.org", full_name="Phạm Thị Khiếu")
    verdict = VerdictFactory(
        campaign=campaign,
        activity=ActivityFactory(user=walker),
        status=VerdictStatus.REJECTED,
        credited_m=0,
        judged_at=NOW - timedelta(minutes=30),
    )
    review.complain(verdict, "Tôi đi bộ thật, đồng hồ bị lỗi GPS.", user=walker)
    return verdict


def queue_url(campaign) -> str:
    return reverse("review:queue", args=[campaign.slug])


def detail_url(verdict) -> str:
    return reverse("review:detail", args=[verdict.campaign.slug, verdict.pk])


def decide_url(verdict) -> str:
    return reverse("review:decide", args=[verdict.campaign.slug, verdict.pk])


def answer_url(verdict) -> str:
    return reverse("review:answer", args=[verdict.campaign.slug, verdict.pk])


# ------------------------------------------------------------------ the queue


def test_owner_sees_every_item_oldest_first_with_its_reasons_and_complaint(
    client, owner, flagged, commune_item, complained
):
    client.force_login(owner)
    body = client.get(queue_url(flagged.campaign)).content.decode()

    assert body.index("Lê Minh Anh") < body.index("Trần Văn Xã") < body.index("Phạm Thị Khiếu")
    assert "Định vị nhảy 850 m ở km 2,4." in body
    assert "Tốc độ như đi xe." in body
    assert "Tôi đi bộ thật, đồng hồ bị lỗi GPS." in body
    assert f"#{flagged.registration.bib}" in body
    assert "Hội CTĐ CS Trường THPT Cần Đước" in body
    assert "7,30 km" in body


def test_queue_shows_the_date_in_the_campaigns_time_zone(client, owner, campaign, participant):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    start = datetime(2026, 11, 28, 23, 30, tzinfo=ZoneInfo("UTC"))  # 06:30 on the 29th in Hanoi
    VerdictFactory(campaign=campaign, activity=ActivityFactory(user=participant, started_at=start))
    client.force_login(owner)

    assert "06:30 29/11/2026" in client.get(queue_url(campaign)).content.decode()


def test_queue_filters_by_unit_subtree(client, owner, flagged, commune_item):
    client.force_login(owner)
    body = client.get(queue_url(flagged.campaign), {"unit": "LA-CD-LTR"}).content.decode()
    assert "Trần Văn Xã" in body and "Lê Minh Anh" not in body

    body = client.get(queue_url(flagged.campaign), {"unit": "LA-CD"}).content.decode()
    assert "Trần Văn Xã" in body and "Lê Minh Anh" in body


def test_queue_filters_by_reason_code(client, owner, flagged, commune_item):
    client.force_login(owner)
    body = client.get(queue_url(flagged.campaign), {"reason": "vehicle_speed"}).content.decode()
    assert "Trần Văn Xã" in body and "Lê Minh Anh" not in body


def test_queue_is_paginated_by_fifty(client, owner, campaign):
    for _n in range(51):
        VerdictFactory(campaign=campaign)
    client.force_login(owner)
    first = client.get(queue_url(campaign))
    second = client.get(queue_url(campaign), {"page": 2})

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 1


def test_nav_counts_the_items_waiting(client, owner, flagged, complained):
    client.force_login(owner)
    body = client.get(reverse("campaigns:manage_targets", args=[flagged.campaign.slug])).content
    assert b'badge badge-count" title="' in body
    assert client.get(queue_url(flagged.campaign)).context["page"].paginator.count == 2


def test_member_sees_only_their_communes_items_without_decision_buttons(
    client, member, flagged, commune_item
):
    client.force_login(member)
    response = client.get(queue_url(flagged.campaign))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Trần Văn Xã" in body and "Lê Minh Anh" not in body

    detail = client.get(detail_url(commune_item)).content.decode()
    assert "Trần Văn Xã" in detail
    assert decide_url(commune_item) not in detail
    assert client.get(detail_url(flagged)).status_code == 404


def test_member_cannot_decide(client, member, commune_item):
    client.force_login(member)
    response = client.post(decide_url(commune_item), {"decision": "accepted", "note": ""})

    assert response.status_code == 403
    commune_item.refresh_from_db()
    assert commune_item.status == VerdictStatus.FLAGGED


def test_outsider_gets_not_found(client, outsider, flagged):
    client.force_login(outsider)
    assert client.get(queue_url(flagged.campaign)).status_code == 404
    assert client.get(detail_url(flagged)).status_code == 404
    assert client.post(decide_url(flagged), {"decision": "accepted"}).status_code == 404
    assert client.get(reverse("review:history", args=[flagged.campaign.slug])).status_code == 404


def test_anonymous_is_sent_to_log_in(client, flagged):
    response = client.get(queue_url(flagged.campaign))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_verdict_of_another_campaign_is_not_found(client, owner, campaign, tree):
    other = VerdictFactory(campaign=CampaignFactory(organiser_unit=tree["LA-CD"]))
    client.force_login(owner)
    url = reverse("review:detail", args=[campaign.slug, other.pk])
    assert client.get(url).status_code == 404


# ------------------------------------------------------------------ one item


def test_detail_shows_facts_reasons_full_track_and_the_days_other_activities(
    client, owner, flagged, participant
):
    same_day = ActivityFactory(
        user=participant,
        started_at=flagged.activity.started_at - timedelta(minutes=30),
        distance_m=2100,
    )
    VerdictFactory(
        campaign=flagged.campaign,
        activity=same_day,
        status=VerdictStatus.ACCEPTED,
        reasons=[],
    )
    ActivityFactory(user=participant, started_at=flagged.activity.started_at - timedelta(days=2))
    client.force_login(owner)

    response = client.get(detail_url(flagged))
    body = response.content.decode()

    assert response.status_code == 200
    assert "5,00 km" in body
    assert "Định vị nhảy 850 m ở km 2,4." in body
    # The evidence in words, with Vietnamese number formats: never its raw keys.
    assert "149,4 km/h" in body and "0,85 km" in body and "43,2 km/h" in body
    assert "speed_mps" not in body and "excluded_m" not in body
    assert "[[10.6301, 106.4901], [10.6352, 106.495], [10.64, 106.5001]]" in body
    assert "activities/activity.js" in body
    assert [row["activity"] for row in response.context["same_day"]] == [same_day]
    assert response.context["same_day"][0]["overlaps"] is True
    assert decide_url(flagged) in body


def test_detail_in_english_via_the_language_cookie(client, owner, flagged):
    client.cookies["kindsteps_language"] = "en"
    client.force_login(owner)
    body = client.get(detail_url(flagged)).content.decode()

    assert "The GPS jumped 850 m at km 2.4." in body
    assert "Left out of the distance" in body and "149.4 km/h" in body
    assert "Định vị nhảy" not in body
    assert "5.00 km" in body
    assert "Accept" in body


def test_owner_accepts_and_goes_to_the_next_item(client, owner, flagged, commune_item):
    client.force_login(owner)
    response = client.post(decide_url(flagged), {"decision": "accepted", "note": ""})

    assert response.status_code == 302
    assert response["Location"] == detail_url(commune_item)
    flagged.refresh_from_db()
    assert flagged.status == VerdictStatus.ACCEPTED and flagged.decided_by == owner


def test_owner_rejects_with_a_note_and_the_queue_keeps_the_filter(
    client, owner, flagged, commune_item
):
    client.force_login(owner)
    response = client.post(
        decide_url(commune_item),
        {"decision": "rejected", "note": "Đi xe máy", "reason": "vehicle_speed"},
    )

    # Nothing else has that reason: back to the filtered queue.
    assert response.status_code == 302
    assert response["Location"] == queue_url(flagged.campaign) + "?reason=vehicle_speed"
    commune_item.refresh_from_db()
    assert commune_item.status == VerdictStatus.REJECTED
    assert commune_item.decision_note == "Đi xe máy"


def test_rejecting_without_a_note_shows_the_error_inline(client, owner, flagged):
    client.cookies["kindsteps_language"] = "en"
    client.force_login(owner)
    response = client.post(decide_url(flagged), {"decision": "rejected", "note": "  "})

    assert response.status_code == 400
    assert "Say why the activity is rejected" in response.content.decode()
    flagged.refresh_from_db()
    assert flagged.status == VerdictStatus.FLAGGED


def test_a_made_up_decision_is_an_inline_error_not_a_crash(client, owner, flagged):
    client.force_login(owner)
    response = client.post(decide_url(flagged), {"decision": "maybe"})
    assert response.status_code == 400


def test_decisions_are_post_only(client, owner, flagged):
    client.force_login(owner)
    assert client.get(decide_url(flagged)).status_code == 405
    assert client.get(answer_url(flagged)).status_code == 405


def test_decisions_need_the_csrf_token(owner, flagged):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(decide_url(flagged), {"decision": "accepted"}).status_code == 403


def test_owner_upholds_a_complaint(client, owner, complained):
    client.force_login(owner)
    response = client.post(answer_url(complained), {"upheld": "1", "answer": "Đúng, xin lỗi."})

    assert response.status_code == 302
    complained.refresh_from_db()
    assert complained.status == VerdictStatus.ACCEPTED
    assert complained.complaint.status == ComplaintStatus.UPHELD


def test_owner_dismisses_a_complaint(client, owner, complained):
    client.force_login(owner)
    client.post(answer_url(complained), {"upheld": "0", "answer": "Tốc độ 40 km/h."})

    complained.refresh_from_db()
    assert complained.status == VerdictStatus.REJECTED
    assert complained.complaint.status == ComplaintStatus.DISMISSED
    assert complained.complaint.answer == "Tốc độ 40 km/h."


def test_answering_twice_is_an_inline_error(client, owner, complained):
    client.cookies["kindsteps_language"] = "en"
    client.force_login(owner)
    client.post(answer_url(complained), {"upheld": "0", "answer": "Không."})
    response = client.post(answer_url(complained), {"upheld": "1", "answer": "Thôi được."})

    assert response.status_code == 400
    assert "already been answered" in response.content.decode()


def test_an_empty_answer_is_an_inline_error(client, owner, complained):
    client.force_login(owner)
    response = client.post(answer_url(complained), {"upheld": "1", "answer": ""})
    assert response.status_code == 400
    complained.refresh_from_db()
    assert complained.complaint.status == ComplaintStatus.OPEN


def test_answer_form_is_offered_only_for_an_open_complaint(client, owner, complained):
    client.force_login(owner)
    body = client.get(detail_url(complained)).content.decode()
    assert answer_url(complained) in body and decide_url(complained) not in body


# ------------------------------------------------------------------ history


def test_history_lists_every_decision_newest_first(client, owner, flagged, complained):
    review.decide(flagged, VerdictStatus.REJECTED, "Nhảy GPS quá xa", actor=owner)
    review.answer_complaint(complained.complaint, False, "Giữ nguyên", actor=owner)
    client.force_login(owner)

    response = client.get(reverse("review:history", args=[flagged.campaign.slug]))
    body = response.content.decode()

    assert [row["entry"].action for row in response.context["rows"]] == [
        "activities.complaint.answered",
        "activities.verdict.decided",
        "activities.complaint.created",
    ]
    assert body.index("Giữ nguyên") < body.index("Nhảy GPS quá xa")
    assert "Tôi đi bộ thật, đồng hồ bị lỗi GPS." in body
    assert "Chủ Huyện Hội" in body
    assert detail_url(flagged) in body and detail_url(complained) in body


def test_history_for_a_member_holds_only_their_communes_items(
    client, owner, member, flagged, commune_item
):
    review.decide(flagged, VerdictStatus.REJECTED, "Không hợp lệ", actor=owner)
    review.decide(commune_item, VerdictStatus.ACCEPTED, "Được", actor=owner)
    client.force_login(member)

    rows = client.get(reverse("review:history", args=[flagged.campaign.slug])).context["rows"]

    assert [row["verdict_id"] for row in rows] == [commune_item.pk]
    assert AuditEntry.objects.count() == 2
