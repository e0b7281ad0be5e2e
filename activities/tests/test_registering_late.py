"""People often record first and register later: what they recorded during the
campaign before registering is judged when they register, and counts unless the
campaign says it does not (Campaign.count_before_registration)."""

from datetime import timedelta

import pytest

from activities import pipeline, tasks
from activities.models import Verdict
from activities.synthetic import gpx_track
from campaigns import services
from campaigns.tests.factories import CampaignFactory
from kindsteps.testing.clock import NOW


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _walk_before_registering(user, start):
    data = gpx_track(start, 3.2, 700, sport="walking")
    upload = pipeline.receive(
        user, data, "walk.gpx", process=False, received_at=start + timedelta(hours=1)
    )
    tasks.process_upload_task(upload.pk)


def _register(campaign, user, capture):
    with capture(execute=True):
        return services.register(campaign, user, accept_rules=True)


def test_a_walk_recorded_before_registering_counts_by_default(
    participant, tree, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organiser_unit=tree["LA"])  # opened yesterday
    _walk_before_registering(participant, NOW - timedelta(hours=20))
    assert not Verdict.objects.exists()  # not registered yet: nothing to judge it for

    registration = _register(campaign, participant, django_capture_on_commit_callbacks)

    verdict = Verdict.objects.get()
    assert (verdict.registration, verdict.status) == (registration, "accepted")
    assert verdict.credited_m == verdict.activity.distance_m > 3000


def test_a_campaign_can_refuse_what_was_recorded_before_registering(
    participant, tree, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organiser_unit=tree["LA"], count_before_registration=False)
    _walk_before_registering(participant, NOW - timedelta(hours=20))

    _register(campaign, participant, django_capture_on_commit_callbacks)

    # Not silent: the walk gets a verdict that tells why it does not count.
    verdict = Verdict.objects.get()
    assert (verdict.status, verdict.codes) == ("rejected", ["before_registration"])
    assert "before you registered" in verdict.messages("en")[0]


def test_a_walk_before_the_campaign_opened_still_does_not_count(
    participant, tree, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organiser_unit=tree["LA"])
    _walk_before_registering(participant, campaign.starts_at - timedelta(hours=3))

    _register(campaign, participant, django_capture_on_commit_callbacks)

    assert Verdict.objects.get().codes == ["outside_window"]


def test_registering_judges_each_earlier_walk_once(
    participant, tree, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organiser_unit=tree["LA"])
    _walk_before_registering(participant, NOW - timedelta(hours=20))
    registration = _register(campaign, participant, django_capture_on_commit_callbacks)
    services.withdraw(registration, actor=participant)

    _register(campaign, participant, django_capture_on_commit_callbacks)  # a comeback

    assert Verdict.objects.count() == 1
