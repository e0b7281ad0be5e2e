"""``{{ person|public_name:campaign }}``: a person's name as public pages show it
(accounts/names.py)."""

from django import template

from accounts import names

register = template.Library()


@register.filter
def public_name(person, campaign=None) -> str:
    return names.public_name(person, campaign) if person is not None else ""
