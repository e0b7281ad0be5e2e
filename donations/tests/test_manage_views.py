"""The organisers' money screens — donations by method and status, export,
refunds, reconciliation, cash and sponsors — for the owner (organiser), a member
(commune staff who sees their commune's donations) and an outsider."""

import io

import openpyxl
import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext

from campaigns.tests.factories import CampaignFactory
from donations import reconcile, services
from donations.models import Donation, DonationStatus, Method, Sponsor
from donations.providers.cash import record_cash
from kindsteps.testing.spreadsheets import FORMULA_LIKE, cell_types
from teams.models import Team


@pytest.fixture
def campaign(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], slug="cd-money")
    settings = services.settings_for(campaign)
    settings.methods = [Method.VIETQR, Method.VNPAY, Method.CASH]
    settings.bank_bin, settings.bank_account = "970405", "6300205123456"
    settings.bank_name, settings.bank_account_name = "Agribank Cần Đước", "HOI CTD CAN DUOC"
    settings.save()
    return campaign


def paid(campaign, amount: int, method: str = Method.VNPAY, **extra) -> Donation:
    donation = services.create_donation(campaign, amount=amount, method=method, **extra)
    services.confirm_paid(
        donation.reference, method=method, amount=amount, provider_ref=f"T{donation.pk}", kind="ipn"
    )
    donation.refresh_from_db()
    return donation


@pytest.fixture
def money(campaign, owner, tree):
    """Paid, pending and refunded donations; one cash gift of the member's commune."""
    commune_cash = record_cash(
        campaign,
        tree["LA-CD-LTR"],
        amount=150_000,
        receipt_number="LTR-1",
        donor_name="Bà Tư Long Trạch",
        actor=owner,
    )
    school = paid(campaign, 500_000, donor_name="Thầy Hiệu trưởng", unit=tree["LA-CD-THPT"])
    plain = paid(campaign, 200_000, donor_name="Nguyễn Văn An", is_anonymous=True)
    refunded = paid(campaign, 100_000, donor_name="Người chuyển nhầm")
    services.mark_refunded(refunded, actor=owner)
    pending = services.create_donation(
        campaign, amount=300_000, method=Method.VIETQR, donor_name="Chờ chuyển khoản"
    )
    return {
        "cash": commune_cash,
        "school": school,
        "plain": plain,
        "refunded": refunded,
        "pending": pending,
    }


def url(name: str, campaign, *args) -> str:
    return reverse(f"donations_manage:{name}", args=[campaign.slug, *args])


def statement(reference: str, amount: int) -> SimpleUploadedFile:
    text = f"Ngày;Mã GD;Ghi có;Nội dung\n01/03/2024;FT1;{amount};ung ho {reference}\n"
    return SimpleUploadedFile("saoke.csv", text.encode(), content_type="text/csv")


def read_xlsx(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content), data_only=True)


# Owner (organiser of the district) ----------------------------------------------


def test_owner_sees_every_donation_and_the_figures_by_method_and_status(
    client, owner, campaign, money
):
    client.force_login(owner)
    response = client.get(url("list", campaign))

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["paid_total"] == "850.000 đ"
    for donation in money.values():
        assert donation.reference in body
    methods = [row["method"] for row in response.context["summary"]["rows"]]
    assert methods == [Method.VNPAY.label, Method.VIETQR.label, Method.CASH.label]
    assert 'href="/manage/campaigns/cd-money/donations/"' in body  # the campaign nav tab


def test_owner_filters_by_method_status_and_search(client, owner, campaign, money):
    client.force_login(owner)

    cash = client.get(url("list", campaign), {"method": "cash"}).context["page"]
    refunded = client.get(url("list", campaign), {"status": "refunded"}).context["page"]
    found = client.get(url("list", campaign), {"q": money["school"].reference}).context["page"]

    assert list(cash.object_list) == [money["cash"]]
    assert list(refunded.object_list) == [money["refunded"]]
    assert list(found.object_list) == [money["school"]]


