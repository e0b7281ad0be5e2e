"""The registration panel of the campaign page: what this person can do now."""

from django import template
from django.utils import timezone

from campaigns import services
from campaigns.models import Campaign
from campaigns.services import RegistrationError
from core.formatting import date_window, local_datetime

register = template.Library()


@register.inclusion_tag("campaigns/register/_panel.html", takes_context=True)
def registration_panel(context: template.Context, campaign: Campaign) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    registration = services.registration_for(campaign, user) if user is not None else None
    now = timezone.now()
    refusal = None
    if user is not None and user.is_authenticated and not (registration and registration.is_active):
        try:
            services.check_can_register(campaign, user, now)
        except RegistrationError as exc:
            refusal = exc
    return {
        "campaign": campaign,
        "user": user,
        "registration": registration,
        "refusal": refusal,
        "not_yet_open": now < campaign.registration_opens_at,
        "closed": now >= campaign.registration_closes_at,
        "opens_at": local_datetime(campaign.registration_opens_at, campaign.tz),
        "closes_at": local_datetime(campaign.registration_closes_at, campaign.tz, is_end=True),
    }


@register.simple_tag
def campaign_dates(campaign: Campaign) -> str:
    """``22/11/2026 – 16/01/2027`` in the campaign's time zone; a campaign that
    ends at 24:00 ends on that day, not the next."""
    return date_window(campaign.starts_at, campaign.ends_at, campaign.tz)
