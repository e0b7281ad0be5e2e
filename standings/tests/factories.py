"""Participants with credited kilometres, for the standings tests."""

from datetime import timedelta

from django.utils import timezone

from activities.models import VerdictStatus
from activities.tests.factories import ActivityFactory, VerdictFactory
from campaigns.tests.factories import RegistrationFactory, UserFactory
from standings import services


def walked(campaign, metres, *, hours_ago=5, name="", user=None, **registration):
    """A registration with one accepted activity of `metres`, ended `hours_ago`,
    and its standing brought up to date as the pipeline would."""
    user = user or UserFactory(full_name=name or f"Người {metres}")
    reg = RegistrationFactory(campaign=campaign, user=user, **registration)
    if metres:
        activity = ActivityFactory(
            user=user,
            distance_m=metres,
            started_at=(timezone.now() - timedelta(hours=hours_ago)).replace(microsecond=0),
        )
        VerdictFactory(
            campaign=campaign,
            activity=activity,
            registration=reg,
            status=VerdictStatus.ACCEPTED,
            credited_m=metres,
            reasons=[],
        )
    services.refresh(reg.pk)
    return reg
