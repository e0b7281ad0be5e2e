"""Activity pages: the split rows and the map's tile server. Numbers, durations
and paces are written by core/formatting.py (`{% load formatting %}`)."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


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
