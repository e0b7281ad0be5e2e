"""Participants "as of" a day come from the recorded history: registrations,
withdrawals and comebacks on several days, and each past day's dashboard shows
exactly that day's counts."""

from datetime import date

import pytest
from django.urls import reverse

from campaigns.models import Registration
from campaigns.services import register
from dashboards import data
from dashboards.history import backfill
from dashboards.models import ParticipationChange, ParticipationDay
from dashboards.tests.conftest import at, leave

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(campaign, tree, people):
    """1/3: three in Long Trạch, one in the school. 2/3: one of Long Trạch
    withdraws, two join the school. 4/3: the withdrawn one comes back, now in
    the school. 5/3 late evening (23:30 local): one more in Long Trạch."""
    ltr, thpt = tree["LA-CD-LTR"], tree["LA-CD-THPT"]
    first = [people(campaign, ltr, at(1)) for _ in range(3)]
    people(campaign, thpt, at(1, hour=11))
    leave(first[0], at(2))
    people(campaign, thpt, at(2, hour=9))
    people(campaign, thpt, at(2, hour=15))
    register(campaign, first[0].user, unit=thpt, accept_rules=True, now=at(4))
    people(campaign, ltr, at(5, hour=23))
    return first


def counts(campaign, tree, day):
    snap = data.snapshot(campaign, tree["LA-CD"], day, now=at(20, month=4))
    by_code = {row.unit.code: row.participants for row in snap.children}
    return snap.total.participants, by_code["LA-CD-LTR"], by_code["LA-CD-THPT"]


def test_each_past_day_shows_that_days_counts(campaign, tree, history):
    assert counts(campaign, tree, date(2024, 2, 29)) == (0, 0, 0)
    assert counts(campaign, tree, date(2024, 3, 1)) == (4, 3, 1)
    assert counts(campaign, tree, date(2024, 3, 2)) == (5, 2, 3)
    assert counts(campaign, tree, date(2024, 3, 3)) == (5, 2, 3)
    assert counts(campaign, tree, date(2024, 3, 4)) == (6, 2, 4)
    assert counts(campaign, tree, date(2024, 3, 5)) == (7, 3, 4)


def test_a_registration_late_in_the_evening_counts_on_its_local_day(campaign, tree, history):
    # 23:00 in Vietnam is 16:00 UTC the same day: still 5/3, not 6/3.
    assert counts(campaign, tree, date(2024, 3, 5))[0] == 7


def test_the_registration_row_alone_would_miss_the_withdrawal(campaign, tree, history):
    comeback = Registration.objects.get(pk=history[0].pk)
    assert comeback.withdrawn_at is None and comeback.registered_at == at(1)
    assert counts(campaign, tree, date(2024, 3, 2))[1] == 2


def test_the_dashboard_page_for_a_past_day_shows_its_counts(client, owner, campaign, tree, history):
    client.force_login(owner)
    url = reverse("dashboards:unit", args=[campaign.slug, "LA-CD"])
    page = client.get(url, {"as_of": "2024-03-02"})
    assert page.status_code == 200
    snap = page.context["snap"]
    assert snap.day == date(2024, 3, 2)
    assert snap.total.participants == 5
    assert {r.unit.code: r.participants for r in page.context["rows"]} == {
        "LA-CD-LTR": 2,
        "LA-CD-THPT": 3,
    }


def test_backfill_matches_the_recorded_history_for_rows_made_in_bulk(campaign, tree, history):
    ParticipationChange.objects.all().delete()
    ParticipationDay.objects.all().delete()
    backfill(campaign)
    # The rows alone know neither 2/3's withdrawal nor that the comeback
    # changed unit: the person counts in the school from the start. Totals
    # and the present agree.
    assert counts(campaign, tree, date(2024, 3, 1)) == (4, 2, 2)
    assert counts(campaign, tree, date(2024, 3, 5)) == (7, 3, 4)
    assert backfill(campaign) == 0


def test_day_sums_agree_with_the_changes(campaign, tree, history):
    before = sorted(ParticipationDay.objects.values_list("unit_id", "day", "shard", "delta"))
    from dashboards.history import rebuild_days

    rebuild_days(campaign)
    after = sorted(ParticipationDay.objects.values_list("unit_id", "day", "shard", "delta"))
    assert [row for row in before if row[3]] == after
