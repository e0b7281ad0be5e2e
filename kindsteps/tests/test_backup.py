"""`manage.py backup` and `manage.py restore`: a campaign with credited walks, their
originals and paid donations is backed up, the database emptied (no table left) and the
files lost, then restored from the archive: every total, board and ledger sum is back as
it was, and so is every original. On SQLite and on PostgreSQL (the suite's two runs)."""

import tarfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum

from activities import pipeline, tasks
from activities.models import StoredFile
from activities.synthetic import gpx_track, local
from activities.tests.factories import capped_campaign
from campaigns.tests.factories import RegistrationFactory
from core.backup import storage_names
from donations import services as donations
from donations.models import Donation, Method
from standings import queries
from standings.models import Standing, Total

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads what is committed


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def campaign(tree, participant, user_factory):
    campaign = capped_campaign(tree["LA"], participant)
    other = user_factory("second@example.org", full_name="Trần Văn Bình")
    RegistrationFactory(campaign=campaign, user=other, registered_at=local(2025, 12, 21))
    walks = [
        (participant, local(2026, 1, 10, 6), 3.2),
        (participant, local(2026, 1, 11, 6), 4.1),
        (other, local(2026, 1, 10, 17), 2.4),
    ]
    for person, start, km in walks:
        upload = pipeline.receive(
            person, gpx_track(start, km, 500), "walk.gpx", process=False, received_at=start
        )
        tasks.process_upload_task(upload.pk)
    box = donations.settings_for(campaign)
    box.methods = [Method.VNPAY]
    box.save()
    for amount in (150_000, 2_000_000, 75_000):
        donation = donations.create_donation(campaign, amount=amount, method=Method.VNPAY)
        donations.confirm_paid(
            donation.reference,
            method=Method.VNPAY,
            amount=amount,
            provider_ref=donation.reference,
            kind="ipn",
        )
    return campaign


def snapshot(campaign) -> dict:
    rows, people = queries.board_page(campaign)
    return {
        "figures": queries.campaign_figures(campaign),
        "board": [(row.rank, row.name, row.standing.distance_m) for row in rows],
        "people": people,
        "lines": list(
            Standing.objects.order_by("pk").values_list("bib", "distance_m", "activities")
        ),
        "totals": Total.objects.aggregate(m=Sum("distance_m"), a=Sum("activities")),
        "paid": donations.paid_total(campaign),
        "ledger": sorted(Donation.objects.values_list("reference", "amount", "status")),
        "originals": {
            f.sha256: default_storage.open(f.content.name).read() for f in StoredFile.objects.all()
        },
    }


def empty_the_database() -> None:
    """Drop every table, as on a server whose database was just created."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f'DROP TABLE "{table}"')
            cursor.execute("PRAGMA foreign_keys = ON")
    assert connection.introspection.table_names() == []


def test_a_restored_backup_has_every_total_board_and_ledger_sum(campaign, tmp_path, media):
    before = snapshot(campaign)
    assert before["figures"].distance_m > 0 and before["paid"]["total"] == 2_225_000
    assert len(before["originals"]) == 3

    call_command("backup", output_dir=str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("kindsteps-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names
    assert sum(name.startswith("files/originals/") for name in names) == 3

    empty_the_database()
    for name in list(storage_names()):
        default_storage.delete(name)

    call_command("restore", str(archive), interactive=False)

    assert snapshot(campaign) == before


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    bogus = tmp_path / "kindsteps-20260311-050000.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        tar.add(Path(__file__), arcname="notes.txt")
    with pytest.raises(CommandError, match="not a KindSteps backup"):
        call_command("restore", str(bogus), interactive=False)
