"""Two registrations of the same person at the same moment (a double tap, two
tabs): exactly one goes through, the other is told they are registered.

Runs on both databases. On PostgreSQL the two transactions truly overlap and
the unique (campaign, user) constraint and the row lock decide. SQLite lets one
writer in at a time (IMMEDIATE transactions), so the second finds the first
one's registration (see core/tests/concurrency.py for how the threads wait for it).
Either way the outcome asserted is the same."""

import pytest

from campaigns.models import Registration
from campaigns.services import RegistrationError, register
from campaigns.tests.factories import CampaignFactory
from core.tests.concurrency import at_once, waiting_for_sqlite


def _register(campaign, person):
    return lambda: waiting_for_sqlite(register, campaign, person, accept_rules=True)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_registrations_of_one_person_let_exactly_one_through(tree, participant):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])

    outcomes = at_once([_register(campaign, participant), _register(campaign, participant)])

    results = [o.code if isinstance(o, RegistrationError) else o.bib for o in outcomes]
    assert sorted(results, key=str) == [1, "already_registered"]
    registration = Registration.objects.get(campaign=campaign, user=participant)
    assert registration.bib == 1
    campaign.refresh_from_db()
    assert campaign.last_bib == 1  # the loser's bib was rolled back with it


@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_of_different_people_get_different_bibs(tree, user_factory):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    people = [user_factory(f"runner{n}@example.org") for n in range(4)]

    outcomes = at_once([_register(campaign, person) for person in people])

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert sorted(o.bib for o in outcomes) == [1, 2, 3, 4]
