"""Credits for the same people added at the same moment by two workers, each in its
own transaction: every total still equals a recomputation, because each worker
locks the people's registrations before it reads their lines.

Runs on both databases; see campaigns/tests/test_registration_concurrency.py for
why the SQLite threads retry on "table is locked"."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from activities.models import VerdictStatus
from activities.tests.factories import ActivityFactory, VerdictFactory
from campaigns.tests.factories import CampaignFactory, RegistrationFactory, TeamFactory
from standings import services
from standings.models import Standing
from standings.rebuild import rebuild_campaign


def _add_waiting_for_sqlite(credits):
    for _ in range(250):
        try:
            with transaction.atomic():
                return services.add_credits(credits)
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.02)
    raise AssertionError("the SQLite lock was never released")


def _new_credit(campaign, registration, metres, hours_ago):
    activity = ActivityFactory(
        user=registration.user,
        distance_m=metres,
        started_at=(timezone.now() - timedelta(hours=hours_ago)).replace(microsecond=0),
    )
    VerdictFactory(
        campaign=campaign,
        activity=activity,
        registration=registration,
        status=VerdictStatus.ACCEPTED,
        credited_m=metres,
        reasons=[],
    )
    return services.Credit(
        registration.pk,
        credited_m=metres,
        started_at=activity.started_at,
        ended_at=activity.ended_at,
        steps=None,
        distance_m=metres,
        sport=activity.sport,
    )


@pytest.mark.django_db(transaction=True)
def test_two_workers_crediting_the_same_people_at_once_count_every_metre_once(tree):
    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"], starts_at=timezone.now() - timedelta(days=10)
    )
    team = TeamFactory(campaign=campaign)
    people = [
        RegistrationFactory(campaign=campaign, unit=tree["LA-CD-LTR"], team=team) for _ in range(3)
    ]
    # Each worker credits all three people, the first of them on the same day as the
    # other worker, with distances that move everyone into new 100 m buckets.
    batches = [
        [
            _new_credit(campaign, person, 950 + 10 * i + n, hours_ago=2 + i)
            for i, person in enumerate(people)
        ]
        for n in range(2)
    ]
    barrier = threading.Barrier(len(batches))
    errors = []

    def work(batch):
        try:
            barrier.wait(timeout=10)
            _add_waiting_for_sqlite(batch)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    lines = {s.registration_id: s for s in Standing.objects.filter(campaign=campaign)}
    assert [lines[p.pk].distance_m for p in people] == [1901, 1921, 1941]
    assert [lines[p.pk].activities for p in people] == [2, 2, 2]
    drift = rebuild_campaign(campaign, fix=False)
    assert drift.total == 0, drift.as_dict()
