"""Formatting for the standings: kilometres and counts in the active language's
notation ("1.234,5" in Vietnamese, "1,234.5" in English) and đồng."""

from __future__ import annotations

from django import template
from django.utils import translation

from campaigns.display import format_vnd, group_digits

register = template.Library()


@register.filter
def km(metres, decimals=1) -> str:
    """Metres as kilometres with one decimal (or none: `|km:0`), rounded half up,
    with digit grouping: 12345678 → "12.345,7" in Vietnamese, "12,345.7" in English."""
    if metres in (None, ""):
        return ""
    if int(decimals) == 0:
        return group_digits((int(metres) + 500) // 1000)
    whole, tenth = divmod((int(metres) + 50) // 100, 10)
    point = "." if (translation.get_language() or "vi").startswith("en") else ","
    return f"{group_digits(whole)}{point}{tenth}"


@register.filter
def digits(number) -> str:
    """A whole number with digit grouping."""
    if number in (None, ""):
        return ""
    return group_digits(int(number))


@register.filter
def vnd(amount) -> str:
    if amount in (None, ""):
        return ""
    return format_vnd(int(amount))
