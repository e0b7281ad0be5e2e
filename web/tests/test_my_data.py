"""The person's data page: the export of everything about them (a streamed ZIP with
the original files byte for byte and the tables as CSV and JSON), the default
for new maps, and the public privacy page. The owner/other/anonymous cases."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.services import record_consent
from activities import pipeline
from activities.models import RoutePreference, RouteVisibility
from activities.synthetic import gpx_track
from activities.tests.factories import ActivityFactory
from campaigns.tests.factories import CampaignFactory
from core.models import AuditEntry
from donations.models import Donation, DonationStatus, Method
from kindsteps.testing.clock import NOW
from teams.tests.factories import captained_team

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def mine(participant, tree, user_factory):
    """The participant's registration, team, a file, a donation; and someone else's."""
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], slug="cd-2026")
    team = captained_team(campaign, participant, name='=HYPERLINK("x")')
    campaign.registrations.update(registered_at=campaign.starts_at - timedelta(days=1))
    data = gpx_track(NOW - timedelta(hours=3), 2.0, 600, sport="walking")
    upload = pipeline.receive(participant, data, "sáng nay.gpx", process=False)
    pipeline.process_upload(upload.pk)
    Donation.objects.create(
        campaign=campaign,
        amount=150_000,
        method=Method.CASH,
        status=DonationStatus.PAID,
        paid_at=NOW,
        user=participant,
        donor_name="Lê Minh Anh",
    )
    other = user_factory("khac@example.org", full_name="Người Khác")
    ActivityFactory(user=other, note="not yours")
    record_consent(participant, language="vi")
    return {"campaign": campaign, "team": team, "file": data}


def export(client):
    response = client.post(reverse("my_data_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="kindsteps-')
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_export_holds_everything_about_the_person(client, participant, mine):
    client.force_login(participant)
    archive = export(client)
    names = set(archive.namelist())
    for table in ("activities", "registrations", "teams", "donations"):
        assert {f"{table}.json", f"{table}.csv"} <= names
    (original,) = [name for name in names if name.startswith("originals/")]
    assert original.endswith("sáng nay.gpx")
    assert archive.read(original) == mine["file"]  # byte for byte

    profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == "walker@example.org"
    assert profile["full_name"] == "Lê Minh Anh"
    assert profile["consents"][0]["version"]
    (activity,) = json.loads(archive.read("activities.json"))
    assert 1900 < activity["distance_m"] < 2100
    assert activity["route"] and activity["verdicts"][0]["campaign"] == "cd-2026"
    (registration,) = json.loads(archive.read("registrations.json"))
    assert registration["campaign"] == "cd-2026" and registration["unit"] is None
    (donation,) = json.loads(archive.read("donations.json"))
    assert donation["amount"] == 150_000
    # CSV through core/spreadsheets: a typed formula stays text.
    rows = list(csv.DictReader(io.StringIO(archive.read("teams.csv").decode("utf-8-sig"))))
    assert rows == [
        {
            "campaign": "cd-2026",
            "team": '\'=HYPERLINK("x")',
            "captain": "True",
            "joined_at": rows[0]["joined_at"],
        }
    ]


def test_the_export_holds_what_the_person_was_told_and_their_settings(
    client, participant, mine, user_factory
):
    from notifications import kinds, sending, services
    from notifications.services import Event

    participant.preferred_language = "en"
    participant.save(update_fields=["preferred_language"])
    other = user_factory("khac2@example.org")
    services.set_choice(participant, kinds.DIGEST, email=False)
    for user in (participant, other):
        services.deliver(
            [
                Event(
                    user.pk,
                    kinds.CAMPAIGN_START,
                    "cd-2026",
                    mine["campaign"].pk,
                    {"ends_at": mine["campaign"].ends_at.isoformat()},
                )
            ],
            now=NOW,
        )
    sending.send_batch(10, now=NOW)

    client.force_login(participant)
    told = json.loads(export(client).read("notifications.json"))
    (note,) = told["on_the_site"]
    assert note["kind"] == "campaign_start" and note["campaign"] == "cd-2026"
    assert note["title"].endswith("has started")  # in the person's language
    assert note["read_at"] is None
    (email,) = told["emails"]
    assert email["kind"] == "campaign_start" and email["sent_at"]
    assert told["settings"] == [{"kind": "digest", "email": False, "on_the_site": True}]


def test_the_export_holds_nothing_of_anyone_else(client, participant, mine):
    client.force_login(participant)
    archive = export(client)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"not yours" not in everything
    assert "Người Khác".encode() not in everything


def test_the_export_is_audited_without_its_content(client, participant, mine):
    client.force_login(participant)
    export(client)
    entry = AuditEntry.objects.get(action="accounts.user.exported")
    assert entry.actor == participant and entry.object_id == str(participant.pk)
    assert entry.data == {}


def test_the_export_and_the_data_page_need_the_person_logged_in(client):
    assert client.post(reverse("my_data_export")).status_code == 302
    assert client.get(reverse("my_data")).status_code == 302


def test_the_export_is_a_post(client, participant):
    client.force_login(participant)
    assert client.get(reverse("my_data_export")).status_code == 405


def test_the_data_page_offers_export_deletion_and_the_map_default(client, participant, mine):
    client.force_login(participant)
    body = client.get(reverse("my_data")).content.decode()
    assert reverse("my_data_export") in body
    assert reverse("my_data_delete") in body
    assert 'name="route_visibility" value="staff"' in body and "checked" in body
    assert reverse("my_data") in client.get(reverse("profile")).content.decode()


def test_the_default_for_new_maps_is_saved_and_can_apply_to_existing_ones(
    client, participant, mine
):
    client.force_login(participant)
    response = client.post(
        reverse("my_data_routes"), {"route_visibility": "private", "apply_to_existing": "on"}
    )
    assert response.status_code == 302
    assert RoutePreference.objects.get(user=participant).route_visibility == "private"
    assert set(participant.activities.values_list("route_visibility", flat=True)) == {
        RouteVisibility.PRIVATE
    }


def test_a_bad_default_is_refused(client, participant):
    client.force_login(participant)
    response = client.post(reverse("my_data_routes"), {"route_visibility": "friends"})
    assert response.status_code == 400
    assert not RoutePreference.objects.exists()


def test_the_privacy_page_is_public_and_states_the_purpose_and_rights(client, db):
    response = client.get(reverse("privacy"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "13/2023/NĐ-CP" in body
    assert "xếp hạng" in body  # the purpose
    assert "200 m" in body  # the routes' trimmed ends
    assert reverse("privacy") in client.get(reverse("home")).content.decode()
