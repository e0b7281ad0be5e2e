"""Factories for activities and verdicts, made directly in the database
(no file, no pipeline) for the review screens and services."""

from datetime import timedelta

import factory

from activities.models import Activity, Source, Sport, Verdict, VerdictStatus
from activities.synthetic import local
from campaigns.models import Campaign, Registration
from campaigns.tests.factories import CampaignFactory, RegistrationFactory, UserFactory
from kindsteps.testing.clock import NOW

GPS_JUMP = {
    "code": "gps_jump",
    "evidence": {
        "jumps": [{"index": 812, "speed_mps": 41.5, "distance_m": 850.0, "points": 1}],
        "excluded_m": 850,
        "share": 0.1453,
        "gps_jump_speed_mps": 12.0,
        "reject": False,
    },
    "messages": {
        "vi": "Định vị nhảy 850 m ở km 2,4.",
        "en": "The GPS jumped 850 m at km 2.4.",
    },
}


def reason(code: str, vi: str, en: str, **evidence) -> dict:
    """One verdict reason as the judging pipeline stores it."""
    return {"code": code, "evidence": evidence, "messages": {"vi": vi, "en": en}}


def registration_of(campaign, user) -> Registration:
    """The person's registration in the campaign, made (the day before it starts)
    when they have none."""
    existing = Registration.objects.filter(campaign=campaign, user=user).first()
    return existing or RegistrationFactory(
        campaign=campaign, user=user, registered_at=campaign.starts_at - timedelta(days=1)
    )


class ActivityFactory(factory.django.DjangoModelFactory):
    """A 5 km walk of an hour, 09:00 to 10:00 on the suite's fixed day (three hours
    before kindsteps.testing.clock.NOW), with a short track."""

    class Meta:
        model = Activity

    user = factory.SubFactory(UserFactory)
    source = Source.WEB
    external_id = factory.Sequence(lambda n: f"test/{n}#0")
    sport = Sport.WALK
    started_at = NOW - timedelta(hours=3)
    ended_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(seconds=o.elapsed_s))
    elapsed_s = 3600
    moving_s = 3500
    distance_m = 5000
    avg_pace_s_per_km = factory.LazyAttribute(lambda o: o.moving_s / (o.distance_m / 1000))
    splits_s = factory.LazyFunction(lambda: [700, 705, 698, 702, 695])
    track = factory.LazyFunction(
        lambda: [[10.6301, 106.4901], [10.6352, 106.4950], [10.6400, 106.5001]]
    )
    public_track = factory.LazyFunction(lambda: [[10.6352, 106.4950]])
    series = factory.LazyFunction(dict)


class VerdictFactory(factory.django.DjangoModelFactory):
    """A flagged verdict for a GPS jump; the registration is the activity owner's
    in ``campaign`` (created when not given)."""

    class Meta:
        model = Verdict

    campaign = factory.SubFactory("campaigns.tests.factories.CampaignFactory")
    activity = factory.SubFactory(ActivityFactory)
    registration = factory.LazyAttribute(lambda o: registration_of(o.campaign, o.activity.user))
    status = VerdictStatus.FLAGGED
    credited_m = factory.LazyAttribute(lambda o: o.activity.distance_m)
    reasons = factory.LazyFunction(lambda: [dict(GPS_JUMP)])


def capped_campaign(organiser_unit, participant, *, registered_at=None) -> Campaign:
    """A campaign of early 2026 (January and February, Vietnam time) that credits at
    most 5 km a day, with ``participant`` registered before it (20/12/2025)."""
    campaign = CampaignFactory(
        organiser_unit=organiser_unit,
        starts_at=local(2026, 1, 1),
        ends_at=local(2026, 3, 1),
        registration_opens_at=local(2025, 12, 1),
        registration_closes_at=local(2026, 2, 1),
        rules={"daily_cap_m": 5000},
    )
    RegistrationFactory(
        campaign=campaign, user=participant, registered_at=registered_at or local(2025, 12, 20)
    )
    return campaign
