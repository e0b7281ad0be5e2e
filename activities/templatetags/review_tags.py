"""What the organiser screens show about activity review."""

from django import template

from activities.review import review_queue
from campaigns.models import Campaign

register = template.Library()


@register.simple_tag
def review_waiting(campaign: Campaign) -> int:
    """How many activities of the campaign wait for an organiser."""
    return review_queue(campaign).count()
