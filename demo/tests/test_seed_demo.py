"""The demo seed builds the 2024 plan's scenario and can run again."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from campaigns.models import Campaign, Registration, TargetRule
from campaigns.services import target_for
from demo import data
from demo.campaigns import OPEN_SLUG, PLAN_SLUG
from orgs.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_builds_the_plan_and_running_it_again_changes_nothing():
    seed()
    counts = (Unit.objects.count(), Registration.objects.count(), TargetRule.objects.count())
    seed()
    assert (
        Unit.objects.count(),
        Registration.objects.count(),
        TargetRule.objects.count(),
    ) == counts
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_seed_has_the_district_with_communes_health_and_schools():
    seed()
    district = Unit.objects.get(code="LA-CD")
    below = Unit.objects.filter(path__startswith=district.path, depth=district.depth + 1)
    kinds = [unit.kind for unit in below]
    assert kinds.count(UnitKind.COMMUNE) >= 12
    assert kinds.count(UnitKind.HEALTH) == 1
    assert kinds.count(UnitKind.SCHOOL) >= 3


def test_plan_campaign_has_the_window_and_targets_of_the_plan():
    seed()
    campaign = Campaign.objects.get(slug=PLAN_SLUG)
    assert campaign.local(campaign.starts_at).strftime("%H:%M %d/%m/%Y") == "08:00 25/02/2024"
    assert campaign.local(campaign.ends_at).strftime("%H:%M %d/%m/%Y") == "00:00 22/04/2024"
    district = target_for(campaign, Unit.objects.get(code="LA-CD"))
    assert (district.participants, district.stretch) == (65, 70)
    assert target_for(campaign, Unit.objects.get(code="LA-CD-THPT-CD")).participants == 10
    assert target_for(campaign, Unit.objects.get(code="LA-CD-YT")).participants == 2
    assert target_for(campaign, Unit.objects.get(code="LA-CD-LTR")).participants == 2
    # Some units fall short, so the organiser's screens have something to show.
    short = [
        unit
        for unit in Unit.objects.filter(path__startswith=campaign.organiser_unit.path)
        if (rule := target_for(campaign, unit))
        and unit.kind != UnitKind.DISTRICT
        and campaign.registrations.filter(unit=unit).count() < rule.participants
    ]
    assert short
    assert campaign.teams.count() >= 3


def test_open_campaign_accepts_registrations_today():
    seed()
    campaign = Campaign.objects.get(slug=OPEN_SLUG)
    assert campaign.registration_is_open() and campaign.status == "open"
    bibs = list(campaign.registrations.values_list("bib", flat=True))
    assert sorted(bibs) == list(range(1, len(bibs) + 1)) and campaign.last_bib == len(bibs)


def test_demo_accounts_log_in_with_the_printed_password():
    seed()
    for email in (data.ORGANISER_EMAIL, data.PARTICIPANT_EMAIL, data.ADMIN_EMAIL):
        assert authenticate(email=email, password=data.DEMO_PASSWORD) is not None


def test_high_school_students_are_minors_shown_by_short_name_on_the_board():
    from accounts import names
    from standings import queries

    seed()
    campaign = Campaign.objects.get(slug=PLAN_SLUG)
    students = campaign.registrations.filter(unit__kind=UnitKind.SCHOOL).select_related("user")
    assert students.exists()
    assert all(names.is_minor(r.user, campaign) for r in students)
    rows, _count = queries.board_page(campaign, 1, size=200)
    by_user = {row.standing.user_id: row for row in rows}
    shown = [by_user[r.user_id] for r in students if r.user_id in by_user]
    assert shown, "some students have credited km in the demo"
    for row in shown:
        assert row.name == names.short_name(row.standing.user.full_name)
        assert row.bib is None
    anonymous = [row for row in rows if row.standing.user.public_name_choice == "anonymous"]
    assert anonymous and all(
        row.name == names.anonymous_label(row.standing.user_id) for row in anonymous
    )
