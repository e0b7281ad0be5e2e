"""An upload's credits reach the standings: judged together, the files of one
export are added in one go and count as a recount from scratch would."""

import io
import zipfile

import pytest

from activities import pipeline, tasks
from activities.models import Verdict
from activities.synthetic import gpx_track, local
from activities.tests.factories import capped_campaign
from standings.models import Standing
from standings.rebuild import rebuild_campaign


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(tree, participant):
    """A campaign of early 2026 that credits at most 5 km a day."""
    return capped_campaign(tree["LA"], participant)


def test_an_export_of_many_walks_counts_each_credit_once(participant, campaign):
    walks = [
        ("a.gpx", gpx_track(local(2026, 1, 10, 6), 3.2, 400, sport="running")),
        ("b.gpx", gpx_track(local(2026, 1, 10, 17), 3.2, 400, sport="running")),  # capped
        ("c.gpx", gpx_track(local(2026, 1, 10, 6), 3.2, 400, sport="running")),  # a again
        ("d.gpx", gpx_track(local(2026, 1, 11, 0, 5), 3.2, 400, sport="running")),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in walks:
            archive.writestr(name, data)

    upload = pipeline.receive(
        participant,
        buffer.getvalue(),
        "export.zip",
        process=False,
        received_at=local(2026, 1, 11, 9),
    )
    tasks.process_upload_task(upload.pk)

    next_day = Verdict.objects.get(activity__started_at=local(2026, 1, 11, 0, 5))
    line = Standing.objects.get(registration__campaign=campaign)
    assert (line.distance_m, line.activities, line.active_days) == (
        5000 + next_day.credited_m,
        3,
        2,
    )
    assert rebuild_campaign(campaign, fix=False).total == 0
