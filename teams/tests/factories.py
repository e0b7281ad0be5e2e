"""Factories for teams tests (and for the tests of the apps above teams)."""

import factory

from campaigns.models import Campaign
from campaigns.tests.factories import CampaignFactory, enrol
from teams.models import Team


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Đội {n}")


def captained_team(campaign: Campaign, captain, **fields) -> Team:
    """A team whose captain is registered and its first member."""
    team = TeamFactory(campaign=campaign, captain=captain, **fields)
    enrol(campaign, captain, team)
    return team
