"""Writing the participation history (see models.py): one change per
registration, comeback and withdrawal, and the per-day sums kept beside it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from campaigns.models import Registration, RegistrationStatus
from core.counters import upsert
from dashboards.models import ParticipationChange, ParticipationDay
from orgs.models import Unit
from orgs.tree import chain_from, chain_ids

SHARDS = 4


def shard_of(registration_id: int) -> int:
    return registration_id % SHARDS


def _upsert_days(rows: Iterable[tuple]) -> None:
    """rows: (campaign_id, unit_id, day, shard, delta), added to what is there."""
    upsert(
        ParticipationDay._meta.db_table,
        ("campaign_id", "unit_id", "day", "shard", "delta"),
        sorted(row for row in rows if row[4]),
        key=("campaign_id", "unit_id", "day", "shard"),
        add=("delta",),
    )


def record(registration, delta: int, at: datetime) -> ParticipationChange:
    """Note that ``registration`` started (+1) or stopped (−1) counting for its
    unit at ``at``. Called (receivers.py) inside the transaction that changes the
    registration."""
    campaign = registration.campaign
    change = ParticipationChange.objects.create(
        campaign_id=registration.campaign_id,
        registration=registration,
        unit_id=registration.unit_id,
        delta=delta,
        at=at,
    )
    day = campaign.local(at).date()
    shard = shard_of(registration.pk)
    _upsert_days(
        (registration.campaign_id, unit_id, day, shard, delta)
        for unit_id in chain_ids(registration.unit)
    )
    return change


def backfill(campaign) -> int:
    """History for registrations that have none (rows bulk-created by an import
    or the demo): +1 at ``registered_at``, and −1 at ``withdrawn_at`` for the
    withdrawn; then the day sums are built again. Returns how many changes."""
    missing = Registration.objects.filter(campaign=campaign).exclude(
        Exists(ParticipationChange.objects.filter(registration=OuterRef("pk")))
    )
    changes = []
    for reg in missing.only("pk", "unit_id", "status", "registered_at", "withdrawn_at").iterator(
        chunk_size=5000
    ):
        changes.append(
            ParticipationChange(
                campaign=campaign,
                registration_id=reg.pk,
                unit_id=reg.unit_id,
                delta=1,
                at=reg.registered_at,
            )
        )
        if reg.status == RegistrationStatus.WITHDRAWN:
            changes.append(
                ParticipationChange(
                    campaign=campaign,
                    registration_id=reg.pk,
                    unit_id=reg.unit_id,
                    delta=-1,
                    at=reg.withdrawn_at or reg.registered_at,
                )
            )
    with transaction.atomic():
        ParticipationChange.objects.bulk_create(changes, batch_size=5000)
        if changes:
            rebuild_days(campaign)
    return len(changes)


def rebuild_days(campaign) -> None:
    """The day sums of ``campaign`` computed again from its changes."""
    paths = dict(Unit.objects.values_list("pk", "path"))
    ids = {path: pk for pk, path in paths.items()}
    chains: dict[int, list[int]] = {}
    sums: dict[tuple, int] = defaultdict(int)
    zone = campaign.tz
    changes = ParticipationChange.objects.filter(campaign=campaign, unit__isnull=False)
    for reg_id, unit_id, delta, at in changes.values_list(
        "registration_id", "unit_id", "delta", "at"
    ).iterator(chunk_size=20000):
        chain = chains.get(unit_id)
        if chain is None:
            chain = chains[unit_id] = chain_from(ids, paths[unit_id])
        day = at.astimezone(zone).date()
        shard = shard_of(reg_id)
        for pk in chain:
            sums[(pk, day, shard)] += delta
    with transaction.atomic():
        ParticipationDay.objects.filter(campaign=campaign).delete()
        ParticipationDay.objects.bulk_create(
            (
                ParticipationDay(campaign=campaign, unit_id=pk, day=day, shard=shard, delta=delta)
                for (pk, day, shard), delta in sums.items()
                if delta
            ),
            batch_size=5000,
        )
