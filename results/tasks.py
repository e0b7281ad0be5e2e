"""Certificates are made in the background, in batches (results.issuing)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from results import issuing
from results.models import Results


@db_task()
def plan_certificates(results_id: int) -> int:
    """Bring the certificates in line with the frozen results and queue their files."""
    results = Results.objects.select_related("campaign__organiser_unit").filter(pk=results_id)
    found = results.first()
    if found is None:
        return 0
    ids = issuing.plan(found)
    for batch in issuing.batches(ids):
        make_certificates(batch)
    return len(ids)


@db_task()
def make_certificates(ids: list[int]) -> int:
    return issuing.make(ids)
