"""The stand-in gateway exists only where the installation allows it (DEBUG, or
`PAYMENT_SANDBOX` from KINDSTEPS_PAYMENT_SANDBOX=1), and its payments are TEST
payments: marked as such wherever they show, counted in no total."""

import csv
import io
from urllib.parse import parse_qsl, urlsplit

import openpyxl
import pytest
from django.core import mail
from django.urls import reverse

from campaigns.tests.factories import CampaignFactory
from donations import services
from donations.models import Donation, DonationStatus, Method, PaymentEvent
from donations.providers import provider_for, sandbox
from kindsteps.testing.mfa import with_totp

from .test_flow import donate, through_gateway


@pytest.fixture
def campaign(tree):
    """A campaign that turned VNPay and MoMo on without keys, sandbox mode left on."""
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], money_target=5_000_000)
    payment_settings = services.settings_for(campaign)
    payment_settings.methods = [Method.VNPAY, Method.MOMO, Method.VIETQR]
    payment_settings.bank_bin, payment_settings.bank_account = "970405", "6300205123456"
    payment_settings.sandbox = True
    payment_settings.save()
    return campaign


@pytest.fixture
def production(settings):
    settings.DEBUG, settings.PAYMENT_SANDBOX = False, False
    return settings


def real_gift(campaign, amount: int) -> Donation:
    donation = services.create_donation(
        campaign, amount=amount, method=Method.VIETQR, email="an@example.org"
    )
    services.confirm_paid(
        donation.reference,
        method=Method.VIETQR,
        amount=amount,
        provider_ref="FT1",
        kind="statement",
    )
    return donation


class TestWithoutDebugOrTheSetting:
    def test_an_anonymous_visitor_is_not_offered_vnpay_or_momo(self, client, campaign, production):
        page = client.get(f"/c/{campaign.slug}/donate/").content.decode()

        assert 'value="vietqr"' in page
        assert 'value="vnpay"' not in page and 'value="momo"' not in page
        assert "Test mode" not in page

    @pytest.mark.parametrize("method", ["vnpay", "momo"])
    def test_an_anonymous_visitor_cannot_pay_with_the_stand_in(
        self, client, campaign, production, method
    ):
        response = donate(client, campaign, method=method, preset="100000")

        assert response.status_code == 200  # the form again, no gateway
        assert "method" in response.context["form"].errors
        assert not Donation.all_objects.exists()

    @pytest.mark.parametrize("method", ["vnpay", "momo"])
    def test_the_stand_in_page_of_an_earlier_test_donation_is_gone(
        self, client, campaign, production, rf, settings, method
    ):
        settings.PAYMENT_SANDBOX = True  # made while the stand-in was on
        donation = services.create_donation(campaign, amount=100_000, method=method, is_test=True)
        gateway = services_redirect(campaign, donation, rf)
        settings.PAYMENT_SANDBOX = False

        assert client.get(gateway).status_code == 404
        assert client.post(gateway, {"pay": "1"}).status_code == 404
        donation.refresh_from_db()
        assert donation.status == DonationStatus.PENDING

    def test_a_result_signed_with_the_stand_in_key_is_refused(
        self, client, campaign, production, rf, settings
    ):
        settings.PAYMENT_SANDBOX = True
        donation = services.create_donation(
            campaign, amount=100_000, method=Method.VNPAY, is_test=True
        )
        query = dict(parse_qsl(urlsplit(services_redirect(campaign, donation, rf)).query))
        finished = sandbox.finish(Method.VNPAY, query, paid=True)
        settings.PAYMENT_SANDBOX = False

        answer = client.get("/payments/vnpay/ipn/", finished.ipn_data).json()

        assert answer["RspCode"] == "97"
        donation.refresh_from_db()
        assert donation.status == DonationStatus.PENDING
        assert PaymentEvent.objects.get().outcome == services.BAD_SIGNATURE

    def test_the_organiser_is_told_why_vnpay_and_momo_are_not_offered(
        self, client, campaign, production, owner
    ):
        client.force_login(owner)
        client.cookies["kindsteps_language"] = "en"

        page = client.get(reverse("donations_manage:list", args=[campaign.slug]))

        problems = page.context["setup_problems"]
        assert len(problems) == 2
        assert problems[0].startswith("VNPay is turned on but has no merchant keys")
        assert problems[1].startswith("MoMo is turned on but has no merchant keys")
        assert 'data-testid="setup-problem"' in page.content.decode()

    def test_staff_below_the_organiser_are_not_shown_the_setup(
        self, client, campaign, production, member
    ):
        client.force_login(member)

        page = client.get(reverse("donations_manage:list", args=[campaign.slug]))

        assert page.context["setup_problems"] == []


