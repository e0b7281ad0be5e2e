"""`/metrics` for Prometheus: readable from this machine or with the token, refused to
anyone else; it reports the queue and how long uploads took to reach the boards."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities import pipeline
from activities.models import Upload, UploadStatus


def test_metrics_are_refused_to_an_outside_address(client, db):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 403


def test_metrics_are_read_with_the_token_from_anywhere(client, db, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    response = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer s3cret-token"
    )
    assert response.status_code == 200
    assert (
        client.get(
            "/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer wrong"
        ).status_code
        == 403
    )


@pytest.mark.parametrize("waits", [[2, 4, 6, 8, 40]])
def test_upload_to_credit_latency_is_read_from_recent_uploads(client, participant, waits):
    now = timezone.now()
    for i, seconds in enumerate(waits):
        upload = pipeline.receive(participant, f"file {i}".encode(), f"{i}.gpx", process=False)
        Upload.objects.filter(pk=upload.pk).update(
            status=UploadStatus.DONE,
            received_at=now - timedelta(seconds=seconds),
            finished_at=now,
        )
    pipeline.receive(participant, b"still waiting", "w.gpx", process=False)
    old = pipeline.receive(participant, b"long ago", "old.gpx", process=False)
    Upload.objects.filter(pk=old.pk).update(
        status=UploadStatus.DONE,
        received_at=now - timedelta(hours=2),
        finished_at=now - timedelta(hours=1),
    )

    body = client.get("/metrics").content.decode()

    assert 'kindsteps_upload_to_credit_seconds{quantile="0.5"} 6.0' in body
    assert 'kindsteps_upload_to_credit_seconds{quantile="1.0"} 40.0' in body
    assert "kindsteps_uploads_credited_recently 5.0" in body
    assert 'kindsteps_uploads_waiting{status="pending"} 1.0' in body
    assert "kindsteps_queue_depth 0.0" in body
    assert "django_http_requests_total_by_view_transport_method_total" in body
