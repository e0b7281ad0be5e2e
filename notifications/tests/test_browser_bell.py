"""The bell in a real browser, on a phone: the count on the menu button and the
bell, the list with a verdict and an organiser's decision, one opened, all read."""

import pytest
from playwright.sync_api import expect

from activities.models import VerdictStatus
from activities.review import decide
from activities.tests.factories import ActivityFactory, VerdictFactory, reason
from campaigns.tests.factories import CampaignFactory
from conftest import PASSWORD
from kindsteps.testing.browser import screenshot
from notifications import sweeps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOO_FAST = reason(
    "pace_too_fast",
    "Tốc độ trung bình 59,0 km/h quá nhanh.",
    "An average of 59.0 km/h is too fast.",
)


@pytest.fixture
def told(participant, owner, tree):
    """A rejected walk told by the sweep, then a held one the organiser accepted."""
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    VerdictFactory(
        campaign=campaign,
        activity=ActivityFactory(user=participant, distance_m=5000),
        status=VerdictStatus.REJECTED,
        reasons=[TOO_FAST],
    )
    sweeps.verdicts()
    held = VerdictFactory(
        campaign=campaign,
        activity=ActivityFactory(user=participant, distance_m=3000),
        status=VerdictStatus.FLAGGED,
    )
    decide(held, VerdictStatus.ACCEPTED, "Đồng hồ bị lệch giờ.", actor=owner)
    return held


def test_the_bell_counts_lists_opens_and_marks_read(phone_page, participant, told):
    page = phone_page
    page.goto("/accounts/login/")
    page.fill("input[name=login]", participant.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")

    page.goto("/")
    menu = page.locator(".site-menu-button")
    expect(menu.locator(".badge-count")).to_have_text("2")  # seen with the drawer shut
    menu.click()
    bell = page.locator("a.notification-bell")
    expect(bell.locator(".badge-count")).to_have_text("2")
    with page.expect_navigation():
        bell.click()

    items = page.locator("li.notification")
    expect(items).to_have_count(2)
    expect(page.locator("li.notification.unread")).to_have_count(2)
    # The organiser's decision, the newest, first; with the organiser's note.
    expect(items.nth(0)).to_contain_text("Đồng hồ bị lệch giờ.")
    expect(items.nth(1)).to_contain_text("59,0 km/h")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "notifications-phone")

    with page.expect_navigation():
        items.nth(0).locator("button[name=open]").click()
    assert page.url.endswith(f"/activities/{told.activity.pk}/")
    expect(page.locator(".site-menu-button .badge-count")).to_have_text("1")

    page.goto("/notifications/")
    expect(page.locator("li.notification.unread")).to_have_count(1)
    with page.expect_navigation():
        page.locator(".notifications-all button").click()
    expect(page.locator("li.notification.unread")).to_have_count(0)
    expect(page.locator(".site-menu-button .badge-count")).to_have_count(0)
