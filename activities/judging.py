"""Verdicts in the database: one per activity and campaign the person is in.

Each judgement locks the person's registration row, so two activities of the
same person never both take the last metres of a daily cap or both count as
the same effort. Reason messages are stored in every language of the site, so
a verdict reads in the language of whoever looks at it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from activities.facts import context_for_campaign, device_over_path, facts_from_track
from activities.models import Activity, Verdict, VerdictStatus
from activities.rules import (
    ActivityFacts,
    CountedActivity,
    GpsJump,
    VehicleSegment,
    campaign_day,
    copy_verdict,
    judge,
    track_limits,
)
from activities.signals import Credit, credits_added, verdicts_changed
from activities.track import summarise
from campaigns.models import Registration, RegistrationStatus

COUNTED = (VerdictStatus.ACCEPTED, VerdictStatus.FLAGGED)
# A campaign judges the activities that come within this of its dates; those
# just outside (a run across the closing midnight) get their outside_window.
NEAR_WINDOW = timedelta(days=1)


def rules_hash(rules: dict) -> str:
    return hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()[:16]


def load_track(activity: Activity):
    """The activity's full track, read again from its original file (None without one)."""
    from activities.parsers import parse_upload

    upload = activity.upload
    if upload is None:
        return None
    with upload.stored_file.content.open("rb") as fh:
        data = fh.read()
    _digest, _, rest = activity.external_id.partition("/")
    index = int(activity.external_id.rsplit("#", 1)[1])
    member = rest.rsplit("#", 1)[0] if rest else None
    for result in parse_upload(data, upload.filename):
        name_matches = member is None or member in (
            result.name,
            hashlib.sha256(result.name.encode()).hexdigest(),
        )
        if result.ok and name_matches and index < len(result.tracks):
            return result.tracks[index]
    return None


def facts_for(activity: Activity, rules: dict) -> ActivityFacts:
    """What `judge` needs to know about a stored activity under these rules."""
    if activity.has_gps and not activity.is_manual:
        stored_limits = track_limits({}, activity.sport)
        if track_limits(rules, activity.sport) != stored_limits:
            track = load_track(activity)
            if track is not None:
                return facts_from_track(track, summarise(track), activity.sport, rules)
    return ActivityFacts(
        sport=activity.sport,
        start=activity.started_at,
        end=activity.ended_at,
        elapsed_s=activity.elapsed_s,
        moving_s=activity.moving_s,
        distance_m=activity.distance_m,
        splits_s=tuple(activity.splits_s or ()),
        has_gps=activity.has_gps,
        is_manual=activity.is_manual,
        max_speed_mps=activity.max_speed_mps,
        gps_jumps=tuple(GpsJump(**jump) for jump in activity.gps_jumps or ()),
        vehicle_segments=tuple(VehicleSegment(**seg) for seg in activity.vehicle_segments or ()),
        device_over_path=device_over_path(activity.parse_notes),
    )


def _judge_in_every_language(facts, context, copy=None):
    """The verdict, with each reason's message in every language of the site; for a
    copy of a walk that counts from another source, only that it does not count."""
    verdicts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            verdicts[code] = (
                copy_verdict(copy, context.time_zone) if copy else judge(facts, context)
            )
    first = verdicts[settings.LANGUAGE_CODE]
    reasons = [
        {
            "code": reason.code,
            "evidence": reason.evidence,
            "messages": {code: verdicts[code].reasons[i].message for code in verdicts},
        }
        for i, reason in enumerate(first.reasons)
    ]
    return first, reasons


class _Ledger:
    """What a registration has counted so far: metres per campaign day and efforts."""

    def __init__(self, time_zone: str):
        self.time_zone = time_zone
        self.by_day: dict = defaultdict(int)
        self.counted: list[CountedActivity] = []

    def add(self, activity: Activity, credited_m: int) -> None:
        self.by_day[campaign_day(activity.started_at, self.time_zone)] += credited_m
        self.counted.append(
            CountedActivity(activity.started_at, activity.ended_at, str(activity.pk))
        )

    @classmethod
    def of(cls, registration: Registration, exclude: Iterable[Activity] = ()) -> _Ledger:
        ledger = cls(registration.campaign.time_zone)
        # A copy of a walk counted from another source never takes room, even while its
        # old verdict waits to be judged again.
        counted = Verdict.objects.filter(
            registration=registration, status__in=COUNTED, activity__copy_of__isnull=True
        )
        excluded = [activity.pk for activity in exclude]
        if excluded:
            counted = counted.exclude(activity_id__in=excluded)
        for verdict in counted.select_related("activity"):
            ledger.add(verdict.activity, verdict.credited_m)
        return ledger


