"""Sponsors' pledges converted live from the standings.

A sponsor pledges so many đồng per valid kilometre of the whole campaign, of one
team or of one unit (its subtree's total), perhaps up to a cap. The contribution
is computed on every read from the standings totals — nothing is stored — so it
follows the kilometres as they are credited or taken back.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.formatting import km, vnd
from donations.models import Sponsor
from standings.queries import campaign_figures, team_figures, unit_figures


def contribution(distance_m: int, vnd_per_km: int, cap: int | None) -> int:
    """Whole đồng for `distance_m` metres at `vnd_per_km`, pro rata, at most `cap`."""
    amount = distance_m * vnd_per_km // 1000
    return amount if cap is None else min(cap, amount)


@dataclass
class SponsorRow:
    sponsor: Sponsor
    scope: str  # what the pledge counts: the campaign, a team's or a unit's name
    distance_m: int
    amount: int
    capped: bool

    @property
    def km(self) -> str:
        return km(self.distance_m)

    @property
    def amount_text(self) -> str:
        return vnd(self.amount)

    @property
    def rate_text(self) -> str:
        return vnd(self.sponsor.vnd_per_km)

    @property
    def cap_text(self) -> str:
        return vnd(self.sponsor.cap) if self.sponsor.cap is not None else ""


def sponsor_rows(campaign) -> list[SponsorRow]:
    """Every sponsor of the campaign with the kilometres it counts and its contribution."""
    distances: dict[tuple[str, int], int] = {}

    def distance(kind: str, key: int) -> int:
        if (kind, key) not in distances:
            figures = {
                "campaign": lambda: campaign_figures(campaign),
                "team": lambda: team_figures(campaign, key),
                "unit": lambda: unit_figures(campaign, key),
            }[kind]()
            distances[kind, key] = figures.distance_m
        return distances[kind, key]

    rows = []
    for sponsor in Sponsor.objects.filter(campaign=campaign).select_related("team", "unit"):
        if sponsor.team_id:
            scope, metres = sponsor.team.name, distance("team", sponsor.team_id)
        elif sponsor.unit_id:
            scope, metres = sponsor.unit.name, distance("unit", sponsor.unit_id)
        else:
            scope, metres = _("the whole campaign"), distance("campaign", 0)
        uncapped = metres * sponsor.vnd_per_km // 1000
        amount = contribution(metres, sponsor.vnd_per_km, sponsor.cap)
        rows.append(SponsorRow(sponsor, scope, metres, amount, capped=amount < uncapped))
    return rows


def sponsors_total(rows: list[SponsorRow]) -> int:
    return sum(row.amount for row in rows)


def sponsors_context(campaign) -> dict:
    """What ``donations/_sponsors.html`` needs: ``{% include ... with sponsors=... %}``
    or merge this dict into the page's context."""
    rows = sponsor_rows(campaign)
    return {"sponsor_rows": rows, "sponsors_total_text": vnd(sponsors_total(rows))}
