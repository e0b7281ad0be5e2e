"""Formatting for activities: kilometres, durations, paces, split rows and the
map's tile server."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def km(metres) -> str:
    """Metres as kilometres with two decimals, in the active language's notation."""
    if metres in (None, ""):
        return ""
    return floatformat(int(metres) / 1000, 2)


@register.filter
def duration(seconds) -> str:
    """Seconds as h:mm:ss (or m:ss under an hour)."""
    if seconds in (None, ""):
        return ""
    total = int(round(float(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


@register.filter
def pace(seconds_per_km) -> str:
    """A pace in seconds per kilometre as m:ss (the unit is written by the template)."""
    if not seconds_per_km:
        return ""
    total = int(round(float(seconds_per_km)))
    minutes, secs = divmod(total, 60)
    return f"{minutes}:{secs:02d}"


@register.filter
def split_rows(splits_s) -> list[dict]:
    """Each completed kilometre: its number, the clock time at its end and its pace."""
    rows, elapsed = [], 0.0
    for number, seconds in enumerate(splits_s or [], start=1):
        elapsed += float(seconds)
        rows.append({"km": number, "elapsed_s": elapsed, "pace_s": float(seconds)})
    return rows


@register.simple_tag
def map_config() -> dict:
    """Where the map's tiles come from (settings.MAP_TILE_URL) and whom they credit."""
    return {"tiles": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION}
