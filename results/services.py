"""Closing a campaign: the appeal window, freezing the results, explained
corrections, awards read from the frozen lines, and asking for the certificates.

Phases: the campaign runs; after its end the appeal window stays open for the
campaign's ``appeal_window_hours`` (complaints and review go on as before); then
the organiser may freeze; a frozen snapshot changes only through a correction
that says why."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from activities.models import Complaint, ComplaintStatus
from activities.review import review_queue
from campaigns.access import is_organiser
from campaigns.models import Campaign
from core.audit import log_action
from core.errors import DomainError, NotAllowed
from results import snapshot
from results.models import (
    Award,
    AwardKind,
    Correction,
    Line,
    LineKind,
    Results,
)

CORRECTION_REASON_MIN_CHARS = 10
KEPT_CHANGES = 300  # a correction keeps this many changed fields to show; it counts them all


class ResultsError(DomainError):
    code = "results_error"


class Phase:
    """Stable codes."""

    RUNNING = "running"
    APPEAL = "appeal"
    READY = "ready"
    FROZEN = "frozen"


def frozen(campaign: Campaign) -> Results | None:
    return Results.objects.filter(campaign=campaign).first()


def phase(campaign: Campaign, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if Results.objects.filter(campaign=campaign).exists():
        return Phase.FROZEN
    if now < campaign.ends_at:
        return Phase.RUNNING
    if now < campaign.appeal_ends_at:
        return Phase.APPEAL
    return Phase.READY


@dataclass
class Pending:
    """What still waits for the organisers before the results are final."""

    complaints: int
    reviews: int


def pending(campaign: Campaign) -> Pending:
    complaints = Complaint.objects.filter(
        verdict__campaign=campaign, status=ComplaintStatus.OPEN
    ).count()
    return Pending(complaints=complaints, reviews=review_queue(campaign).count())


def _require_organiser(actor: User, campaign: Campaign) -> None:
    if not is_organiser(actor, campaign):
        raise NotAllowed(_("Only the campaign's organisers can do this."))


def freeze(campaign: Campaign, *, actor: User, now: datetime | None = None) -> Results:
    """The results as they stand, frozen: only once the appeal window has closed."""
    _require_organiser(actor, campaign)
    now = now or timezone.now()
    current = phase(campaign, now)
    if current == Phase.FROZEN:
        raise ResultsError(_("The results are already frozen."), code="already_frozen")
    if current != Phase.READY:
        raise ResultsError(
            _("The results can be frozen once the appeal window has closed."),
            code="appeal_window_open",
        )
    lines = snapshot.lines_of(campaign)
    with transaction.atomic():
        results = Results.objects.create(
            campaign=campaign,
            frozen_at=now,
            frozen_by=actor,
            totals=snapshot.totals_of(campaign, lines),
        )
        _store(results, lines)
        log_action(
            "results.frozen",
            results,
            actor=actor,
            campaign=campaign,
            data={"lines": len(lines), **results.totals},
        )
    return results


def _store(results: Results, lines: list[Line]) -> None:
    for line in lines:
        line.results = results
    Line.objects.bulk_create(lines, batch_size=2000)


def correct(campaign: Campaign, reason: str, *, actor: User) -> Correction:
    """The frozen results taken again from the standings as they are now, with
    the organiser's reason; what changed is kept and shown."""
    _require_organiser(actor, campaign)
    reason = " ".join((reason or "").split())
    if len(reason) < CORRECTION_REASON_MIN_CHARS:
        raise ResultsError(
            _("Say why the results change (at least %(n)s characters); everyone will read it.")
            % {"n": CORRECTION_REASON_MIN_CHARS},
            code="reason_required",
        )
    with transaction.atomic():
        results = Results.objects.select_for_update().filter(campaign=campaign).first()
        if results is None:
            raise ResultsError(_("The results are not frozen yet."), code="not_frozen")
        old = list(results.lines.all())
        new = snapshot.lines_of(campaign)
        changes = snapshot.differences(old, new)
        if not changes:
            raise ResultsError(
                _("Nothing has changed since the results were frozen."), code="no_change"
            )
        results.lines.all().delete()
        _store(results, new)
        results.totals = snapshot.totals_of(campaign, new)
        results.save(update_fields=["totals"])
        correction = Correction.objects.create(
            results=results,
            at=timezone.now(),
            by=actor,
            reason=reason[:500],
            changes=changes[:KEPT_CHANGES],
            changed_lines=len({(c["kind"], c["key"]) for c in changes}),
        )
        log_action(
            "results.corrected",
            correction,
            actor=actor,
            campaign=campaign,
            data={"reason": correction.reason, "changes": len(changes)},
        )
        if results.certificates_requested_at:
            _schedule_certificates(results)
    return correction


