"""Told when a campaign's results are frozen, and when one's certificate is made."""

from datetime import timedelta

import pytest

from campaigns.tests.factories import CampaignFactory, UserFactory
from kindsteps.testing.clock import NOW
from notifications import kinds, services, sweeps
from notifications.models import Notification
from results import issuing
from results import services as results
from standings.tests.factories import walked

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(tree):
    """Ended three days ago; its appeal window is over."""
    return CampaignFactory(
        organiser_unit=tree["LA-CD"],
        starts_at=NOW - timedelta(days=30),
        ends_at=NOW - timedelta(days=3),
    )


def _walk(campaign, metres, name):
    return walked(
        campaign,
        metres,
        user=UserFactory(full_name=name),
        started_at=campaign.ends_at - timedelta(days=2, hours=3),
    )


def test_frozen_results_tell_each_participant_their_rank_and_km(finished, owner):
    first = _walk(finished, 21_100, "Nguyễn Văn An")
    second = _walk(finished, 5_000, "Trần Thị Bình")

    frozen = results.freeze(finished, actor=owner)
    sweeps.results(now=frozen.frozen_at + timedelta(minutes=1))
    sweeps.results(now=frozen.frozen_at + timedelta(minutes=10))

    by_person = {n.user_id: n for n in Notification.objects.filter(kind=kinds.RESULTS_READY)}
    assert set(by_person) == {first.user_id, second.user_id}
    assert by_person[first.user_id].params == {"rank": 1, "of": 2, "distance_m": 21_100}
    assert by_person[second.user_id].params["rank"] == 2
    assert by_person[first.user_id].link == f"/c/{finished.slug}/results/"
    message = services.message_of(by_person[first.user_id], "vi")
    assert ("Thứ hạng của bạn", "1 trên 2") in message.facts
    assert ("Quãng đường của bạn", "21,1 km") in message.facts


def test_a_made_certificate_is_told_once_with_its_file(finished, owner):
    walker = _walk(finished, 12_000, "Lê Văn Cường")
    frozen = results.freeze(finished, actor=owner)
    issuing.make(issuing.plan(frozen))

    sweeps.certificates(now=NOW + timedelta(minutes=1))
    sweeps.certificates(now=NOW + timedelta(minutes=10))

    (note,) = Notification.objects.filter(kind=kinds.CERTIFICATE_READY)
    assert note.user_id == walker.user_id
    code = note.params["code"]
    assert note.link.endswith(f"/certificates/{code}.pdf")
    assert note.params["verify"] == f"/verify/{code}/"
