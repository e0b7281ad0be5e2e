"""``/metrics`` for Prometheus (docs/deployment.md, "Health and metrics").

django-prometheus counts requests and their latencies per view in each process; the
figures below are read from the shared database and queue when Prometheus scrapes, so any
web node gives the same answer: the queue's depth and lag, the uploads waiting, and how
long recent uploads took from arrival to credit on the boards.

Readable with ``Authorization: Bearer $METRICS_TOKEN`` or from METRICS_ALLOWED_IPS; the
reverse proxy refuses /metrics from outside (deploy/nginx/kindsteps.conf)."""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from activities.models import Upload, UploadStatus
from core.health import queue_depth, queue_lag

# Uploads finished in this window make the latency figures.
LATENCY_WINDOW = timedelta(minutes=15)
LATENCY_SAMPLE = 20_000
QUANTILES = (0.5, 0.95, 0.99, 1.0)


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class KindStepsCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "kindsteps_queue_depth", "Jobs waiting in the queue.", value=queue_depth()
        )
        lag = queue_lag()
        yield GaugeMetricFamily(
            "kindsteps_queue_lag_seconds",
            "How late the queue starts a job (the once-a-minute heartbeat).",
            value=-1 if lag is None else lag,
        )
        waiting = GaugeMetricFamily(
            "kindsteps_uploads_waiting", "Uploads not yet read, by status.", labels=["status"]
        )
        for status in (UploadStatus.PENDING, UploadStatus.PROCESSING):
            waiting.add_metric([status], Upload.objects.filter(status=status).count())
        yield waiting

        since = timezone.now() - LATENCY_WINDOW
        pairs = Upload.objects.filter(status=UploadStatus.DONE, finished_at__gte=since).values_list(
            "received_at", "finished_at"
        )[:LATENCY_SAMPLE]
        seconds = sorted((done - received).total_seconds() for received, done in pairs)
        latency = GaugeMetricFamily(
            "kindsteps_upload_to_credit_seconds",
            "Seconds from an upload's arrival to its credit on the boards, over the uploads "
            "finished in the last 15 minutes (quantile 1 is the slowest).",
            labels=["quantile"],
        )
        for q in QUANTILES:
            latency.add_metric([str(q)], _quantile(seconds, q) if seconds else 0.0)
        yield latency
        yield GaugeMetricFamily(
            "kindsteps_uploads_credited_recently",
            "Uploads finished in the last 15 minutes.",
            value=len(seconds),
        )


_COLLECTOR = KindStepsCollector()


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return request.META.get("REMOTE_ADDR") in settings.METRICS_ALLOWED_IPS


@never_cache
def metrics(request):
    if not _allowed(request):
        return HttpResponseForbidden()
    shared = CollectorRegistry()
    shared.register(_COLLECTOR)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # gunicorn's workers each count their own requests: add them up.
        process = CollectorRegistry()
        multiprocess.MultiProcessCollector(process)
    else:
        process = REGISTRY
    body = generate_latest(process) + generate_latest(shared)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
