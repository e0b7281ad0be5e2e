"""Public boards of a campaign: individuals (overall, per category, per gender),
teams, units of one kind and one day's board. Each page has competition ranks,
50 lines a page, the visitor's own line highlighted and, for a participant,
their rank with the people just around them.

Public pages show names (or bibs) and totals only. Team and unit names are
read with one query per page (`team_names`, `unit_names`), which the campaign
page's top-ten boards share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Gender
from campaigns.access import get_campaign_for_request
from campaigns.display import split_local
from campaigns.models import Campaign
from campaigns.services import active_registration
from core.public_pages import public_page
from orgs.models import Unit, UnitKind
from standings import queries
from standings.models import PersonDay, Scope, Standing, Total
from teams.models import Team

PAGE_SIZE = queries.PAGE_SIZE


# --- Shared with the campaign page -------------------------------------------


def team_names(rows: list[dict], campaign: Campaign | None = None) -> list[dict]:
    """Team board rows with the team's name, in one query, and (given the campaign)
    whether part of each team's steps is estimated, in one more."""
    keys = [row["key"] for row in rows]
    names = dict(Team.objects.filter(pk__in=keys).values_list("pk", "name"))
    estimated: set[int] = set()
    if campaign is not None and keys:
        estimated = set(
            Standing.objects.filter(
                campaign=campaign, team_id__in=keys, is_active=True, steps_estimated__gt=0
            )
            .values_list("team_id", flat=True)
            .distinct()
        )
    return [
        {**row, "name": names.get(row["key"], ""), "estimated": row["key"] in estimated}
        for row in rows
    ]


def unit_names(rows: list[dict]) -> list[dict]:
    """Unit board rows with the unit's name and code, in one query."""
    units = {
        unit.pk: unit
        for unit in Unit.objects.filter(pk__in=[row["key"] for row in rows]).only(
            "name", "code", "kind"
        )
    }
    return [
        {
            **row,
            "name": units[row["key"]].name if row["key"] in units else "",
            "code": units[row["key"]].code if row["key"] in units else "",
        }
        for row in rows
    ]


def unit_kinds_on_board(campaign: Campaign) -> list[tuple[str, str]]:
    """The kinds of unit with credited km in the campaign, in the tree's order."""
    present = set(
        Unit.objects.filter(
            pk__in=Total.objects.filter(
                campaign=campaign, scope=Scope.UNIT, distance_m__gt=0
            ).values("key")
        )
        .values_list("kind", flat=True)
        .distinct()
    )
    return [(code, label) for code, label in UnitKind.choices if code in present]


def campaign_days(campaign: Campaign) -> tuple[date, date]:
    """The campaign's first and last local day, the last no later than today."""
    tz = campaign.tz
    first = campaign.starts_at.astimezone(tz).date()
    last = split_local(campaign.ends_at, tz, is_end=True)[0]
    today = timezone.now().astimezone(tz).date()
    return first, max(first, min(last, today))


# --- Pagination --------------------------------------------------------------


@dataclass
class Pages:
    number: int
    count: int
    size: int = PAGE_SIZE

    @property
    def last(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.last else None


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page") or 1))
    except ValueError:
        return 1


# --- Pages -------------------------------------------------------------------


def _context(request: HttpRequest, campaign: Campaign, tab: str) -> dict:
    registration = active_registration(campaign, request.user)
    # My rank is on the whole-campaign board: shown with the people's boards only.
    show_mine = registration is not None and tab == "individuals"
    return {
        "campaign": campaign,
        "tab": tab,
        "registration": registration,
        "mine": queries.my_standing(campaign, registration) if show_mine else None,
    }


def _query(**params) -> str:
    """The filters to keep in the pager's links."""
    return urlencode({key: value for key, value in params.items() if value})


@public_page
def individuals(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_request(request, slug)
    categories = list(campaign.categories.all())
    category = next((c for c in categories if str(c.pk) == request.GET.get("category")), None)
    gender = request.GET.get("gender") if request.GET.get("gender") in Gender.values else ""
    page = _page_number(request)
    rows, count = queries.board_page(
        campaign, page, category_id=category.pk if category else None, gender=gender or None
    )
    return render(
        request,
        "standings/individuals.html",
        {
            **_context(request, campaign, "individuals"),
            "rows": rows,
            "pages": Pages(page, count),
            "categories": categories,
            "category": category,
            "genders": Gender.choices,
            "gender": gender,
            "query": _query(category=category.pk if category else "", gender=gender),
        },
    )


@public_page
def teams(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_request(request, slug)
    page = _page_number(request)
    rows, count = queries.team_board(campaign, page)
    return render(
        request,
        "standings/teams.html",
        {
            **_context(request, campaign, "teams"),
            "rows": team_names(rows, campaign),
            "pages": Pages(page, count),
            "query": "",
        },
    )


@public_page
def units(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_request(request, slug)
    kinds = unit_kinds_on_board(campaign)
    codes = [code for code, _label in kinds]
    kind = request.GET.get("kind")
    if kind not in UnitKind.values:
        kind = next((c for c in (UnitKind.SCHOOL, UnitKind.COMMUNE) if c in codes), None) or (
            codes[-1] if codes else UnitKind.SCHOOL
        )
    within_code = request.GET.get("within", "").strip()
    within = Unit.objects.filter(code=within_code).first() if within_code else None
    page = _page_number(request)
    rows, count = queries.unit_board(campaign, kind=kind, within=within, page=page)
    return render(
        request,
        "standings/units.html",
        {
            **_context(request, campaign, "units"),
            "rows": unit_names(rows),
            "pages": Pages(page, count),
            "kinds": kinds or UnitKind.choices,
            "kind": kind,
            "kind_label": UnitKind(kind).label,
            "within": within,
            "within_code": within_code,
            "query": _query(kind=kind, within=within.code if within else ""),
        },
    )


@public_page
def days(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_request(request, slug)
    first, last = campaign_days(campaign)
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = None
    if day is None or not first <= day <= last:
        latest = (
            PersonDay.objects.filter(campaign=campaign, distance_m__gt=0)
            .order_by("-day")
            .values_list("day", flat=True)
            .first()
        )
        day = latest if latest and first <= latest <= last else last
    page = _page_number(request)
    count = PersonDay.objects.filter(campaign=campaign, day=day, distance_m__gt=0).count()
    return render(
        request,
        "standings/days.html",
        {
            **_context(request, campaign, "days"),
            "rows": queries.day_board(campaign, day, page),
            "pages": Pages(page, count),
            "day": day,
            "first": first,
            "last": last,
            "previous_day": day - timedelta(days=1) if day > first else None,
            "next_day": day + timedelta(days=1) if day < last else None,
            "query": _query(day=day.isoformat()),
        },
    )
