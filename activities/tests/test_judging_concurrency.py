"""Two activities of one person judged at the same moment (the phone app and the
web page, two workers): the daily cap and the duplicate rule still count each
metre once, because judging locks the person's registration first.

Runs on both databases; see campaigns/tests/test_registration_concurrency.py for
why the SQLite threads retry on "table is locked"."""

import threading
import time

import pytest
from django.db import OperationalError, connection

from activities import pipeline
from activities.models import Verdict
from activities.synthetic import gpx_track, local
from campaigns.tests.factories import CampaignFactory, RegistrationFactory


def _process_waiting_for_sqlite(upload_id):
    for _ in range(250):
        try:
            return pipeline.process_upload(upload_id)
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.02)
    raise AssertionError("the SQLite lock was never released")


def _race(upload_ids):
    barrier = threading.Barrier(len(upload_ids))
    errors = []

    def work(upload_id):
        try:
            barrier.wait(timeout=10)
            _process_waiting_for_sqlite(upload_id)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(pk,)) for pk in upload_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


@pytest.fixture
def capped(tree, participant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    campaign = CampaignFactory(
        organiser_unit=tree["LA"],
        starts_at=local(2026, 1, 1),
        ends_at=local(2026, 3, 1),
        registration_opens_at=local(2025, 12, 1),
        registration_closes_at=local(2026, 2, 1),
        rules={"daily_cap_m": 5000},
    )
    RegistrationFactory(campaign=campaign, user=participant, registered_at=local(2025, 12, 2))
    return campaign


def _upload(user, data, name):
    return pipeline.receive(user, data, name, received_at=local(2026, 1, 10, 21), process=False).pk


@pytest.mark.django_db(transaction=True)
def test_two_activities_racing_for_the_daily_cap_get_it_once(participant, capped):
    morning = _upload(participant, gpx_track(local(2026, 1, 10, 6), 3.5, 420), "am.gpx")
    evening = _upload(participant, gpx_track(local(2026, 1, 10, 18), 3.5, 420), "pm.gpx")

    _race([morning, evening])

    verdicts = list(Verdict.objects.all())
    assert len(verdicts) == 2
    assert sum(v.credited_m for v in verdicts) == 5000
    assert sorted(v.codes for v in verdicts) == [[], ["daily_cap"]]


@pytest.mark.django_db(transaction=True)
def test_one_effort_arriving_twice_at_once_counts_once(participant, capped):
    data = gpx_track(local(2026, 1, 10, 6), 3.5, 420, creator="watch")
    other_copy = gpx_track(local(2026, 1, 10, 6), 3.5, 420, creator="phone")

    _race([_upload(participant, data, "watch.gpx"), _upload(participant, other_copy, "phone.gpx")])

    statuses = sorted(Verdict.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "rejected"]
    assert Verdict.objects.get(status="rejected").codes == ["duplicate"]
    assert sum(Verdict.objects.values_list("credited_m", flat=True)) > 3400
