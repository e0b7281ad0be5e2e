"""One team per person per campaign and one name per team, held by the
database itself, and two simultaneous requests of the same person.

The concurrency tests run on both databases. On PostgreSQL the two
transactions truly overlap: the conditional UPDATE (team IS NULL) and the
unique index on lower(name) decide. SQLite lets one writer in at a time
(IMMEDIATE transactions); its shared-cache test database answers "table is
locked" at once where a file database would wait, so the threads wait and
retry as the file database would. Either way exactly one request wins."""

import threading
import time
import unicodedata
from collections.abc import Callable

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

from campaigns.models import Registration
from campaigns.tests.factories import enrol
from teams import services
from teams.models import Team
from teams.services import TeamError
from teams.tests.factories import TeamFactory


def test_database_refuses_a_second_team_with_the_same_name_in_other_case(campaign):
    TeamFactory(campaign=campaign, name="Đội Xanh")

    # Bypasses the service: the unique index on lower(name) itself refuses.
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(campaign=campaign, name="Đội XANH")
    assert Team.objects.filter(campaign=campaign).count() == 1


def test_service_refuses_a_name_that_differs_only_in_vietnamese_case(campaign, participant):
    TeamFactory(campaign=campaign, name="Đội Long Trạch")
    enrol(campaign, participant)

    with pytest.raises(TeamError) as error:
        services.create_team(campaign, participant, name="ĐỘI LONG TRẠCH")

    assert error.value.code == "name_taken"
    assert error.value.status == 409


def test_service_treats_composed_and_decomposed_vietnamese_as_one_name(campaign, participant):
    TeamFactory(campaign=campaign, name=unicodedata.normalize("NFC", "Đội Hồng"))
    enrol(campaign, participant)

    with pytest.raises(TeamError) as error:
        services.create_team(campaign, participant, name=unicodedata.normalize("NFD", "Đội Hồng"))

    assert error.value.code == "name_taken"


def test_database_allows_the_same_team_name_in_another_campaign(campaign, started_campaign):
    TeamFactory(campaign=campaign, name="Đội Long Trạch")

    TeamFactory(campaign=started_campaign, name="Đội Long Trạch")

    assert Team.objects.filter(name="Đội Long Trạch").count() == 2


def test_database_refuses_a_second_registration_of_one_person(campaign, participant):
    enrol(campaign, participant)

    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            campaign=campaign, user=participant, bib=99, rules_accepted_at=campaign.starts_at
        )
    assert Registration.objects.filter(campaign=campaign, user=participant).count() == 1


def test_registration_holds_a_single_team_column(campaign, participant):
    """One team per person per campaign is the schema: a registration row per
    person and campaign, with one team foreign key."""
    field = Registration._meta.get_field("team")
    assert field.many_to_one and not field.many_to_many
    assert any(
        c.name == "registration_once" and set(c.fields) == {"campaign", "user"}
        for c in Registration._meta.constraints
    )


def _retrying_on_sqlite_lock(call: Callable[[], object]) -> object:
    for _ in range(250):
        try:
            return call()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.02)
    raise AssertionError("the SQLite lock was never released")


def _at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run ``calls`` in threads released together; each outcome is the call's
    result or the TeamError code it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = []
    lock = threading.Lock()

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            result = _retrying_on_sqlite_lock(call)
        except TeamError as exc:
            result = exc.code
        except BaseException as exc:  # shown by the test's assertion
            result = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_joins_of_one_person_into_two_teams_let_exactly_one_through(
    campaign, participant, user_factory
):
    first = TeamFactory(campaign=campaign, name="Đội Một")
    second = TeamFactory(campaign=campaign, name="Đội Hai")
    registration = enrol(campaign, participant)

    outcomes = _at_once(
        [
            lambda: services.join_team(first, participant).team_id,
            lambda: services.join_team(second, participant).team_id,
        ]
    )

    winners = [o for o in outcomes if o in (first.pk, second.pk)]
    assert len(winners) == 1, outcomes
    assert [o for o in outcomes if o not in winners] == ["already_in_team"]
    registration.refresh_from_db()
    assert registration.team_id == winners[0]
    assert Registration.objects.filter(user=participant, team__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_teams_with_the_same_name_let_exactly_one_through(
    campaign, participant, user_factory
):
    other = user_factory("other@example.org")
    enrol(campaign, participant)
    enrol(campaign, other)

    outcomes = _at_once(
        [
            lambda: services.create_team(campaign, participant, name="Đội Cần Đước").pk,
            lambda: services.create_team(campaign, other, name="đội cần đước").pk,
        ]
    )

    assert sorted(map(type, outcomes), key=str) == [int, str], outcomes
    assert "name_taken" in outcomes
    team = Team.objects.get(campaign=campaign)
    assert team.pk in outcomes
    members = Registration.objects.filter(campaign=campaign, team=team)
    assert [r.user_id for r in members] == [team.captain_id]
    assert Registration.objects.filter(campaign=campaign, team__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_person_creating_two_teams_at_once_ends_in_exactly_one(campaign, participant):
    registration = enrol(campaign, participant)

    outcomes = _at_once(
        [
            lambda: services.create_team(campaign, participant, name="Đội Sáng").pk,
            lambda: services.create_team(campaign, participant, name="Đội Chiều").pk,
        ]
    )

    assert "already_in_team" in outcomes, outcomes
    assert Team.objects.filter(campaign=campaign).count() == 1
    registration.refresh_from_db()
    assert registration.team == Team.objects.get(campaign=campaign)
