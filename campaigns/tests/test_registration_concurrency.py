"""Two registrations of the same person at the same moment (a double tap, two
tabs): exactly one goes through, the other is told they are registered.

Runs on both databases. On PostgreSQL the two transactions truly overlap and
the unique (campaign, user) constraint and the row lock decide. SQLite lets one
writer in at a time (IMMEDIATE transactions), so the second finds the first
one's registration; the test database there lives in shared-cache memory, which
answers "table is locked" at once where a file database would wait for its
busy timeout, so the threads wait and retry as the file database would.
Either way the outcome asserted is the same."""

import threading
import time

import pytest
from django.db import OperationalError, connection

from campaigns.models import Registration
from campaigns.services import RegistrationError, register
from campaigns.tests.factories import CampaignFactory


def _register_waiting_for_sqlite(campaign, person):
    for _ in range(250):
        try:
            return register(campaign, person, accept_rules=True)
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.02)
    raise AssertionError("the SQLite lock was never released")


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_registrations_of_one_person_let_exactly_one_through(tree, participant):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    barrier = threading.Barrier(2)
    outcomes: list[object] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            barrier.wait(timeout=10)
            result: object = _register_waiting_for_sqlite(campaign, participant).bib
        except RegistrationError as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes, key=str) == [1, "already_registered"]
    registration = Registration.objects.get(campaign=campaign, user=participant)
    assert registration.bib == 1
    campaign.refresh_from_db()
    assert campaign.last_bib == 1  # the loser's bib was rolled back with it


@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_of_different_people_get_different_bibs(tree, user_factory):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    people = [user_factory(f"runner{n}@example.org") for n in range(4)]
    barrier = threading.Barrier(len(people))
    bibs: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def attempt(person) -> None:
        try:
            barrier.wait(timeout=10)
            bib = _register_waiting_for_sqlite(campaign, person).bib
            with lock:
                bibs.append(bib)
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(bibs) == [1, 2, 3, 4]