def test_owner_export_totals_equal_the_paid_total(client, owner, campaign, money):
    client.force_login(owner)
    response = client.get(url("export", campaign))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = read_xlsx(response.content)
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    rows = [row for row in sheet.iter_rows(min_row=2, values_only=True) if any(row)]
    amount, status = header.index(gettext("Amount (đồng)")), header.index(gettext("Status"))
    donations = [row for row in rows if str(row[0]).startswith("KS")]
    assert len(donations) == 5
    paid_sum = sum(row[amount] for row in donations if row[status] == DonationStatus.PAID.label)
    total_row = next(row for row in rows if row[amount - 1] == gettext("Paid total"))
    assert paid_sum == total_row[amount] == services.paid_total(campaign)["total"] == 850_000
    summary = book.worksheets[1]
    assert sum(row[2] for row in summary.iter_rows(min_row=2, values_only=True)) == 5


@pytest.mark.parametrize("name", FORMULA_LIKE)
def test_owner_export_writes_formula_like_names_and_messages_as_text(client, owner, campaign, name):
    team = Team.objects.create(campaign=campaign, name=name)
    paid(campaign, 120_000, donor_name=name, message=f"{name} !", team=team)
    client.force_login(owner)

    types = cell_types(client.get(url("export", campaign)).content)

    assert (types[name], types[f"{name} !"]) == ("s", "s")
    assert "f" not in types.values()
    assert types[120_000] == "n"


@responses.activate
def test_owner_refunds_a_paid_donation(client, owner, campaign, money):
    # VNPay's merchant API answers a refund as its guide shows (vnp_ResponseCode 00).
    settings = services.settings_for(campaign)
    settings.vnpay_tmn_code, settings.vnpay_hash_secret = (
        "DEMOV210",
        "RAOEXHYVSDDIIENYWSLDIIZTANXUXZFJ",
    )
    settings.save()
    responses.post(
        "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
        json={"vnp_ResponseCode": "00", "vnp_Message": "Refund success"},
    )
    client.force_login(owner)
    response = client.post(
        url("refund", campaign, money["plain"].pk), {"note": "người gửi xin lại"}
    )

    assert response.status_code == 302
    assert Donation.objects.get(pk=money["plain"].pk).status == DonationStatus.REFUNDED
    assert services.paid_total(campaign)["total"] == 650_000
    again = client.post(url("refund", campaign, money["pending"].pk), follow=True)
    assert Donation.objects.get(pk=money["pending"].pk).status == DonationStatus.PENDING
    assert gettext("Only a paid donation can be refunded.") in again.content.decode()


def test_a_vnpay_donation_is_not_marked_refunded_without_the_keys_to_refund_it(
    client, owner, campaign, money, stand_in
):
    """With no merchant keys (even with the stand-in on) nothing gives real money
    back, so the donation stays paid and the organiser is told why."""
    client.force_login(owner)

    page = client.post(url("refund", campaign, money["plain"].pk), follow=True).content.decode()

    assert Donation.objects.get(pk=money["plain"].pk).status == DonationStatus.PAID
    assert gettext("This payment method is not set up yet.") in page


def test_owner_refund_of_a_bank_transfer_keeps_the_note(client, owner, campaign):
    donation = paid(campaign, 250_000, method=Method.VIETQR)
    client.force_login(owner)

    client.post(url("refund", campaign, donation.pk), {"note": "chuyển trả ngày 02/03"})

    donation.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED
    assert donation.events.get(kind="refund").payload == {"note": "chuyển trả ngày 02/03"}


def test_owner_imports_a_statement_and_records_a_line_as_a_new_donation(
    client, owner, campaign, money
):
    client.force_login(owner)
    pending = money["pending"]

    page = client.get(url("reconcile", campaign))
    response = client.post(
        url("reconcile", campaign), {"statement": statement(pending.reference, 299_000)}
    )

    assert page.status_code == 200
    assert response.status_code == 200
    assert [row["event"].outcome for row in response.context["unmatched"]] == ["bad_amount"]
    line = response.context["unmatched"][0]["event"]
    client.post(url("reconcile_line", campaign, line.pk), {"action": "new", "donor_name": "X"})
    assert response.context["unmatched"][0]["expected"] == pending
    assert reconcile.unmatched_lines(campaign) == []
    assert Donation.objects.get(pk=pending.pk).status == DonationStatus.PENDING


