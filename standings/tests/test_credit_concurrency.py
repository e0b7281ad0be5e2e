"""Credits for the same people added at the same moment by two workers, each in its
own transaction: every total still equals a recomputation, because each worker
locks the people's registrations before it reads their lines.

Runs on both databases (see core/tests/concurrency.py)."""

from datetime import timedelta

import pytest
from django.db import transaction

from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from core.tests.concurrency import at_once, waiting_for_sqlite
from kindsteps.testing.clock import NOW
from standings import services
from standings.models import Standing
from standings.rebuild import rebuild_campaign
from standings.tests.test_totals import credit
from teams.tests.factories import TeamFactory


@pytest.mark.django_db(transaction=True)
def test_two_workers_crediting_the_same_people_at_once_count_every_metre_once(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], starts_at=NOW - timedelta(days=10))
    team = TeamFactory(campaign=campaign)
    people = [
        RegistrationFactory(campaign=campaign, unit=tree["LA-CD-LTR"], team=team) for _ in range(3)
    ]
    # Each worker credits all three people (each person on the same day from both
    # workers), with distances that move everyone into new 100 m buckets.
    batches = [
        [
            services.Credit.of(credit(campaign, person, 950 + 10 * i + n, hours_ago=2 + i, count=0))
            for i, person in enumerate(people)
        ]
        for n in range(2)
    ]

    def add(batch):
        def in_a_transaction():
            with transaction.atomic():
                services.add_credits(batch)

        return lambda: waiting_for_sqlite(in_a_transaction)

    assert at_once([add(batch) for batch in batches]) == [None, None]
    lines = {s.registration_id: s for s in Standing.objects.filter(campaign=campaign)}
    assert [lines[p.pk].distance_m for p in people] == [1901, 1921, 1941]
    assert [lines[p.pk].activities for p in people] == [2, 2, 2]
    drift = rebuild_campaign(campaign, fix=False)
    assert drift.total == 0, drift.as_dict()
