"""Who sees which dashboard. A person with a staff role on a unit sees, for
every campaign whose organiser subtree overlaps theirs, the units both hold:
the organiser's staff the whole campaign, a commune's staff only their commune.
Anything else is a 404."""

from __future__ import annotations

from django.http import Http404

from campaigns.models import Campaign
from orgs.access import staff_roots
from orgs.models import Role, Unit, UnitRole
from orgs.tree import ancestor_paths


def top_units(user, campaign: Campaign) -> list[Unit]:
    """The highest units of the campaign the person may look at."""
    if not user.is_authenticated:
        return []
    organiser = campaign.organiser_unit
    tops = []
    for root in staff_roots(user):
        if organiser.path.startswith(root.path):
            tops.append(organiser)
        elif root.path.startswith(organiser.path):
            tops.append(root)
    return sorted({unit.pk: unit for unit in tops}.values(), key=lambda unit: unit.path)


def dashboard_campaigns(user) -> list[tuple[Campaign, list[Unit]]]:
    if not user.is_authenticated:
        return []
    campaigns = Campaign.objects.select_related("organiser_unit").order_by("-starts_at")
    out = []
    for campaign in campaigns:
        tops = top_units(user, campaign)
        if tops:
            out.append((campaign, tops))
    return out


def get_campaign_for_dashboard(user, slug: str) -> tuple[Campaign, list[Unit]]:
    campaign = Campaign.objects.select_related("organiser_unit").filter(slug=slug).first()
    tops = top_units(user, campaign) if campaign else []
    if not tops:
        raise Http404
    return campaign, tops


def get_dashboard_unit(user, slug: str, code: str) -> tuple[Campaign, Unit, list[Unit]]:
    """The campaign, the unit ``code`` inside both the campaign and the person's
    subtrees, and the units from the person's top unit down to it; else 404."""
    campaign, tops = get_campaign_for_dashboard(user, slug)
    unit = Unit.objects.filter(code=code).first()
    top = next((t for t in tops if unit and unit.path.startswith(t.path)), None)
    if top is None:
        raise Http404
    trail = list(
        Unit.objects.filter(path__in=ancestor_paths(unit.path, top=top.path)).order_by("path")
    )
    return campaign, unit, trail


def staff_of(unit: Unit, *, roles=(Role.ADMIN, Role.STAFF)):
    """People with a role on ``unit`` itself."""
    return [
        role.user
        for role in UnitRole.objects.filter(unit=unit, role__in=roles)
        .select_related("user")
        .order_by("user__email")
        if role.user.is_active
    ]
