"""Template filters over core/formatting.py: ``{% load formatting %}``.

``{{ metres|km }}`` (a total, one decimal), ``|km:"activity"`` (two decimals),
``|km:"whole"``; ``|digits``, ``|number``, ``|vnd``, ``|duration``, ``|pace``, ``|speed``;
``{% steps count estimated %}`` (marked when partly estimated).
An empty value reads as "", so a template can add ``|default:"–"``."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core import formatting

register = template.Library()


def _empty(value) -> bool:
    return value is None or value == ""


@register.filter
def km(metres, style: str = "total") -> str:
    return "" if _empty(metres) else formatting.km(int(metres), style)


@register.filter
def digits(count) -> str:
    return "" if _empty(count) else formatting.digits(int(count))


@register.filter
def number(value, decimals: int = 0) -> str:
    """Any measured figure (metres of climb, say), rounded half up to ``decimals``."""
    return "" if _empty(value) else formatting.number(float(value), int(decimals))


@register.filter
def vnd(amount) -> str:
    return "" if _empty(amount) else formatting.vnd(int(amount))


@register.filter
def duration(seconds) -> str:
    return "" if _empty(seconds) else formatting.duration(float(seconds))


@register.filter
def pace(seconds_per_km) -> str:
    """ "" where there is no pace (no distance, or none measured)."""
    return formatting.pace(float(seconds_per_km)) if seconds_per_km else ""


@register.filter
def speed(metres_per_second) -> str:
    return formatting.speed(float(metres_per_second)) if metres_per_second else ""


@register.simple_tag
def steps(count, estimated=False):
    """``{% steps standing.steps standing.steps_estimated %}``: the count, marked "≈"
    with a note when part of it is estimated from the distance (no device steps)."""
    if _empty(count):
        return ""
    if not estimated:
        return formatting.digits(count)
    return format_html(
        '<abbr class="steps-estimate" title="{}">≈</abbr>{}',
        _("Partly estimated from the distance"),
        formatting.digits(count),
    )