# --- awards ---------------------------------------------------------------------


def add_award(campaign: Campaign, award: Award, *, actor: User) -> Award:
    _require_organiser(actor, campaign)
    award.campaign = campaign
    if award.position == 0:
        award.position = campaign.awards.count() + 1
    award.save()
    log_action(
        "results.award.added",
        award,
        actor=actor,
        campaign=campaign,
        data={"kind": award.kind, "name": award.name, "count": award.count},
    )
    return award


def remove_award(award: Award, *, actor: User) -> None:
    _require_organiser(actor, award.campaign)
    log_action(
        "results.award.removed",
        award,
        actor=actor,
        campaign=award.campaign,
        data={"kind": award.kind, "name": award.name},
    )
    award.delete()


def _top(lines: Iterable[Line], count: int, value: Callable[[Line], int]) -> list[Line]:
    """The first ``count`` places of lines sorted best first (competition places on
    ``value``); a tie at the last place wins too."""
    chosen: list[Line] = []
    place, previous = 0, None
    for index, line in enumerate(lines, 1):
        if value(line) != previous:
            place, previous = index, value(line)
        if place > count:
            break
        chosen.append(line)
    return chosen


def _distance(line: Line) -> int:
    return line.distance_m


def _active_days(line: Line) -> int:
    return line.active_days


def winners(award: Award, results: Results) -> list[tuple[int, Line]]:
    """The award's winners, each with their place for this award."""
    lines: QuerySet[Line] = results.lines.all()
    value = _distance
    if award.kind == AwardKind.TOP_PEOPLE:
        people = lines.filter(kind=LineKind.PERSON)
        if award.category_id:
            people = people.filter(category_id=award.category_id)
        if award.gender:
            people = people.filter(gender=award.gender)
        chosen = _top(people.order_by("rank", "position").iterator(), award.count, value)
    elif award.kind == AwardKind.TOP_TEAMS:
        chosen = list(lines.filter(kind=LineKind.TEAM, rank__lte=award.count))
    elif award.kind == AwardKind.TOP_UNITS:
        chosen = list(
            lines.filter(kind=LineKind.UNIT, unit_kind=award.unit_kind, rank__lte=award.count)
        )
    elif award.kind == AwardKind.OVER_TARGET:
        units = [
            line
            for line in lines.filter(kind=LineKind.UNIT, target__gt=0)
            if award.unit_kind in ("", line.unit_kind) and line.participants > (line.target or 0)
        ]
        units.sort(key=lambda line: (-line.participants / (line.target or 1), line.name))
        chosen = units[: award.count] if award.count else units
        return list(enumerate(chosen, 1))
    else:  # most active days
        value = _active_days
        people = lines.filter(kind=LineKind.PERSON, active_days__gt=0)
        chosen = _top(
            people.order_by("-active_days", "rank", "position").iterator(), award.count, value
        )
    ranks = snapshot.competition_ranks(value(line) for line in chosen)
    return list(zip(ranks, chosen, strict=True))


# --- certificates ---------------------------------------------------------------


def request_certificates(results: Results, *, actor: User) -> None:
    """Make (or bring up to date) every certificate, in the background."""
    _require_organiser(actor, results.campaign)
    results.certificates_requested_at = timezone.now()
    results.save(update_fields=["certificates_requested_at"])
    log_action("results.certificates.requested", results, actor=actor, campaign=results.campaign)
    _schedule_certificates(results)


def _schedule_certificates(results: Results) -> None:
    from results.tasks import plan_certificates

    transaction.on_commit(lambda: plan_certificates(results.pk))
