"""A double-clicked "record as a new donation": the two submits arrive at the
same moment, and one donation is recorded, which both answers name.

On PostgreSQL the two requests truly overlap and the statement line's row lock
decides. The SQLite test database lives in shared-cache memory, where even a
COMMIT can answer "table is locked" after the write took effect (see
core/tests/concurrency.py), so there the two-request test in
test_manage_views.py covers it and this one is skipped."""

import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from campaigns.tests.factories import CampaignFactory
from core.tests.concurrency import at_once
from donations import reconcile, services
from donations.models import Donation, DonationStatus, Method


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_record_as_new_records_one_donation(tree, owner, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs truly concurrent transactions (PostgreSQL)")
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    settings = services.settings_for(campaign)
    settings.methods = [Method.VIETQR]
    settings.save()
    data = "Ngày;Mã GD;Ghi có;Nội dung\n01/03/2024;FT9;300000;ung ho quy\n".encode()
    reconcile.import_statement(campaign, data, "s.csv", actor=owner)
    (line,) = reconcile.unmatched_lines(campaign)
    path = reverse("donations_manage:reconcile_line", args=[campaign.slug, line.pk])
    # Widen the moment between finding the line waiting and recording it, in
    # which the second click used to find it waiting too.
    line_event = reconcile._line_event

    def slow_line_event(*args, **kwargs):
        found = line_event(*args, **kwargs)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(reconcile, "_line_event", slow_line_event)
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(owner)

    answers = at_once(
        [
            lambda client=client: client.post(path, {"action": "new"}, follow=True)
            for client in clients
        ]
    )

    assert [getattr(answer, "status_code", answer) for answer in answers] == [200, 200]
    donation = Donation.objects.get(campaign=campaign)
    recorded = gettext("Recorded as donation %(ref)s of %(amount)s.") % {
        "ref": donation.reference,
        "amount": "300.000 đ",
    }
    # Each page as rendered (the test client's captured contexts mix across threads).
    for answer in answers:
        page = answer.content.decode()
        assert recorded in page
        assert (
            gettext("This bank transaction already paid a donation of another campaign.")
            not in page
        )
    assert (donation.amount, donation.status, donation.provider_ref) == (
        300_000,
        DonationStatus.PAID,
        "FT9",
    )
    assert reconcile.unmatched_lines(campaign) == []
    assert services.paid_total(campaign) == {"total": 300_000, "count": 1}
