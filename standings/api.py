"""Standings over the API: a campaign's totals against its targets, the boards
(people, teams, units of a kind) with competition ranks, my rank with the
people around me, and the daily series. Names and totals only, as on the web;
private campaigns show themselves to whom `campaign_for` lets see them."""

from datetime import date
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from accounts.models import Gender
from campaigns.api import ErrorOut, campaign_for, current_user, optional_user
from campaigns.models import RegistrationStatus, Visibility
from campaigns.services import active_registration
from core.public_pages import mark_shared_answer
from orgs.models import Unit, UnitKind
from standings import queries
from standings.models import Standing
from standings.views import team_names, unit_names

router = Router(tags=["standings"])


class TargetsOut(Schema):
    participants: int
    money_vnd: int
    distance_m: int  # the distance that converts into the money target; 0 without one


class StandingsOut(Schema):
    participants: int  # active registrations
    participants_credited: int  # of them, with a credited metre
    distance_m: int
    activities: int
    steps: int
    steps_estimated: bool  # part of `steps` is estimated from distance
    money_vnd: int
    vnd_per_km: int
    targets: TargetsOut


class BoardRowOut(Schema):
    rank: int
    name: str
    distance_m: int
    activities: int
    bib: int | None = None  # people who show their full name; None otherwise
    id: int | None = None  # teams and units
    code: str | None = None  # units
    participants: int | None = None  # teams and units


class BoardOut(Schema):
    board: str
    count: int
    page: int
    page_size: int
    items: list[BoardRowOut]


class MyRankOut(Schema):
    rank: int
    of: int
    bib: int
    distance_m: int
    activities: int
    active_days: int
    steps: int
    steps_estimated: bool
    neighbours: list[BoardRowOut]


class DayOut(Schema):
    day: date
    distance_m: int
    participants: int
    activities: int


def _person(row: queries.Row) -> dict:
    return {
        "rank": row.rank,
        "name": row.name,
        "bib": row.bib,
        "distance_m": row.standing.distance_m,
        "activities": row.standing.activities,
    }


def _total(row: dict) -> dict:
    return {
        "rank": row["rank"],
        "name": row["name"],
        "id": row["key"],
        "code": row.get("code"),
        "distance_m": row["distance_m"],
        "activities": row["activities"],
        "participants": row["participants"],
    }


@router.get(
    "/campaigns/{slug}/standings",
    auth=None,
    response={200: StandingsOut, 404: ErrorOut},
    summary="Campaign totals",
)
def campaign_standings(request: HttpRequest, slug: str, code: str | None = None):
    """Participants, credited distance, activities, steps and đồng converted,
    with the campaign's targets."""
    campaign = campaign_for(optional_user(request), slug, code)
    figures = queries.campaign_figures(campaign)
    return {
        "participants": campaign.registrations.filter(status=RegistrationStatus.ACTIVE).count(),
        "participants_credited": figures.participants,
        "distance_m": figures.distance_m,
        "activities": figures.activities,
        "steps": figures.steps,
        "steps_estimated": Standing.objects.filter(
            campaign=campaign, is_active=True, steps_estimated__gt=0
        ).exists(),
        "money_vnd": queries.money(campaign, figures.distance_m),
        "vnd_per_km": campaign.vnd_per_km,
        "targets": {
            "participants": campaign.participant_target,
            "money_vnd": campaign.money_target,
            "distance_m": campaign.money_target * 1000 // campaign.vnd_per_km
            if campaign.money_target and campaign.vnd_per_km
            else 0,
        },
    }


@router.get(
    "/campaigns/{slug}/leaderboard",
    auth=None,
    response={200: BoardOut, 404: ErrorOut},
    summary="A leaderboard",
)
def leaderboard(
    request: HttpRequest,
    response: HttpResponse,
    slug: str,
    board: Literal["individuals", "teams", "units"] = "individuals",
    category: int | None = None,
    gender: Gender | None = None,
    kind: UnitKind | None = None,
    within: str | None = None,
    page: int = 1,
    code: str | None = None,
):
    """One page (50 lines) of a board with competition ranks (1, 2, 2, 4).
    ``individuals`` takes ``category`` (id) and ``gender``; ``units`` takes
    ``kind`` and ``within`` (a unit's code: only units inside it). A public campaign's
    board is the same for every caller without a token: shared by the reverse proxy
    for ``PUBLIC_PAGE_CACHE_SECONDS`` (docs/deployment.md)."""
    campaign = campaign_for(optional_user(request), slug, code)
    mark_shared_answer(request, response, public=campaign.visibility == Visibility.PUBLIC)
    page = max(page, 1)
    if board == "teams":
        rows, count = queries.team_board(campaign, page)
        items = [_total(row) for row in team_names(rows)]
    elif board == "units":
        inside = Unit.objects.filter(code=within).first() if within else None
        if within and inside is None:
            return Status(404, {"code": "unit_not_found", "detail": _("No unit has this code.")})
        rows, count = queries.unit_board(
            campaign, kind=kind.value if kind else None, within=inside, page=page
        )
        items = [_total(row) for row in unit_names(rows)]
    else:
        rows, count = queries.board_page(
            campaign, page, category_id=category, gender=gender.value if gender else None
        )
        items = [_person(row) for row in rows]
    return {
        "board": board,
        "count": count,
        "page": page,
        "page_size": queries.PAGE_SIZE,
        "items": items,
    }


@router.get(
    "/campaigns/{slug}/leaderboard/me",
    response={200: MyRankOut, 404: ErrorOut},
    summary="My rank",
)
def my_rank(request: HttpRequest, slug: str, code: str | None = None):
    """My rank on the whole-campaign board with the two people above and below;
    404 ``not_ranked`` until one of my activities is credited."""
    user = current_user(request)
    campaign = campaign_for(user, slug, code)
    registration = active_registration(campaign, user)
    mine = queries.my_standing(campaign, registration) if registration else None
    if mine is None:
        return Status(
            404,
            {"code": "not_ranked", "detail": _("You have no credited km in this campaign yet.")},
        )
    standing = mine["standing"]
    return {
        "rank": mine["rank"],
        "of": mine["of"],
        "bib": standing.bib,
        "distance_m": standing.distance_m,
        "activities": standing.activities,
        "active_days": standing.active_days,
        "steps": standing.steps,
        "steps_estimated": standing.steps_estimated > 0,
        "neighbours": [_person(row) for row in mine["rows"]],
    }


@router.get(
    "/campaigns/{slug}/daily",
    auth=None,
    response={200: list[DayOut], 404: ErrorOut},
    summary="Daily series",
)
def daily(request: HttpRequest, slug: str, code: str | None = None):
    """Per campaign day (the campaign's zone) with credited km, oldest first:
    metres credited, how many people walked and how many activities."""
    campaign = campaign_for(optional_user(request), slug, code)
    return queries.daily_series(campaign)
