"""The team panel of the campaign page: the person's team, or how to get one."""

from django import template

from campaigns.models import Campaign
from teams import services

register = template.Library()


@register.inclusion_tag("teams/_panel.html", takes_context=True)
def team_panel(context: template.Context, campaign: Campaign) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    preview = bool(context.get("preview"))
    return {
        "campaign": campaign,
        "show": not preview and user is not None,
        "state": services.team_state(campaign, user) if user is not None else {},
        "team_count": campaign.teams.count(),
    }
