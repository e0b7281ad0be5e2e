"""Teams: one team per participant per campaign. Joining claims the
registration's team column with a conditional UPDATE (team IS NULL), so two
joins at once let exactly one through."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import names
from campaigns.models import Campaign, Registration, RegistrationStatus
from campaigns.services import active_registration, campaign_units
from campaigns.signals import RegistrationChange, registration_changed
from core.audit import log_action
from core.errors import DomainError
from core.formatting import local_datetime
from orgs.access import is_staff_of
from orgs.models import Unit
from orgs.permissions import real_name_unit_ids
from teams.models import Team

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.auth.models import AnonymousUser
    from django_stubs_ext import StrOrPromise

    from accounts.models import User


class TeamError(DomainError):
    code = "team_error"


def _error(code: str, message: StrOrPromise, status: int = 400) -> TeamError:
    return TeamError(message, code=code, status=status)


def _registration(campaign: Campaign, user: User) -> Registration:
    registration = Registration.objects.filter(
        campaign=campaign, user=user, status=RegistrationStatus.ACTIVE
    ).first()
    if registration is None:
        raise _error("not_registered", _("Register for the campaign before choosing a team."))
    return registration


def _check_unlocked(campaign: Campaign, now: datetime | None = None) -> None:
    if campaign.teams_locked(now):
        raise _error(
            "teams_locked",
            _("Teams are locked now. Ask the organiser to move you."),
        )


def _clean_name(name: str) -> str:
    # NFC: Vietnamese keyboards send "ộ" as one character or as o + two marks.
    name = unicodedata.normalize("NFC", " ".join((name or "").split()))
    if len(name) < 2:
        raise _error("name_too_short", _("A team name needs at least 2 characters."))
    if len(name) > 80:
        raise _error("name_too_long", _("A team name can have at most 80 characters."))
    return name


def _name_taken_error() -> TeamError:
    return _error(
        "name_taken", _("A team with this name already exists in this campaign."), status=409
    )


def _check_name_free(campaign: Campaign, name: str, exclude: Team | None = None) -> None:
    """The unique index on lower(name) decides on PostgreSQL; SQLite's lower()
    only folds ASCII (Đ, Ộ stay upper case), so compare Python's case folding
    too. SQLite runs one writing transaction at a time, so checking inside the
    transaction is enough there."""
    folded = name.casefold()
    same_length = (
        Team.objects.filter(campaign=campaign)
        .annotate(length=Length("name"))
        .filter(length=len(name))
    )
    if exclude is not None:
        same_length = same_length.exclude(pk=exclude.pk)
    if any(other.casefold() == folded for other in same_length.values_list("name", flat=True)):
        raise _name_taken_error()


def _claim(registration: Registration, team: Team, now: datetime) -> None:
    claimed = Registration.objects.filter(
        pk=registration.pk, status=RegistrationStatus.ACTIVE, team__isnull=True
    ).update(team=team, team_joined_at=now)
    if claimed != 1:
        current = Registration.objects.select_related("team").get(pk=registration.pk)
        raise _error(
            "already_in_team",
            _("You are already in the team “%(team)s”. Each participant can join only one team.")
            % {"team": current.team.name if current.team else "?"},
            status=409,
        )
    registration.team = team
    registration.team_joined_at = now
    _team_changed(registration, None, now)


def _team_changed(registration: Registration, previous: Team | None, now: datetime) -> None:
    """Tell the apps that follow registrations (the standings: the person's credited
    km follow them to their new team, or out of any). ``registration`` already
    holds its new team."""
    registration_changed.send(
        Registration,
        registration=registration,
        change=RegistrationChange.TEAM_CHANGED,
        previous_team=previous,
        at=now,
    )


def create_team(
    campaign: Campaign,
    user: User,
    *,
    name: str,
    unit: Unit | None = None,
    now: datetime | None = None,
) -> Team:
    now = now or timezone.now()
    registration = _registration(campaign, user)
    name = _clean_name(name)
    if unit is not None and not campaign_units(campaign).filter(pk=unit.pk).exists():
        raise _error("unit_invalid", _("That unit does not take part in this campaign."))
    if registration.team_id is not None:
        raise _error(
            "already_in_team",
            _("You are already in a team. Leave it before creating a new one."),
            status=409,
        )
    try:
        with transaction.atomic():
            _check_name_free(campaign, name)
            team = Team.objects.create(campaign=campaign, name=name, unit=unit, captain=user)
            _claim(registration, team, now)
            log_action(
                "teams.team.created", team, actor=user, campaign=campaign, data={"name": name}
            )
    except IntegrityError as exc:
        raise _name_taken_error() from exc
    return team


def join_team(team: Team, user: User, *, now: datetime | None = None) -> Registration:
    now = now or timezone.now()
    registration = _registration(team.campaign, user)
    if registration.team_id == team.pk:
        raise _error("already_member", _("You are already a member of this team."), status=409)
    if registration.team is not None:
        raise _error(
            "already_in_team",
            _("You are already in the team “%(team)s”. Each participant can join only one team.")
            % {"team": registration.team.name},
            status=409,
        )
    with transaction.atomic():
        _claim(registration, team, now)
        log_action(
            "teams.member.joined",
            team,
            actor=user,
            campaign=team.campaign,
            data={"bib": registration.bib},
        )
    return registration


def join_by_code(
    campaign: Campaign, user: User, code: str, *, now: datetime | None = None
) -> Registration:
    team = Team.objects.filter(campaign=campaign, invite_code=(code or "").strip().upper()).first()
    if team is None:
        raise _error("bad_code", _("No team in this campaign has that invite code."), status=404)
    return join_team(team, user, now=now)


def leave_team(campaign: Campaign, user: User, *, now: datetime | None = None) -> None:
    registration = _registration(campaign, user)
    if registration.team_id is None:
        raise _error("not_in_team", _("You are not in a team."))
    _check_unlocked(campaign, now)
    with transaction.atomic():
        team = registration.team
        assert team is not None  # team_id is set (checked above)
        Registration.objects.filter(pk=registration.pk).update(team=None, team_joined_at=None)
        registration.team, registration.team_joined_at = None, None
        log_action(
            "teams.member.left", team, actor=user, campaign=campaign, data={"bib": registration.bib}
        )
        after_member_left(team)
        _team_changed(registration, team, now or timezone.now())


def after_member_left(team: Team) -> None:
    """Pass the captaincy on when the captain is gone: to the earliest member."""
    members = team.registrations.filter(status=RegistrationStatus.ACTIVE)
    if team.captain_id and members.filter(user_id=team.captain_id).exists():
        return
    successor = members.order_by("team_joined_at", "pk").first()
    team.captain_id = successor.user_id if successor else None
    team.save(update_fields=["captain"])


def rename_team(team: Team, *, actor: User, name: str) -> Team:
    if actor.pk != team.captain_id:
        raise _error("not_captain", _("Only the team captain can do that."), status=403)
    name = _clean_name(name)
    try:
        with transaction.atomic():
            _check_name_free(team.campaign, name, exclude=team)
            old = team.name
            team.name = name
            team.save(update_fields=["name"])
            log_action(
                "teams.team.renamed",
                team,
                actor=actor,
                campaign=team.campaign,
                data={"from": old, "to": name},
            )
    except IntegrityError as exc:
        raise _name_taken_error() from exc
    return team


def remove_member(team: Team, *, actor: User, registration: Registration) -> None:
    if actor.pk != team.captain_id:
        raise _error("not_captain", _("Only the team captain can do that."), status=403)
    if registration.team_id != team.pk:
        raise _error("not_member", _("That person is not in this team."), status=404)
    if registration.user_id == actor.pk:
        raise _error("captain_self", _("To leave your own team, use “Leave team”."))
    _check_unlocked(team.campaign)
    with transaction.atomic():
        Registration.objects.filter(pk=registration.pk, team=team).update(
            team=None, team_joined_at=None
        )
        registration.team, registration.team_joined_at = None, None
        log_action(
            "teams.member.removed",
            team,
            actor=actor,
            campaign=team.campaign,
            data={"bib": registration.bib},
        )
        _team_changed(registration, team, timezone.now())


def move_member(
    registration: Registration, *, to: Team | None, actor: User, reason: str = ""
) -> None:
    """An organiser moves a person to another team (or out of any), at any
    time, with the move in the audit log."""
    if to is not None and to.campaign_id != registration.campaign_id:
        raise _error("wrong_campaign", _("That team belongs to another campaign."))
    with transaction.atomic():
        old = registration.team
        now = timezone.now()
        Registration.objects.filter(pk=registration.pk).update(
            team=to, team_joined_at=now if to else None
        )
        registration.team, registration.team_joined_at = to, now if to else None
        log_action(
            "teams.member.moved",
            registration,
            actor=actor,
            campaign=registration.campaign,
            data={"from": old.pk if old else None, "to": to.pk if to else None, "reason": reason},
        )
        if old is not None:
            after_member_left(old)
        _team_changed(registration, old, now)


def teams_with_counts(campaign: Campaign) -> QuerySet[Team]:
    return Team.objects.filter(campaign=campaign).annotate(
        members=Count("registrations", filter=Q(registrations__status=RegistrationStatus.ACTIVE))
    )


# --- What the team pages and the API read ---

TEAMS_PER_PAGE = 20


def search_teams(campaign: Campaign, query: str = "") -> QuerySet[Team]:
    """The campaign's teams with their member counts, by name; ``query`` keeps
    those whose name contains it."""
    teams = (
        teams_with_counts(campaign)
        .select_related("unit", "captain", "campaign")
        .order_by("name", "pk")
    )
    query = " ".join((query or "").split())
    return teams.filter(name__icontains=query) if query else teams


def team_members(team: Team) -> list[Registration]:
    """The team's active members by bib, with just what the team page shows."""
    return list(
        team.registrations.filter(status=RegistrationStatus.ACTIVE)
        .select_related("user")
        .only(
            "bib",
            "team_id",
            "user_id",
            "unit_id",
            "campaign_id",
            *(f"user__{field}" for field in names.NAME_FIELDS),
        )
        .order_by("bib")
    )


