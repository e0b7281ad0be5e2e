"""The figures frozen into a campaign's results: every ranked person, team and
unit (by kind), read from the standings, teams, units and paid donations as they
are now. Nothing here writes; `results.services` stores what this returns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, QuerySet, Sum

from campaigns.models import Campaign, Registration, RegistrationStatus
from donations.models import Donation, DonationStatus
from orgs.models import Unit
from results.models import Line, LineKind
from results.names import display_name, shows_bib
from standings.models import Scope, Standing, Total
from standings.queries import BOARD_ORDER, campaign_figures, money
from teams.models import Team

# Fields a correction compares, line by line.
COMPARED = (
    "rank",
    "name",
    "distance_m",
    "steps",
    "converted",
    "donated",
    "participants",
    "target",
)


def competition_ranks(values: Iterable[int]) -> list[int]:
    """1, 2, 2, 4 for values already sorted best first."""
    ranks: list[int] = []
    previous = None
    for index, value in enumerate(values):
        ranks.append(ranks[-1] if index and value == previous else index + 1)
        previous = value
    return ranks


def _person_lines(campaign: Campaign) -> list[Line]:
    standings = list(
        Standing.objects.filter(campaign=campaign, is_active=True, distance_m__gt=0)
        .select_related("user", "unit", "team", "category")
        .order_by(*BOARD_ORDER)
    )
    ranks = competition_ranks(s.distance_m for s in standings)
    return [
        Line(
            kind=LineKind.PERSON,
            key=s.registration_id,
            rank=rank,
            position=position,
            name=display_name(s.user, s.bib, campaign)[:200],
            # Kept only beside a full name, as on the boards (docs/privacy.md).
            bib=s.bib if shows_bib(s.user, campaign) else None,
            gender=s.gender,
            category_id=s.category_id,
            category_name=s.category.name if s.category else "",
            unit_kind=s.unit.kind if s.unit else "",
            unit_name=s.unit.name if s.unit else "",
            team_name=s.team.name if s.team else "",
            distance_m=s.distance_m,
            steps=s.steps,
            steps_estimated=s.steps_estimated,
            converted=money(campaign, s.distance_m),
            active_days=s.active_days,
        )
        for position, (rank, s) in enumerate(zip(ranks, standings, strict=True), 1)
    ]


def _totals(campaign: Campaign, scope: str) -> dict[int, tuple[int, int]]:
    rows = (
        Total.objects.filter(campaign=campaign, scope=scope)
        .values("key")
        .annotate(d=Sum("distance_m"), s=Sum("steps"))
        .order_by()
    )
    return {row["key"]: (row["d"] or 0, row["s"] or 0) for row in rows}


def _estimated(campaign: Campaign, column: str) -> QuerySet:
    """The estimated part of the active people's steps, per ``column`` (team, unit path)."""
    return (
        Standing.objects.filter(campaign=campaign, is_active=True, steps_estimated__gt=0)
        .values_list(column)
        .annotate(e=Sum("steps_estimated"))
        .order_by()
    )


def _ranked(lines: list[Line]) -> list[Line]:
    lines.sort(key=lambda line: (-line.distance_m, line.name, line.key))
    ranks = competition_ranks(x.distance_m for x in lines)
    for position, (line, rank) in enumerate(zip(lines, ranks, strict=True), 1):
        line.rank, line.position = rank, position
    return lines


def _team_lines(campaign: Campaign) -> list[Line]:
    figures = _totals(campaign, Scope.TEAM)
    members = dict(
        Registration.objects.filter(campaign=campaign, status=RegistrationStatus.ACTIVE)
        .exclude(team=None)
        .values_list("team")
        .annotate(n=Count("pk"))
        .order_by()
    )
    donated = dict(
        Donation.objects.filter(campaign=campaign, status=DonationStatus.PAID)
        .exclude(team=None)
        .values_list("team")
        .annotate(v=Sum("amount"))
        .order_by()
    )
    estimated = dict(_estimated(campaign, "team_id"))
    lines = []
    for team in Team.objects.filter(campaign=campaign).select_related("unit"):
        distance, steps = figures.get(team.pk, (0, 0))
        if not (distance or members.get(team.pk)):
            continue
        lines.append(
            Line(
                kind=LineKind.TEAM,
                key=team.pk,
                rank=0,
                name=team.name,
                unit_name=team.unit.name if team.unit else "",
                distance_m=distance,
                steps=steps,
                steps_estimated=estimated.get(team.pk) or 0,
                converted=money(campaign, distance),
                donated=donated.get(team.pk) or 0,
                participants=members.get(team.pk, 0),
            )
        )
    return _ranked(lines)