def services_redirect(campaign, donation, rf) -> str:
    """Where the site sends the donor of this donation: the stand-in's page."""
    prepared = provider_for(donation.method, services.settings_for(campaign)).prepare(
        donation, rf.get("/")
    )
    return prepared.redirect_url


@pytest.mark.usefixtures("stand_in")
class TestWithTheStandInOn:
    @pytest.fixture
    def given(self, client, campaign):
        """A real transfer of 300,000 đ, then a test payment of 100,000 đ through the stand-in."""
        real_gift(campaign, 300_000)
        receipt = through_gateway(
            client, donate(client, campaign, email="binh@example.org", preset="100000")
        )
        return Donation.all_objects.get(is_test=True), receipt

    def test_the_payment_shows_test_and_the_public_total_is_unchanged(
        self, client, campaign, given
    ):
        test, receipt = given

        assert test.status == DonationStatus.PAID
        assert services.paid_total(campaign) == {"total": 300_000, "count": 1}
        assert services.donor_count(campaign) == 1
        page = client.get(receipt["Location"]).content.decode()
        assert 'data-testid="test-mark"' in page and "TEST" in page
        box = client.get(f"/c/{campaign.slug}/donations/box/").content.decode()
        assert "300.000 đ" in box and "400.000 đ" not in box

    def test_the_ledger_lists_it_marked_test_outside_the_total(self, client, campaign, given):
        page = client.get(f"/c/{campaign.slug}/donations/")

        assert page.context["raised"] == 300_000 and page.context["donors"] == 1
        assert page.context["has_tests"]
        assert 'class="test-mark"' in page.content.decode()

    def test_the_csv_marks_it_and_the_other_lines_add_up_to_the_total(
        self, client, campaign, given
    ):
        test, _receipt = given
        text = b"".join(client.get(f"/c/{campaign.slug}/donations.csv").streaming_content)
        rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))

        assert {row["reference"]: row["test"] for row in rows}[test.reference] == "TEST"
        real = sum(int(row["amount_vnd"]) for row in rows if row["test"] != "TEST")
        assert real == services.paid_total(campaign)["total"] == 300_000

    def test_the_organisers_list_and_workbook_mark_it_and_leave_it_out_of_the_paid_total(
        self, client, campaign, given, owner
    ):
        test, _receipt = given
        client.force_login(owner)

        page = client.get(reverse("donations_manage:list", args=[campaign.slug]))
        book = openpyxl.load_workbook(
            io.BytesIO(client.get(reverse("donations_manage:export", args=[campaign.slug])).content)
        )

        assert page.context["paid_total"] == "300.000 đ"
        assert page.context["test_count"] == 1
        assert 'class="badge test"' in page.content.decode()
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        marked = {row[0]: row[-1] for row in rows[1:] if row and row[0]}
        assert marked[test.reference] == "TEST"
        assert rows[-1][5] == 300_000  # the paid total row

    def test_the_receipt_e_mail_says_test_in_its_subject(self, given):
        assert len(mail.outbox) == 1
        assert mail.outbox[0].subject.startswith("[")
        assert "TEST" in mail.outbox[0].subject

    def test_figures_read_from_the_default_manager_leave_tests_out(self, campaign, given):
        """Dashboards and any other figure read `Donation.objects`: real money only."""
        test, _receipt = given

        assert not Donation.objects.filter(pk=test.pk).exists()
        assert Donation.all_objects.filter(pk=test.pk).exists()
        assert campaign.donations.count() == 2  # the related manager sees both, for admin

    def test_the_admin_lists_it_marked_test(self, client, campaign, given, django_user_model):
        test, _receipt = given
        admin = django_user_model.objects.create_superuser(
            email="root@example.org", password="x-very-long-password"
        )
        with_totp(admin)  # a superuser needs a second factor to reach the admin
        client.force_login(admin)

        page = client.get("/admin/donations/donation/?is_test__exact=1").content.decode()

        assert test.reference in page and "TEST" in page
