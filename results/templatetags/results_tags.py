from django import template

from accounts.models import Gender
from core.formatting import local_date, local_datetime
from orgs.models import UnitKind

register = template.Library()


@register.filter
def when(moment, campaign) -> str:
    """A moment in the campaign's zone: "22/04/2024 08:00"."""
    return local_datetime(moment, campaign.tz) if moment else ""


@register.filter
def day(moment, campaign) -> str:
    return local_date(moment, campaign.tz) if moment else ""


@register.filter
def gender_label(code: str) -> str:
    return str(Gender(code).label) if code in Gender.values else ""


@register.filter
def unit_kind_label(code: str) -> str:
    return str(UnitKind(code).label) if code in UnitKind.values else ""