def _rolled_up(rows: Iterable[tuple[str, int]], steplen: int) -> dict[str, int]:
    """Values per unit path, each added to the unit and every unit above it."""
    totals: dict[str, int] = defaultdict(int)
    for path, value in rows:
        for end in range(steplen, len(path or "") + 1, steplen):
            totals[path[:end]] += value or 0
    return totals


def _unit_lines(campaign: Campaign) -> list[Line]:
    organiser = campaign.organiser_unit
    steplen = Unit.steplen
    figures = _totals(campaign, Scope.UNIT)
    registered = _rolled_up(
        Registration.objects.filter(campaign=campaign, status=RegistrationStatus.ACTIVE)
        .exclude(unit=None)
        .values_list("unit__path")
        .annotate(n=Count("pk"))
        .order_by(),
        steplen,
    )
    donated = _rolled_up(
        Donation.objects.filter(campaign=campaign, status=DonationStatus.PAID)
        .exclude(unit=None)
        .values_list("unit__path")
        .annotate(v=Sum("amount"))
        .order_by(),
        steplen,
    )
    estimated = _rolled_up(_estimated(campaign, "unit__path"), steplen)
    rules = {(rule.unit_id, rule.unit_kind): rule.participants for rule in campaign.targets.all()}
    by_kind: dict[str, list[Line]] = defaultdict(list)
    for unit in Unit.objects.filter(path__startswith=organiser.path).order_by("path"):
        distance, steps = figures.get(unit.pk, (0, 0))
        target = rules.get((unit.pk, "")) or rules.get((None, unit.kind))
        people = registered.get(unit.path, 0)
        if not (distance or people or target):
            continue
        by_kind[unit.kind].append(
            Line(
                kind=LineKind.UNIT,
                key=unit.pk,
                rank=0,
                name=unit.name,
                unit_kind=unit.kind,
                distance_m=distance,
                steps=steps,
                steps_estimated=estimated.get(unit.path, 0),
                converted=money(campaign, distance),
                donated=donated.get(unit.path, 0),
                participants=people,
                target=target,
            )
        )
    return [line for lines in by_kind.values() for line in _ranked(lines)]


def lines_of(campaign: Campaign) -> list[Line]:
    """Every line of the campaign's results as of now, not saved."""
    return _person_lines(campaign) + _team_lines(campaign) + _unit_lines(campaign)


def totals_of(campaign: Campaign, lines: list[Line]) -> dict:
    figures = campaign_figures(campaign)
    donated = (
        Donation.objects.filter(campaign=campaign, status=DonationStatus.PAID).aggregate(
            v=Sum("amount")
        )["v"]
        or 0
    )
    return {
        "distance_m": figures.distance_m,
        "steps": figures.steps,
        "steps_estimated": sum(
            line.steps_estimated for line in lines if line.kind == LineKind.PERSON
        ),
        "participants": sum(1 for line in lines if line.kind == LineKind.PERSON),
        "registered": Registration.objects.filter(
            campaign=campaign, status=RegistrationStatus.ACTIVE
        ).count(),
        "converted": money(campaign, figures.distance_m),
        "donated": donated,
    }


def differences(old: Iterable[Line], new: Iterable[Line]) -> list[dict]:
    """What a correction changes, field by field, line by line."""
    before = {(line.kind, line.key): line for line in old}
    after = {(line.kind, line.key): line for line in new}
    changes: list[dict] = []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        name = (now or was).name  # type: ignore[union-attr]
        if was is None or now is None:
            changes.append(
                {
                    "kind": key[0],
                    "key": key[1],
                    "name": name,
                    "field": "line",
                    "old": None if was is None else was.rank,
                    "new": None if now is None else now.rank,
                }
            )
            continue
        for field in COMPARED:
            if getattr(was, field) != getattr(now, field):
                changes.append(
                    {
                        "kind": key[0],
                        "key": key[1],
                        "name": name,
                        "field": field,
                        "old": getattr(was, field),
                        "new": getattr(now, field),
                    }
                )
    return changes