@dataclass(frozen=True)
class MemberLine:
    registration: Registration
    name: str
    bib: int | None  # None where the viewer may not see it
    standing: Any = None  # the member's standings line, where a page above adds it (web)


def member_lines(
    team: Team, members: list[Registration], viewer: User | AnonymousUser
) -> list[MemberLine]:
    """The members as ``viewer`` sees them: the name each chose for public pages
    and a bib only beside a full name; the real name and bib for the person
    themself, the team's captain (bibs only: they manage the team by bib) and
    staff of the member's unit (one query for all)."""
    campaign = team.campaign
    real = real_name_unit_ids(viewer, (member.unit_id for member in members))
    is_captain = viewer.is_authenticated and team.captain_id == viewer.pk
    lines = []
    for member in members:
        person = member.user
        if member.unit_id in real or person.pk == viewer.pk:
            lines.append(
                MemberLine(member, person.full_name or names.public_name(person), member.bib)
            )
            continue
        shown_bib = is_captain or names.shows_bib(person, campaign)
        lines.append(
            MemberLine(
                member, names.public_name(person, campaign), member.bib if shown_bib else None
            )
        )
    return lines


def may_move_members(campaign: Campaign, user: User | AnonymousUser) -> bool:
    """Admins of the organiser unit (or a unit above it) move people between teams."""
    return is_staff_of(user, campaign.organiser_unit, admin=True)


