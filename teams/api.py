"""Teams over the API: list and search, create, join (by id or code), leave.
The same services as the team pages, so the same rules and messages, e.g.
``409 {"code": "already_in_team", "detail": "You are already in the team “X”…"}``."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from accounts import names
from campaigns.api import ErrorOut, campaign_for, current_user, optional_user
from core.pagination import BoundedPageNumberPagination
from orgs.models import Unit
from teams import services
from teams.models import Team
from teams.services import TeamError

router = Router(tags=["teams"])

CONFLICT = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class TeamOut(Schema):
    id: int
    name: str
    unit: str | None
    unit_name: str | None
    captain_name: str | None
    members: int

    @staticmethod
    def resolve_unit(team: Team) -> str | None:
        return team.unit.code if team.unit else None

    @staticmethod
    def resolve_unit_name(team: Team) -> str | None:
        return team.unit.name if team.unit else None

    @staticmethod
    def resolve_captain_name(team: Team) -> str | None:
        # The name the captain chose for public pages; never an e-mail address.
        return names.public_name(team.captain, team.campaign) if team.captain else None


class MyTeamOut(TeamOut):
    """A team seen by one of its members: with the code that invites others."""

    invite_code: str


class TeamIn(Schema):
    name: str
    unit_code: str | None = None


class CodeIn(Schema):
    code: str


def _counted(team: Team) -> Team:
    return services.search_teams(team.campaign).get(pk=team.pk)


@router.get("/campaigns/{slug}/teams", auth=None, response=list[TeamOut], summary="List teams")
@paginate(BoundedPageNumberPagination, page_size=services.TEAMS_PER_PAGE)
def list_teams(request: HttpRequest, slug: str, q: str = "", code: str | None = None):
    """The campaign's teams by name with their member counts; ``q`` searches names."""
    campaign = campaign_for(optional_user(request), slug, code)
    return services.search_teams(campaign, q)


@router.post(
    "/campaigns/{slug}/teams",
    response={201: MyTeamOut, **CONFLICT},
    summary="Create a team",
)
def create_team(request: HttpRequest, slug: str, payload: TeamIn, code: str | None = None):
    """Create a team and become its captain; for registered people without a team."""
    user = current_user(request)
    campaign = campaign_for(user, slug, code)
    unit = None
    if payload.unit_code:
        unit = Unit.objects.filter(code=payload.unit_code.strip()).first()
        if unit is None:
            raise TeamError(
                _("That unit does not take part in this campaign."), code="unit_invalid"
            )
    team = services.create_team(campaign, user, name=payload.name, unit=unit)
    return Status(201, _counted(team))


@router.post(
    "/campaigns/{slug}/teams/join-by-code",
    response={200: MyTeamOut, **CONFLICT},
    summary="Join a team by its invite code",
)
def join_by_code(request: HttpRequest, slug: str, payload: CodeIn, code: str | None = None):
    user = current_user(request)
    campaign = campaign_for(user, slug, code)
    registration = services.join_by_code(campaign, user, payload.code)
    return _counted(registration.team)


@router.post(
    "/campaigns/{slug}/teams/{team_id}/join",
    response={200: MyTeamOut, **CONFLICT},
    summary="Join a team",
)
def join_team(request: HttpRequest, slug: str, team_id: int, code: str | None = None):
    """One team per person per campaign: a second join answers 409 ``already_in_team``."""
    user = current_user(request)
    campaign = campaign_for(user, slug, code)
    team = get_object_or_404(Team, campaign=campaign, pk=team_id)
    services.join_team(team, user)
    return _counted(team)


@router.post(
    "/campaigns/{slug}/team/leave",
    response={204: None, **CONFLICT},
    summary="Leave my team",
)
def leave_team(request: HttpRequest, slug: str, code: str | None = None):
    """Free until the campaign starts; after that ``teams_locked``."""
    user = current_user(request)
    campaign = campaign_for(user, slug, code)
    services.leave_team(campaign, user)
    return Status(204, None)
