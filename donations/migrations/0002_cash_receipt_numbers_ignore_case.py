"""Cash receipt numbers are unique per campaign whatever their case: the key
``receipt:<campaign id>:<number>`` kept as the provider reference becomes
``receipt:<campaign id>:<NUMBER>`` (spaces collapsed, upper case).

Receipts recorded before, twice in different cases ("aud-777" beside
"AUD-777"), are money received and stay as they are: the first recorded keeps
the key, each later one gets ``…#<donation id>`` and an audit entry
``donations.cash.receipt_clash`` naming the first, for a person to look at."""

from collections import defaultdict

from django.db import migrations

PREFIX = "receipt:"


def normalise(number: str) -> str:
    return " ".join(number.split()).upper()


def normalise_receipts(apps, schema_editor):
    Donation = apps.get_model("donations", "Donation")
    AuditEntry = apps.get_model("core", "AuditEntry")
    groups = defaultdict(list)
    cash = Donation.objects.filter(method="cash", provider_ref__startswith=PREFIX).order_by(
        "created_at", "pk"
    )
    for donation in cash.only("pk", "campaign_id", "provider_ref", "reference", "receipt_number"):
        number = donation.provider_ref.split(":", 2)[2]
        groups[donation.campaign_id, normalise(number)].append(donation)
    firsts, laters = [], []
    for (campaign_id, number), donations in groups.items():
        first, *others = donations
        first.provider_ref = f"{PREFIX}{campaign_id}:{number}"
        firsts.append(first)
        for other in others:
            other.provider_ref = f"{PREFIX}{campaign_id}:{number}#{other.pk}"
            laters.append(other)
            AuditEntry.objects.create(
                action="donations.cash.receipt_clash",
                object_type="donations.donation",
                object_id=str(other.pk),
                campaign_id=campaign_id,
                data={"receipt": other.receipt_number, "same_as": first.reference},
            )
    # The later ones first, so that no two rows share a key on the way.
    for donation in laters + firsts:
        Donation.objects.filter(pk=donation.pk).update(provider_ref=donation.provider_ref[:100])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("donations", "0001_initial"),
    ]

    operations = [migrations.RunPython(normalise_receipts, migrations.RunPython.noop)]
