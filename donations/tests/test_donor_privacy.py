"""Donors on public lists and in the organisers' workbook. Public lists (the
ledger page, its CSV, the receipt) name a donor with an account as their
profile's public-name choice allows (accounts/names.py) and keep a donation's
"anonymous" wish; the workbook carries donors' e-mail addresses only for readers
orgs.permissions.may_see_contacts allows: the owner (admin of Cần Đước) and an
administrator of the donation's commune, not the member (its plain staff)."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import PublicName
from campaigns.tests.factories import CampaignFactory, UserFactory
from donations import services
from donations.models import Donation, Method
from donations.receipts import receipt_url
from kindsteps.testing.mfa import with_totp
from orgs.models import Role, UnitRole

EMAIL = "donor@example.org"


@pytest.fixture
def campaign(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], slug="cd-donors")
    settings = services.settings_for(campaign)
    settings.methods = [Method.VNPAY]
    settings.save()
    return campaign


def paid(campaign, amount: int, **extra) -> Donation:
    donation = services.create_donation(campaign, amount=amount, method=Method.VNPAY, **extra)
    services.confirm_paid(
        donation.reference,
        method=Method.VNPAY,
        amount=amount,
        provider_ref=f"T{donation.pk}",
        kind="ipn",
    )
    return donation


def donor(name, *, birth_year=1985, choice=PublicName.AUTO):
    return UserFactory(full_name=name, birth_year=birth_year, public_name_choice=choice)


@pytest.fixture
def gifts(campaign):
    return {
        "adult": paid(campaign, 100_000, donor_name="Nguyễn Văn An", user=donor("Nguyễn Văn An")),
        "student": paid(
            campaign,
            50_000,
            donor_name="Trần Thị Ngọc Ánh",
            user=donor("Trần Thị Ngọc Ánh", birth_year=2010),
        ),
        "typed": paid(
            campaign,
            70_000,
            donor_name="Gia đình Lê Văn Bình",
            user=donor("Lê Văn Bình", choice=PublicName.SHORT),
        ),
        "hidden": paid(
            campaign,
            80_000,
            donor_name="Phạm Thị Kín",
            user=donor("Phạm Thị Kín", choice=PublicName.ANONYMOUS),
        ),
        "wish": paid(
            campaign, 90_000, donor_name="Võ Văn Tâm", is_anonymous=True, user=donor("Võ Văn Tâm")
        ),
        "guest": paid(campaign, 60_000, donor_name="Khách Vãng Lai"),
    }


SHOWN = {
    "adult": "Nguyễn Văn An",
    "student": "Trần T. N. Á.",
    "typed": "Gia Đ. L. V. B.",
    "guest": "Khách Vãng Lai",
}
HIDDEN = ("Trần Thị Ngọc Ánh", "Gia đình Lê Văn Bình", "Phạm Thị Kín", "Võ Văn Tâm")


def test_the_ledger_page_names_donors_as_they_chose(client, campaign, gifts):
    body = client.get(reverse("donations:ledger", args=[campaign.slug])).content.decode()
    for name in SHOWN.values():
        assert name in body
    for name in HIDDEN:
        assert name not in body


def test_the_ledger_csv_too(client, campaign, gifts):
    response = client.get(f"/c/{campaign.slug}/donations.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_reference = {row["reference"]: row["donor"] for row in rows}
    for key, name in SHOWN.items():
        assert by_reference[gifts[key].reference] == name
    assert by_reference[gifts["hidden"].reference] == "Anonymous"
    assert by_reference[gifts["wish"].reference] == "Anonymous"


def test_the_receipt_too(client, campaign, gifts):
    body = client.get(receipt_url(gifts["student"])).content.decode()
    assert "Trần T. N. Á." in body and "Trần Thị Ngọc Ánh" not in body


def test_the_ledger_costs_no_query_per_donor(client, campaign):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("donations:ledger", args=[campaign.slug]))
        return len(captured)

    paid(campaign, 10_000, donor_name="Một", user=donor("Một"))
    few = queries()
    for n in range(12):
        paid(
            campaign, 10_000 + n, donor_name=f"Người {n}", user=donor(f"Người {n}", birth_year=2011)
        )
    assert queries() == few


@pytest.fixture
def commune_gift(campaign, tree):
    return paid(campaign, 150_000, donor_name="Bà Tư", email=EMAIL, unit=tree["LA-CD-LTR"])


def _emails(client, user, campaign) -> list[str]:
    client.force_login(user)
    response = client.get(reverse("donations_manage:export", args=[campaign.slug]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    column = header.index(gettext("E-mail"))
    rows = sheet.iter_rows(min_row=2, values_only=True)
    return [row[column] for row in rows if row[0] and str(row[0]).startswith("KS")]


def test_owner_administrator_gets_donors_e_mail_addresses(client, owner, campaign, commune_gift):
    assert EMAIL in _emails(client, owner, campaign)


def test_commune_administrator_gets_them_for_the_commune(client, campaign, commune_gift, tree):
    admin = UserFactory(email="commune-admin@example.org")
    UnitRole.objects.create(user=admin, unit=tree["LA-CD-LTR"], role=Role.ADMIN)
    with_totp(admin)  # administrators need a second factor to reach staff pages
    assert EMAIL in _emails(client, admin, campaign)


def test_member_plain_staff_gets_the_donations_without_e_mail(
    client, member, campaign, commune_gift
):
    emails = _emails(client, member, campaign)
    assert len(emails) == 1 and EMAIL not in emails


def test_outsider_gets_no_export(client, outsider, campaign, commune_gift):
    client.force_login(outsider)
    response = client.get(reverse("donations_manage:export", args=[campaign.slug]))
    assert response.status_code in (403, 404)
