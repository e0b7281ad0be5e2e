"""Deleting one's account (docs/decisions/0019-data-rights.md): everything that names
or reaches the person goes — name, e-mail, phone, birth year, profile, tokens, social
accounts, staff roles, original files and routes — while every figure that counts
stays: campaign, unit, team and day totals, the boards, the donation ledger and the
donors' count are the same after as before, and a rebuild of the standings from what
is left finds them the same again. Both the deletion and the export are audited."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.models import ApiToken, User
from activities import pipeline
from activities.models import Activity, StoredFile, Upload
from activities.synthetic import gpx_track
from campaigns.tests.factories import CampaignFactory, RegistrationFactory, enrol
from conftest import PASSWORD
from core.models import AuditEntry
from donations.models import Donation, DonationStatus, Method
from donations.services import donor_count, paid_total
from kindsteps.testing.clock import NOW
from orgs.models import Role, UnitRole
from standings import queries
from standings.rebuild import rebuild_campaign
from teams.models import Team
from teams.tests.factories import captained_team

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA-CD"], slug="trieu-buoc")


def upload_walk(user, start, km: float) -> Upload:
    data = gpx_track(start, km, 600, sport="walking", creator=f"walk of {user.email}")
    upload = pipeline.receive(user, data, "walk.gpx", process=False)
    return pipeline.process_upload(upload.pk)


def give(campaign, amount: int, **fields) -> Donation:
    return Donation.objects.create(
        campaign=campaign,
        amount=amount,
        method=Method.CASH,
        status=DonationStatus.PAID,
        paid_at=NOW - timedelta(hours=1),
        **fields,
    )


@pytest.fixture
def scene(campaign, participant, user_factory, tree):
    """The participant captains a team with a friend, walked twice, gave twice (once
    logged in, once as a guest with their address); a stranger walked and gave too."""
    team = captained_team(campaign, participant)
    reg = participant.registrations.get()
    reg.unit = tree["LA-CD-THPT"]
    reg.save()
    friend = user_factory("ban@example.org", full_name="Bạn Cùng Đội")
    friends = enrol(campaign, friend, team)
    friends.unit = tree["LA-CD-LTR"]
    friends.save()
    stranger = user_factory("la@example.org", full_name="Người Lạ")
    RegistrationFactory(campaign=campaign, user=stranger, unit=tree["LA-CG-PL"])
    # Registered before the campaign began, so today's walks count.
    campaign.registrations.update(registered_at=campaign.starts_at - timedelta(days=1))
    upload_walk(participant, NOW - timedelta(hours=5), 3.0)
    upload_walk(participant, NOW - timedelta(hours=3), 2.0)
    upload_walk(friend, NOW - timedelta(hours=4), 4.0)
    upload_walk(stranger, NOW - timedelta(hours=2), 1.5)
    give(campaign, 200_000, user=participant, donor_name="Lê Minh Anh", email=participant.email)
    give(campaign, 50_000, donor_name="Minh Anh", email="WALKER@example.org", message="Cố lên!")
    give(campaign, 100_000, user=stranger, donor_name="Người Lạ")
    ApiToken.issue(participant, "Phone")
    SocialAccount.objects.create(user=participant, provider="google", uid="110169484474386276334")
    UnitRole.objects.create(user=participant, unit=tree["LA-CD-THPT"], role=Role.STAFF)
    return {"team": team, "friend": friend, "stranger": stranger}


def figures(campaign, tree, team) -> dict:
    """Every total a page shows for the campaign, and the ledger line by line."""
    units = ["LA-CD-THPT", "LA-CD-LTR", "LA-CD", "LA", "VN", "LA-CG-PL"]
    board, _count = queries.board_page(campaign)
    return {
        "campaign": queries.campaign_figures(campaign),
        "team": queries.team_figures(campaign, team.pk),
        "units": {code: queries.unit_figures(campaign, tree[code].pk) for code in units},
        "team_board": queries.team_board(campaign),
        "unit_board": queries.unit_board(campaign),
        "days": queries.daily_series(campaign),
        "board": [(row.rank, row.standing.bib, row.standing.distance_m) for row in board],
        "paid": paid_total(campaign),
        "donors": donor_count(campaign),
        "ledger": list(
            Donation.objects.filter(campaign=campaign)
            .order_by("pk")
            .values_list("reference", "amount", "method", "status", "paid_at")
        ),
    }


def delete(client, user, typed: str):
    client.force_login(user)
    return client.post(reverse("my_data_delete"), {"confirm_email": typed})


def test_deleting_keeps_every_total_and_the_ledger_to_the_dong(
    client, campaign, participant, scene, tree
):
    before = figures(campaign, tree, scene["team"])
    assert before["campaign"].distance_m > 10_000 and before["paid"]["total"] == 350_000

    response = delete(client, participant, "Walker@Example.org")

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert figures(campaign, tree, scene["team"]) == before
    rebuild_campaign(campaign)
    assert figures(campaign, tree, scene["team"]) == before


def test_deleting_removes_what_names_or_reaches_the_person(
    client, participant, scene, django_capture_on_commit_callbacks
):
    stored = list(StoredFile.objects.filter(uploads__user=participant).distinct())
    assert stored and all(default_storage.exists(f.content.name) for f in stored)

    with django_capture_on_commit_callbacks(execute=True):
        delete(client, participant, participant.email)

    person = User.objects.get(pk=participant.pk)
    assert person.is_deleted and not person.is_active
    assert person.email == f"deleted-{person.pk}@deleted.invalid"
    assert (person.full_name, person.phone, person.gender, person.birth_year) == ("", "", "", None)
    assert person.public_name_choice == "anonymous"
    assert not person.has_usable_password()
    assert not ApiToken.objects.filter(user=person).exists()
    assert not SocialAccount.objects.filter(user=person).exists()
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not UnitRole.objects.filter(user=person).exists()
    assert not Upload.objects.filter(user=person).exists()
    assert not StoredFile.objects.filter(pk__in=[f.pk for f in stored]).exists()
    assert not any(default_storage.exists(f.content.name) for f in stored)
    walks = Activity.objects.filter(user=person)
    assert walks.count() == 2
    assert all(w.track == [] and w.public_track == [] and w.series == {} for w in walks)
    assert all(w.distance_m > 0 for w in walks)  # the figures stay
    # The donations stay, anonymous: the name, address and message are gone.
    mine = Donation.objects.filter(user=person)
    assert sorted(mine.values_list("amount", flat=True)) == [50_000, 200_000]
    assert all(d.public_name == "Ẩn danh" for d in mine)
    assert not mine.exclude(donor_name="", email="", message="").exists()
    # The team the person captained passes to the friend, who is still in it.
    assert Team.objects.get(pk=scene["team"].pk).captain == scene["friend"]
    # Who was deleted and when, nothing of what the person was called.
    entry = AuditEntry.objects.get(action="accounts.user.deleted")
    assert entry.object_id == str(person.pk) and entry.data == {}
    # Nobody can log in as the person any more.
    client.logout()
    client.post(reverse("account_login"), {"login": "walker@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_the_ledger_shows_a_deleted_donors_gifts_as_anonymous(client, campaign, participant, scene):
    ledger = reverse("donations:ledger", args=[campaign.slug])
    assert "Lê Minh Anh" in client.get(ledger).content.decode()
    delete(client, participant, participant.email)
    body = client.get(ledger).content.decode()
    assert "Lê Minh Anh" not in body and "Cố lên!" not in body
    assert "Người Lạ" in body  # other donors are untouched


def test_the_same_file_sent_by_someone_else_stays_theirs(
    client, participant, scene, django_capture_on_commit_callbacks
):
    friend = scene["friend"]
    shared = participant.uploads.first().stored_file
    pipeline.receive(friend, shared.content.open("rb").read(), "copy.gpx", process=False)
    with django_capture_on_commit_callbacks(execute=True):
        delete(client, participant, participant.email)
    shared.refresh_from_db()
    assert default_storage.exists(shared.content.name)
    assert Upload.objects.filter(user=friend, stored_file=shared).exists()


def test_a_mistyped_address_deletes_nothing(client, participant, scene):
    response = delete(client, participant, "someone@example.org")
    assert response.status_code == 400
    assert "không phải địa chỉ e-mail của bạn" in response.content.decode()
    participant.refresh_from_db()
    assert not participant.is_deleted and participant.full_name == "Lê Minh Anh"
    assert not AuditEntry.objects.filter(action="accounts.user.deleted").exists()


def test_deleting_needs_a_post_by_the_person(client, participant):
    assert client.post(reverse("my_data_delete"), {"confirm_email": "x"}).status_code == 302
    client.force_login(participant)
    assert client.get(reverse("my_data_delete")).status_code == 405
