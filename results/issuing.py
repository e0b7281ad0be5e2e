"""Which certificates a frozen campaign has, and making their files.

`plan` keeps one Certificate per person with a credited kilometre and per unit
that met its target, its facts copied from the frozen lines (a correction that
changes them clears the files, so they are made again); `make` renders a batch.
Both can run again at any time: what is done is skipped."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from results import certificates
from results.models import Certificate, CertificateKind, LineKind, Results

BATCH = 200  # certificates per background job


def plan(results: Results) -> list[int]:
    """Certificates brought in line with the frozen results; the ids still to make."""
    campaign = results.campaign
    people = list(results.lines.filter(kind=LineKind.PERSON))
    units = [
        line for line in results.lines.filter(kind=LineKind.UNIT, target__gt=0) if line.met_target
    ]
    wanted = {
        ("person", line.key): certificates.person_facts(campaign, line, len(people))
        for line in people
    }
    wanted.update({("unit", line.key): certificates.unit_facts(campaign, line) for line in units})
    existing = {
        (cert.kind, cert.registration_id or cert.unit_id): cert
        for cert in results.certificates.all()
    }
    now = timezone.now()
    with transaction.atomic():
        new = [
            Certificate(
                results=results,
                kind=kind,
                registration_id=key if kind == CertificateKind.PERSON else None,
                unit_id=key if kind == CertificateKind.UNIT else None,
                facts=facts,
            )
            for (kind, key), facts in wanted.items()
            if (kind, key) not in existing
        ]
        Certificate.objects.bulk_create(new, batch_size=1000)
        changed = []
        for id_, cert in existing.items():
            facts = wanted.get(id_)
            if facts is None and cert.revoked_at is None:
                cert.revoked_at = now
                changed.append(cert)
            elif facts is not None and (facts != cert.facts or cert.revoked_at):
                cert.facts, cert.revoked_at, cert.made_at = facts, None, None
                changed.append(cert)
        Certificate.objects.bulk_update(
            changed, ["facts", "revoked_at", "made_at"], batch_size=1000
        )
    return list(
        results.certificates.filter(made_at=None, revoked_at=None)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def batches(ids: list[int], size: int = BATCH) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def make(ids: Iterable[int]) -> int:
    """Render the files of these certificates (those not made yet); how many were made."""
    made = 0
    pending = (
        Certificate.objects.filter(pk__in=list(ids), made_at=None, revoked_at=None)
        .select_related("results__campaign__organiser_unit", "registration__user")
        .order_by("pk")
    )
    for certificate in pending:
        pdf, png = certificates.render(certificate, certificate.results)
        stem = f"{certificate.results.campaign.slug}/{certificate.code}"
        # Made again after a correction: the old files go, the names stay.
        for old in (certificate.pdf, certificate.png):
            if old:
                old.delete(save=False)
        certificate.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        certificate.png.save(f"{stem}.png", ContentFile(png), save=False)
        certificate.made_at = timezone.now()
        made += Certificate.objects.filter(pk=certificate.pk, made_at=None).update(
            pdf=certificate.pdf.name, png=certificate.png.name, made_at=certificate.made_at
        )
    return made
