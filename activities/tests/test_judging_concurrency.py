"""Two activities of one person judged at the same moment (the phone app and the
web page, two workers): the daily cap and the duplicate rule still count each
metre once, because judging locks the person's registration first.

Runs on both databases (see core/tests/concurrency.py)."""

import pytest

from activities import pipeline
from activities.models import Verdict
from activities.synthetic import gpx_track, local
from activities.tests.factories import capped_campaign
from core.tests.concurrency import at_once, waiting_for_sqlite


def _race(upload_ids):
    calls = [lambda pk=pk: waiting_for_sqlite(pipeline.process_upload, pk) for pk in upload_ids]
    outcomes = at_once(calls)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []


@pytest.fixture
def capped(tree, participant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return capped_campaign(tree["LA"], participant, registered_at=local(2025, 12, 2))


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
    assert Verdict.objects.get(status="rejected").codes == ["other_copy"]
    assert sum(Verdict.objects.values_list("credited_m", flat=True)) > 3400