def organiser_move(
    campaign: Campaign, *, actor: User, registration: Registration, to: Team | None, reason: str
) -> None:
    """``move_member`` for an organiser, with the checks the web and API need."""
    if not may_move_members(campaign, actor):
        raise _error("not_organiser", _("Only the campaign's organisers can move people."), 403)
    if registration.campaign_id != campaign.pk or not registration.is_active:
        raise _error("not_member", _("That person is not in this team."), status=404)
    if to is not None and to.pk == registration.team_id:
        raise _error("already_member", _("That person is already in this team."), status=409)
    reason = " ".join((reason or "").split())
    if not reason:
        raise _error("reason_required", _("Give a reason for the move: it is kept in the log."))
    move_member(registration, to=to, actor=actor, reason=reason)


def team_state(campaign: Campaign, user: User | AnonymousUser, now: datetime | None = None) -> dict:
    """What this person can do with teams in ``campaign`` now: the panel of the
    campaign page, the team list's buttons."""
    registration = active_registration(campaign, user)
    team = registration.team if registration else None
    locked = campaign.teams_locked(now)
    return {
        "registration": registration,
        "team": team,
        "locked": locked,
        "locks_at": local_datetime(campaign.teams_locked_from, campaign.tz, prose=True),
        "can_join": registration is not None and team is None,
        "can_leave": team is not None and not locked,
    }
