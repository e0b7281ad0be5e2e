"""Participants with credited kilometres, for the standings tests."""

from datetime import datetime, timedelta

from activities.models import VerdictStatus
from activities.tests.factories import ActivityFactory, VerdictFactory
from campaigns.tests.factories import RegistrationFactory, UserFactory
from kindsteps.testing.clock import NOW
from standings import services


def walked(
    campaign,
    metres,
    *,
    hours_ago: float = 5,
    started_at: datetime | None = None,
    name="",
    user=None,
    steps: int | None = None,
    **registration,
):
    """A registration with one accepted activity of `metres`, started at `started_at`
    (by default `hours_ago` hours before the suite's fixed now, NOW), with the device's
    `steps` if given, and its standing brought up to date as the pipeline would."""
    user = user or UserFactory(full_name=name or f"Người {metres}")
    reg = RegistrationFactory(campaign=campaign, user=user, **registration)
    if metres:
        activity = ActivityFactory(
            user=user,
            distance_m=metres,
            started_at=started_at or NOW - timedelta(hours=hours_ago),
            steps=steps,
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
