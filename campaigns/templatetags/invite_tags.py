from django import template
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.services import unit_invite_links
from orgs.models import Unit

register = template.Library()


def campaigns_for_unit(unit: Unit):
    """Campaigns not yet finished whose organiser is this unit or one above it:
    the campaigns this unit recruits for."""
    steplen = Unit.steplen
    ancestry = [unit.path[:end] for end in range(steplen, len(unit.path) + 1, steplen)]
    return Campaign.objects.filter(
        organiser_unit__path__in=ancestry, ends_at__gt=timezone.now()
    ).order_by("starts_at")


@register.inclusion_tag("campaigns/_unit_invites.html")
def unit_invites(unit: Unit) -> dict:
    rows = [
        {"campaign": campaign, "link": unit_invite_links(campaign, [unit])[0]}
        for campaign in campaigns_for_unit(unit)
    ]
    return {"rows": rows, "unit": unit}
