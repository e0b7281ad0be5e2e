"""The profile's link to the connections page, shown only when a tracker is configured."""

from django import template

from trackers import garmin, strava

register = template.Library()


@register.inclusion_tag("trackers/_profile_link.html")
def tracker_link() -> dict:
    return {
        "configured": strava.configured() or garmin.configured(),
        "strava": strava.configured(),
        "garmin": garmin.configured(),
    }
