"""Factories for campaigns, distance categories, registrations and people (teams:
teams/tests/factories.py)."""

from datetime import timedelta

import factory
from django.db import models

from campaigns.models import Campaign, DistanceCategory, Registration, Sport
from kindsteps.testing.clock import NOW


class CampaignFactory(factory.django.DjangoModelFactory):
    """An open campaign: registration open, started the day before the suite's fixed
    now (kindsteps.testing.clock.NOW) unless told otherwise."""

    class Meta:
        model = Campaign

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    title_vi = factory.Sequence(lambda n: f"Chiến dịch Triệu bước chân {n}")
    title_en = factory.Sequence(lambda n: f"A Million Steps {n}")
    starts_at = NOW - timedelta(days=1)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=56))
    registration_opens_at = factory.LazyAttribute(lambda o: o.starts_at - timedelta(days=14))
    registration_closes_at = factory.LazyAttribute(lambda o: o.ends_at)
    sports = factory.LazyFunction(lambda: [Sport.WALK, Sport.RUN])
    participant_target = 65
    vnd_per_km = 1000


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DistanceCategory

    campaign = factory.SubFactory(CampaignFactory)
    name_vi = "5 km"
    name_en = "5 km"
    distance_m = 5000


class RegistrationFactory(factory.django.DjangoModelFactory):
    """An active registration with the next bib of its campaign."""

    class Meta:
        model = Registration

    campaign = factory.SubFactory(CampaignFactory)
    user = factory.SubFactory("campaigns.tests.factories.UserFactory")
    bib = factory.LazyAttribute(lambda o: _next_bib(o.campaign))
    rules_accepted_at = NOW


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.User"

    email = factory.Sequence(lambda n: f"runner{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Người Chạy {n}")


def _next_bib(campaign: Campaign) -> int:
    Campaign.objects.filter(pk=campaign.pk).update(last_bib=models.F("last_bib") + 1)
    return Campaign.objects.values_list("last_bib", flat=True).get(pk=campaign.pk)


def enrol(campaign: Campaign, user, team=None) -> Registration:
    """An active registration of ``user`` in ``campaign``, in ``team`` (a teams.Team)
    if given."""
    return RegistrationFactory(
        campaign=campaign, user=user, team=team, team_joined_at=NOW if team else None
    )