def _judge_one(
    activity: Activity, registration: Registration, ledger: _Ledger
) -> tuple[Verdict, bool]:
    """The activity's verdict in the registration's campaign, and whether it is new."""
    from activities.copies import counted_copy

    campaign = registration.campaign
    existing = Verdict.objects.filter(activity=activity, campaign=campaign).first()
    copy = counted_copy(activity)
    if existing is not None and existing.decided_by_id is not None and copy is None:
        return existing, False  # an organiser's decision stands
    context = context_for_campaign(
        campaign,
        # A campaign that counts its whole window for anyone who registers does not
        # judge the registration time (campaigns.Campaign.count_before_registration).
        registered_at=None if campaign.count_before_registration else registration.registered_at,
        received_at=activity.received_at,
        credited_by_day=ledger.by_day,
        accepted=ledger.counted,
    )
    facts = None if copy else facts_for(activity, context.rules)
    verdict, reasons = _judge_in_every_language(facts, context, copy)
    values = {
        "registration": registration,
        "status": verdict.status,
        "credited_m": verdict.credited_m,
        "reasons": reasons,
        "rules_hash": rules_hash(context.rules),
        "judged_at": timezone.now(),
    }
    if copy and existing is not None and existing.decided_by_id is not None:
        # The walk counts through its better copy, judged on its own: a decision
        # taken on this copy no longer applies (docs/decisions/0049).
        values.update(decided_by=None, decided_at=None, decision_note="")
    if existing is None:
        return Verdict.objects.create(activity=activity, campaign=campaign, **values), True
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save(update_fields=list(values))
    return existing, False


def _locked(registration_id: int) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("campaign")
        .get(pk=registration_id)
    )


def judge_activity(activity: Activity) -> list[Verdict]:
    """Judge a new activity in every campaign its owner is registered in whose dates
    it comes near: a walk of today gets no verdict from last year's campaign."""
    return judge_activities([activity])


def judge_activities(activities: list[Activity]) -> list[Verdict]:
    """Judge new activities of one person (the files of one upload: a tracker's whole
    export, say) in the order given, as `judge_activity` judges each.

    In each campaign the person's registration is locked and their counted activities
    read once for all of them, and the new credits go to the standings together
    (one credits_added, activities/signals.py): an export of hundreds of walks costs
    a few statements per campaign, not a few per walk."""
    verdicts: list[Verdict] = []
    if not activities:
        return verdicts
    from activities.copies import lock_person, settle

    (user_id,) = {activity.user_id for activity in activities}
    with transaction.atomic():
        # One person's arrivals are settled and judged one after the other: of two copies
        # of a walk arriving at once, the second sees the first (activities/copies.py).
        lock_person(user_id)
        changed = settle(user_id, [(a.started_at, a.ended_at) for a in activities])
        new = {activity.pk for activity in activities}
        # Activities already judged whose copy changed: their registrations are judged
        # again whole, so the credit moves from one copy to the other exactly once.
        replay = set(
            Verdict.objects.filter(activity_id__in=changed - new).values_list(
                "registration_id", flat=True
            )
        )
        verdicts = _judge_near(user_id, activities, replay)
        for registration_id in sorted(replay - {v.registration_id for v in verdicts}):
            rejudge_registration(registration_id)
    return verdicts


def _judge_near(user_id: int, activities: list[Activity], replay: set[int]) -> list[Verdict]:
    verdicts: list[Verdict] = []
    earliest = min(activity.started_at for activity in activities)
    latest = max(activity.ended_at for activity in activities)
    registrations = Registration.objects.filter(
        user_id=user_id,
        status=RegistrationStatus.ACTIVE,
        campaign__starts_at__lt=latest + NEAR_WINDOW,
        campaign__ends_at__gt=earliest - NEAR_WINDOW,
    ).values_list("pk", "campaign__starts_at", "campaign__ends_at")
    for registration_id, starts_at, ends_at in sorted(registrations):
        near = [
            activity
            for activity in activities
            if starts_at < activity.ended_at + NEAR_WINDOW
            and ends_at > activity.started_at - NEAR_WINDOW
        ]
        if near:
            verdicts += _judge_in_campaign(registration_id, near, replay=registration_id in replay)
    return verdicts


