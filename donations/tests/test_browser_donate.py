"""A donor on a phone: the donate page, the sandbox gateway and back to the
receipt, then the ledger; the real signature checks run all the way. Elements
are found by name and test id, so the tests hold whatever the translation says."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.tests.factories import CampaignFactory
from donations import services
from donations.models import Donation, DonationStatus, Method
from kindsteps.testing.browser import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("stand_in"),
]


@pytest.fixture
def campaign(tree):
    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"],
        slug="trieu-buoc-chan",
        money_target=5_000_000,
        starts_at=timezone.now() - timedelta(days=1),  # open by the real clock, as Chromium's
    )
    settings = services.settings_for(campaign)
    settings.methods = [Method.VNPAY, Method.MOMO]
    settings.sandbox = True
    settings.save()
    return campaign


def test_a_donor_gives_through_the_sandbox_gateway_and_sees_the_receipt(phone_page, campaign):
    page = phone_page
    page.goto(f"/c/{campaign.slug}/donate/")
    screenshot(page, "donate-form")

    page.get_by_text("200.000 đ", exact=True).click()
    page.locator("#id_donor_name").fill("Nguyễn Thị Mai")
    page.locator("#id_message").fill("Chúc chiến dịch thành công!")
    page.locator("input[name=method][value=vnpay]").check()
    page.locator("form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/payments/sandbox/vnpay/KS"))
    expect(page.get_by_test_id("gateway-amount")).to_have_text("200.000 đ")
    screenshot(page, "donate-gateway")
    page.locator("button[name=pay]").click()

    donation = Donation.all_objects.get()
    expect(page).to_have_url(re.compile(rf"/donations/{donation.reference}/$"))
    expect(page.locator(".receipt-status")).to_have_class(re.compile("paid"))
    expect(page.get_by_test_id("receipt-amount")).to_have_text("200.000 đ")
    expect(page.get_by_test_id("test-mark")).to_be_visible()  # a stand-in payment is a TEST
    screenshot(page, "donate-receipt")
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID

    page.locator(f"a[href='/c/{campaign.slug}/donations/']").click()
    # Listed, marked TEST, and not in the total.
    expect(page.get_by_test_id("ledger-total")).to_have_text("0 đ")
    expect(page.locator(".ledger-list")).to_contain_text("Nguyễn Thị Mai")
    expect(page.locator(".ledger-list .test-mark")).to_have_text("TEST")
    screenshot(page, "donate-ledger")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390


def test_a_donor_who_cancels_at_the_gateway_is_told_and_can_try_again(phone_page, campaign):
    page = phone_page
    page.goto(f"/c/{campaign.slug}/donate/")
    page.locator("#id_amount").fill("75000")
    page.locator("input[name=method][value=momo]").check()
    page.locator("form button[type=submit]").click()

    expect(page.get_by_test_id("gateway-amount")).to_have_text("75.000 đ")
    page.locator("button[name=cancel]").click()

    expect(page.locator(".receipt-status")).to_have_class(re.compile("failed"))
    expect(page).to_have_title(re.compile("Ủng hộ chưa được thanh toán"))  # not a "receipt"
    expect(page.locator(f".receipt-status a[href='/c/{campaign.slug}/donate/']")).to_be_visible()
    assert Donation.all_objects.get().status == DonationStatus.FAILED
