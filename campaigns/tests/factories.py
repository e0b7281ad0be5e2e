"""Factories for campaigns and teams tests."""

from datetime import timedelta

import factory
from django.utils import timezone

from campaigns.models import Campaign, DistanceCategory, Sport
from teams.models import Team


class CampaignFactory(factory.django.DjangoModelFactory):
    """An open campaign: registration open, started yesterday unless told otherwise."""

    class Meta:
        model = Campaign

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    title_vi = factory.Sequence(lambda n: f"Chiến dịch Triệu bước chân {n}")
    title_en = factory.Sequence(lambda n: f"A Million Steps {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
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


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Đội {n}")