def judge_backlog(registration_id: int) -> list[Verdict]:
    """Judge, for a person who has just registered (or come back), the activities they
    recorded near the campaign's dates that have no verdict in it yet, in the order
    they arrived: people often record first and register later. Whether those before
    the registration count is the campaign's `count_before_registration`; either way
    each gets a verdict that says so."""
    registration = Registration.objects.select_related("campaign").get(pk=registration_id)
    if registration.status != RegistrationStatus.ACTIVE:
        return []
    campaign = registration.campaign
    backlog = list(
        Activity.objects.filter(
            user_id=registration.user_id,
            started_at__lt=campaign.ends_at + NEAR_WINDOW,
            ended_at__gt=campaign.starts_at - NEAR_WINDOW,
        )
        .exclude(verdicts__campaign=campaign)
        .order_by("received_at", "pk")
    )
    if not backlog:
        return []
    return _judge_in_campaign(registration_id, backlog)


def _judge_in_campaign(
    registration_id: int, activities: list[Activity], *, replay: bool = False
) -> list[Verdict]:
    with transaction.atomic():
        registration = _locked(registration_id)
        _fresh_copies(activities)
        if replay or _copy_still_counted(registration):
            return _replay(registration, activities)
        ledger = _Ledger.of(registration, exclude=activities)
        verdicts, credits, judged_again = [], [], False
        for activity in activities:
            verdict, new = _judge_one(activity, registration, ledger)
            verdicts.append(verdict)
            if verdict.status in COUNTED:
                ledger.add(activity, verdict.credited_m)
            if not new:
                judged_again = True
            elif verdict.status == VerdictStatus.ACCEPTED:
                credits.append(Credit.of(verdict, activity))
        if judged_again:
            # A verdict judged again: the standings recount the line.
            verdicts_changed.send(Verdict, registration_id=registration.pk)
        elif credits:
            # Only new credits: the standings add them all at once.
            credits_added.send(Verdict, credits=credits)
    return verdicts


def _fresh_copies(activities: list[Activity]) -> None:
    """Which copy each activity is, as settled now (another worker may have settled a
    better copy since these were read)."""
    fresh = dict(
        Activity.objects.filter(pk__in=[a.pk for a in activities]).values_list("pk", "copy_of_id")
    )
    for activity in activities:
        activity.copy_of_id = fresh.get(activity.pk)


def _copy_still_counted(registration: Registration) -> bool:
    """Whether a copy that no longer counts still has a counting verdict here (left by a
    worker that stopped between settling and judging)."""
    return Verdict.objects.filter(
        registration=registration, status__in=COUNTED, activity__copy_of__isnull=False
    ).exists()


def _replay(registration: Registration, activities: list[Activity]) -> list[Verdict]:
    """Judge the new activities and every one judged before in this registration, in
    the order they arrived, and let the standings count the line again once."""
    judged = [
        verdict.activity
        for verdict in Verdict.objects.filter(registration=registration)
        .exclude(activity__in=activities)
        .select_related("activity__upload__stored_file")
    ]
    ledger = _Ledger(registration.campaign.time_zone)
    new = {activity.pk for activity in activities}
    verdicts = []
    for activity in sorted(judged + activities, key=lambda a: (a.received_at, a.pk)):
        verdict, _created = _judge_one(activity, registration, ledger)
        if verdict.status in COUNTED:
            ledger.add(activity, verdict.credited_m)
        if activity.pk in new:
            verdicts.append(verdict)
    verdicts_changed.send(Verdict, registration_id=registration.pk)
    return verdicts


def rejudge_registration(registration_id: int) -> int:
    """Judge again, in the order they arrived, every activity this registration has a
    verdict for. Returns how many verdicts changed status or credit."""
    changed = 0
    with transaction.atomic():
        registration = _locked(registration_id)
        ledger = _Ledger(registration.campaign.time_zone)
        verdicts = (
            Verdict.objects.filter(registration=registration)
            .select_related("activity__upload__stored_file")
            .order_by("activity__received_at", "activity_id")
        )
        for old in verdicts:
            before = (old.status, old.credited_m)
            new, _created = _judge_one(old.activity, registration, ledger)
            if new.status in COUNTED:
                ledger.add(old.activity, new.credited_m)
            changed += (new.status, new.credited_m) != before
        verdicts_changed.send(Verdict, registration_id=registration.pk)
    return changed


def registrations_to_rejudge(campaign_id: int) -> Iterable[int]:
    return (
        Verdict.objects.filter(campaign_id=campaign_id)
        .order_by("registration_id")
        .values_list("registration_id", flat=True)
        .distinct()
    )