def test_recording_a_line_twice_finds_the_first_donation(client, owner, campaign):
    client.force_login(owner)
    response = client.post(url("reconcile", campaign), {"statement": statement("ung ho", 250_000)})
    line = response.context["unmatched"][0]["event"]
    form = {"action": "new", "donor_name": "Bà Năm"}

    first = client.post(url("reconcile_line", campaign, line.pk), form, follow=True)
    second = client.post(url("reconcile_line", campaign, line.pk), form, follow=True)

    donation = Donation.objects.get(campaign=campaign)
    assert (donation.amount, donation.status, donation.provider_ref) == (
        250_000,
        DonationStatus.PAID,
        "FT1",
    )
    for answer in (first, second):
        assert answer.status_code == 200
        assert [str(m) for m in answer.context["messages"]] == [
            gettext("Recorded as donation %(ref)s of %(amount)s.")
            % {"ref": donation.reference, "amount": "250.000 đ"}
        ]
    assert services.paid_total(campaign) == {"total": 250_000, "count": 1}


def test_owner_gets_an_error_for_an_unreadable_statement(client, owner, campaign):
    client.force_login(owner)
    bad = SimpleUploadedFile("x.csv", b"a,b\n1,2\n", content_type="text/csv")

    response = client.post(url("reconcile", campaign), {"statement": bad})

    assert response.status_code == 400
    assert response.context["form"].errors["statement"]


def test_owner_adds_and_removes_sponsors(client, owner, campaign, tree):
    team = Team.objects.create(campaign=campaign, name="CLB Chạy bộ")
    client.force_login(owner)
    response = client.post(
        url("sponsors", campaign),
        {"name": "Công ty Lương thực", "vnd_per_km": "1000", "cap": "", "website": ""},
    )
    capped = client.post(
        url("sponsors", campaign),
        {"name": "Nhà thuốc", "vnd_per_km": "2000", "cap": "500000", "team": team.pk},
    )
    both = client.post(
        url("sponsors", campaign),
        {"name": "Sai", "vnd_per_km": "1000", "unit": tree["LA-CD-LTR"].pk, "team": team.pk},
    )

    assert (response.status_code, capped.status_code, both.status_code) == (302, 302, 400)
    sponsor = Sponsor.objects.get(campaign=campaign, name="Công ty Lương thực")
    assert (sponsor.vnd_per_km, sponsor.cap, sponsor.team, sponsor.unit) == (1000, None, None, None)
    assert Sponsor.objects.get(name="Nhà thuốc").team == team
    page = client.get(url("sponsors", campaign)).content.decode()
    assert "Công ty Lương thực" in page
    client.post(url("sponsor_delete", campaign, sponsor.pk))
    assert list(Sponsor.objects.values_list("name", flat=True)) == ["Nhà thuốc"]


def test_a_sponsors_rate_and_cap_are_read_as_written(client, owner, campaign):
    client.force_login(owner)

    response = client.post(
        url("sponsors", campaign),
        {"name": "Công ty Sữa", "vnd_per_km": "1.000", "cap": "2.000.000 đ"},
    )

    assert response.status_code == 302
    sponsor = Sponsor.objects.get(campaign=campaign)
    assert (sponsor.vnd_per_km, sponsor.cap) == (1_000, 2_000_000)


def test_owner_sees_the_transfer_page_with_the_qr(client, owner, campaign):
    client.force_login(owner)
    body = client.get(url("vietqr_preview", campaign)).content.decode()

    assert "<svg" in body
    assert "6300205123456" in body
    assert "Agribank Cần Đước" in body
    assert "HOI CTD CAN DUOC" in body


# Member (staff of the Long Trạch commune) ------------------------------------


def test_member_sees_only_their_communes_donations(client, member, campaign, money):
    client.force_login(member)
    response = client.get(url("list", campaign))

    body = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [money["cash"]]
    assert money["school"].reference not in body
    assert response.context["paid_total"] == "150.000 đ"
    assert url("reconcile", campaign) not in body
    assert "/refund/" not in body


