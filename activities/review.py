"""What people do to verdicts: organisers decide the flagged ones, participants
complain once about a rejection, organisers answer. Every step is audited and
the participant is told, in their own language."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.judging import _Ledger, _locked, rejudge_registration
from activities.models import (
    Activity,
    Complaint,
    ComplaintStatus,
    Sport,
    Verdict,
    VerdictStatus,
)
from activities.rules import campaign_day
from activities.signals import verdicts_changed
from campaigns.access import is_organiser
from campaigns.rules import merged_rules
from core.audit import log_action
from core.errors import DomainError, NotAllowed
from core.formatting import local_date
from core.notices import notify

COMPLAINT_MIN_CHARS = 10
COMPLAINT_MAX_CHARS = 500


class ReviewError(DomainError):
    code = "review_error"


def activity_url(activity: Activity) -> str:
    return reverse("activities:detail", args=[activity.pk])


def review_queue(campaign) -> QuerySet[Verdict]:
    """Flagged activities, then rejected ones with an open complaint, oldest first."""
    return (
        Verdict.objects.filter(campaign=campaign)
        .filter(Q(status=VerdictStatus.FLAGGED) | Q(complaint__status=ComplaintStatus.OPEN))
        .select_related("activity__user", "registration__unit", "complaint")
        .order_by("judged_at", "pk")
    )


def _credit_if_accepted(verdict: Verdict) -> int:
    """What accepting this activity by hand credits: all of it, within the daily cap."""
    cap = merged_rules(verdict.campaign.rules).get("daily_cap_m")
    distance = verdict.activity.distance_m
    if cap is None:
        return distance
    ledger = _Ledger.of(verdict.registration, exclude=[verdict.activity])
    day = campaign_day(verdict.activity.started_at, verdict.campaign.time_zone)
    return max(0, min(distance, cap - ledger.by_day.get(day, 0)))


def decide(verdict: Verdict, status: str, note: str, *, actor) -> Verdict:
    """An organiser accepts or rejects an activity in their campaign, with a reason."""
    if not is_organiser(actor, verdict.campaign):
        raise NotAllowed(_("Only the campaign's organisers can decide on activities."))
    if status not in (VerdictStatus.ACCEPTED, VerdictStatus.REJECTED):
        raise ReviewError(_("Choose to accept or reject the activity."), code="invalid_decision")
    note = (note or "").strip()
    if status == VerdictStatus.REJECTED and not note:
        raise ReviewError(
            _("Say why the activity is rejected; the participant will read it."),
            code="reason_required",
        )
    with transaction.atomic():
        _locked(verdict.registration_id)
        verdict = Verdict.objects.select_related("activity__user", "campaign", "registration").get(
            pk=verdict.pk
        )
        before = verdict.status
        verdict.status = status
        verdict.credited_m = _credit_if_accepted(verdict) if status == "accepted" else 0
        verdict.decided_by = actor
        verdict.decided_at = timezone.now()
        verdict.decision_note = note[:500]
        verdict.save(
            update_fields=["status", "credited_m", "decided_by", "decided_at", "decision_note"]
        )
        log_action(
            "activities.verdict.decided",
            verdict,
            actor=actor,
            campaign=verdict.campaign,
            data={
                "activity": verdict.activity_id,
                "from": before,
                "to": status,
                "credited_m": verdict.credited_m,
                "note": verdict.decision_note,
            },
        )
        verdicts_changed.send(Verdict, registration_id=verdict.registration_id)
        _notify_decision(verdict)
    return verdict


def _notify_decision(verdict: Verdict) -> None:
    campaign = verdict.campaign
    if verdict.status == VerdictStatus.ACCEPTED:
        title = _("Your activity of %(date)s counts in %(campaign)s")
    else:
        title = _("Your activity of %(date)s does not count in %(campaign)s")
    notify(
        verdict.activity.user,
        f"activities.verdict.{verdict.status}",
        title=title,
        body=_("The organisers reviewed it: %(note)s") if verdict.decision_note else "",
        url=activity_url(verdict.activity),
        params={
            "date": local_date(verdict.activity.started_at, campaign.tz),
            "campaign": lambda: campaign.title,
            "note": verdict.decision_note,
        },
    )


def complain(verdict: Verdict, text: str, *, user) -> Complaint:
    """A participant objects, once, to the rejection of their own activity."""
    if verdict.activity.user_id != user.pk:
        raise NotAllowed(_("You can only complain about your own activities."))
    if verdict.status != VerdictStatus.REJECTED:
        raise ReviewError(
            _("Only a rejected activity can be complained about."), code="not_rejected"
        )
    text = (text or "").strip()
    if len(text) < COMPLAINT_MIN_CHARS:
        raise ReviewError(
            _("Tell the organisers in a few words what happened (at least %(n)s characters).")
            % {"n": COMPLAINT_MIN_CHARS},
            code="complaint_too_short",
        )
    if len(text) > COMPLAINT_MAX_CHARS:
        raise ReviewError(
            _("Keep it under %(n)s characters.") % {"n": COMPLAINT_MAX_CHARS},
            code="complaint_too_long",
        )
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(verdict=verdict, user=user, text=text)
            log_action(
                "activities.complaint.created",
                complaint,
                actor=user,
                campaign=verdict.campaign,
                data={"verdict": verdict.pk, "activity": verdict.activity_id},
            )
    except IntegrityError:
        raise ReviewError(
            _("You have already complained about this activity."), code="already_complained"
        ) from None
    return complaint


def answer_complaint(complaint: Complaint, upheld: bool, answer: str, *, actor) -> Complaint:
    """An organiser upholds a complaint (the activity counts) or dismisses it, saying why."""
    verdict = complaint.verdict
    if not is_organiser(actor, verdict.campaign):
        raise NotAllowed(_("Only the campaign's organisers can answer complaints."))
    answer = (answer or "").strip()
    if not answer:
        raise ReviewError(
            _("Write an answer; the participant will read it."), code="answer_required"
        )
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if complaint.status != ComplaintStatus.OPEN:
            raise ReviewError(
                _("This complaint has already been answered."), code="already_answered"
            )
        complaint.status = ComplaintStatus.UPHELD if upheld else ComplaintStatus.DISMISSED
        complaint.answered_by = actor
        complaint.answered_at = timezone.now()
        complaint.answer = answer[:500]
        complaint.save(update_fields=["status", "answered_by", "answered_at", "answer"])
        log_action(
            "activities.complaint.answered",
            complaint,
            actor=actor,
            campaign=verdict.campaign,
            data={"status": complaint.status, "answer": complaint.answer},
        )
        if upheld:
            decide(verdict, VerdictStatus.ACCEPTED, answer, actor=actor)
        else:
            notify(
                complaint.user,
                "activities.complaint.dismissed",
                title=_("Your complaint about the activity of %(date)s was not upheld"),
                body=_("The organisers answered: %(answer)s"),
                url=activity_url(verdict.activity),
                params={
                    "date": local_date(verdict.activity.started_at, verdict.campaign.tz),
                    "answer": complaint.answer,
                },
            )
    return complaint


def change_sport(activity: Activity, sport: str, *, user) -> Activity:
    """The owner corrects the sport a file said (or we guessed); every verdict is redone."""
    if activity.user_id != user.pk:
        raise NotAllowed(_("You can only change your own activities."))
    if sport not in Sport.values:
        raise ReviewError(_("Choose walk, run or other."), code="invalid_sport")
    if sport == activity.sport:
        return activity
    from activities.facts import facts_from_track
    from activities.judging import load_track
    from activities.pipeline import _anomalies
    from activities.track import summarise

    activity.sport = sport
    track = load_track(activity) if activity.has_gps and not activity.is_manual else None
    if track is not None:
        facts = facts_from_track(track, summarise(track), sport)
        activity.gps_jumps, activity.vehicle_segments = _anomalies(facts)
    activity.save(update_fields=["sport", "gps_jumps", "vehicle_segments"])
    log_action("activities.activity.sport_changed", activity, actor=user, data={"sport": sport})
    for registration_id in set(activity.verdicts.values_list("registration_id", flat=True)):
        rejudge_registration(registration_id)
    return activity


def delete_activity(activity: Activity, *, user) -> None:
    """The owner removes an activity (or its tracker withdrew it); the original file stays
    stored, the rest is redone. When it was the copy of a walk that counted, the next copy
    counts in its place (activities/copies.py)."""
    from activities.copies import lock_person, settle

    if activity.user_id != user.pk:
        raise NotAllowed(_("You can only delete your own activities."))
    with transaction.atomic():
        lock_person(activity.user_id)
        span = (activity.started_at, activity.ended_at)
        near = [activity.pk, *activity.copies.values_list("pk", flat=True)]
        if activity.copy_of_id:
            near.append(activity.copy_of_id)
        registrations = set(
            Verdict.objects.filter(activity_id__in=near).values_list("registration_id", flat=True)
        )
        log_action(
            "activities.activity.deleted",
            activity,
            actor=user,
            data={"external_id": activity.external_id, "distance_m": activity.distance_m},
        )
        activity.delete()
        changed = settle(user.pk, [span])
        registrations |= set(
            Verdict.objects.filter(activity_id__in=changed).values_list(
                "registration_id", flat=True
            )
        )
        for registration_id in sorted(registrations):
            rejudge_registration(registration_id)
