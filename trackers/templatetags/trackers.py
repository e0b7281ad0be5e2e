"""The profile's link to the connections page, shown only when a tracker is configured,
and Strava's marks (docs/decisions/0050-strava-marks.md)."""

from functools import cache

from django import template
from django.contrib.staticfiles import finders

from trackers import garmin, strava

register = template.Library()

# Where the operator puts Strava's own "Powered by Strava" logo, downloaded from Strava's
# brand guidelines page (https://developers.strava.com/guidelines/), unmodified.
OFFICIAL_LOGO = "trackers/strava/api_logo_pwrd_by_strava_horiz_orange.svg"


@cache
def official_logo() -> str:
    """The static path of Strava's logo when the operator has put it in place, else ""."""
    return OFFICIAL_LOGO if finders.find(OFFICIAL_LOGO) else ""


@register.inclusion_tag("trackers/_profile_link.html", takes_context=True)
def tracker_link(context) -> dict:
    user = context.get("user")
    connected = bool(
        user is not None
        and user.is_authenticated
        and user.tracker_connections.filter(provider="strava", status="active").exists()
    )
    return {
        "configured": strava.configured() or garmin.configured(),
        "strava": strava.configured(),
        "garmin": garmin.configured(),
        "connected": connected,
    }


@register.inclusion_tag("trackers/_powered_by_strava.html")
def powered_by_strava() -> dict:
    """Strava's attribution: its own logo when the operator has added it, else the words
    in Strava's orange, apart from KindSteps' own marks."""
    return {"logo": official_logo()}