def test_member_export_holds_their_communes_donations_only(client, member, campaign, money):
    client.force_login(member)
    response = client.get(url("export", campaign))

    sheet = read_xlsx(response.content).worksheets[0]
    references = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert references == [money["cash"].reference]


def test_member_cannot_reconcile_refund_or_change_sponsors(client, member, campaign, money):
    client.force_login(member)
    sponsor = Sponsor.objects.create(campaign=campaign, name="Nhà tài trợ", vnd_per_km=1000)

    assert client.get(url("reconcile", campaign)).status_code == 403
    upload = {"statement": statement(money["pending"].reference, 300_000)}
    assert client.post(url("reconcile", campaign), upload).status_code == 403
    assert client.post(url("reconcile_line", campaign, 1), {"action": "dismiss"}).status_code == 403
    assert client.post(url("refund", campaign, money["cash"].pk)).status_code == 403
    assert client.get(url("sponsors", campaign)).status_code == 200
    assert client.post(url("sponsors", campaign), {"name": "X"}).status_code == 403
    assert client.post(url("sponsor_delete", campaign, sponsor.pk)).status_code == 403
    assert client.get(url("vietqr_preview", campaign)).status_code == 403
    assert Donation.objects.get(pk=money["cash"].pk).status == DonationStatus.PAID
    assert Donation.objects.get(pk=money["pending"].pk).status == DonationStatus.PENDING
    assert Sponsor.objects.count() == 1


# Outsider (admin of the neighbouring district) --------------------------------


@pytest.mark.parametrize(
    ("name", "method", "needs"),
    [
        ("list", "get", None),
        ("export", "get", None),
        ("reconcile", "get", None),
        ("reconcile", "post", None),
        ("reconcile_line", "post", "line"),
        ("refund", "post", "donation"),
        ("cash", "get", None),
        ("cash", "post", None),
        ("sponsors", "get", None),
        ("sponsors", "post", None),
        ("sponsor_delete", "post", "sponsor"),
        ("vietqr_preview", "get", None),
    ],
)
def test_outsider_gets_not_found_everywhere(client, outsider, campaign, money, name, method, needs):
    sponsor = Sponsor.objects.create(campaign=campaign, name="Nhà tài trợ", vnd_per_km=1000)
    args = {"line": [1], "donation": [money["plain"].pk], "sponsor": [sponsor.pk], None: []}[needs]
    client.force_login(outsider)

    response = getattr(client, method)(url(name, campaign, *args), {"action": "dismiss"})

    assert response.status_code == 404
    assert Donation.objects.get(pk=money["plain"].pk).status == DonationStatus.PAID
    assert Sponsor.objects.filter(pk=sponsor.pk).exists()


def test_anonymous_is_sent_to_log_in(client, campaign):
    response = client.get(url("list", campaign))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_donation_of_another_campaign_cannot_be_refunded_here(client, owner, campaign, tree):
    other = CampaignFactory(organiser_unit=tree["LA-CD"])
    services.settings_for(other).methods = [Method.VNPAY]
    settings = services.settings_for(other)
    settings.methods = [Method.VNPAY]
    settings.save()
    elsewhere = paid(other, 100_000)
    client.force_login(owner)

    assert client.post(url("refund", campaign, elsewhere.pk)).status_code == 404
    assert Donation.objects.get(pk=elsewhere.pk).status == DonationStatus.PAID


def test_a_statement_line_whose_bank_id_another_campaign_used_is_listed_not_a_500(
    client, owner, campaign, tree
):
    other = CampaignFactory(organiser_unit=tree["LA-CD"])
    services.settings_for(other)
    theirs = services.create_donation(other, amount=100_000, method=Method.VIETQR)
    reconcile.import_statement(
        other, statement(theirs.reference, 100_000).read(), "s.csv", actor=owner
    )
    ours = services.create_donation(campaign, amount=100_000, method=Method.VIETQR)
    client.force_login(owner)

    response = client.post(
        url("reconcile", campaign), {"statement": statement(ours.reference, 100_000)}
    )

    assert response.status_code == 200
    assert gettext("already used by another campaign") in response.content.decode()
    assert Donation.objects.get(pk=ours.pk).status == DonationStatus.PENDING
