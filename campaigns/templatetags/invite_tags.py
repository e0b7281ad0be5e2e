from django import template
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.services import unit_invite_links
from orgs.models import Unit
from orgs.tree import ancestor_paths

register = template.Library()


def campaigns_for_unit(unit: Unit):
    """Campaigns not yet finished whose organiser is this unit or one above it:
    the campaigns this unit recruits for."""
    return Campaign.objects.filter(
        organiser_unit__path__in=ancestor_paths(unit.path), ends_at__gt=timezone.now()
    ).order_by("starts_at")


@register.inclusion_tag("campaigns/_unit_invites.html")
def unit_invites(unit: Unit) -> dict:
    rows = [
        {"campaign": campaign, "link": unit_invite_links(campaign, [unit])[0]}
        for campaign in campaigns_for_unit(unit)
    ]
    return {"rows": rows, "unit": unit}
