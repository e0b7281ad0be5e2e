"""The dashboard in a real browser: the units table fits a phone (no sideways
scrolling) with unit, participants and their %, target and km in view, and a
unit's row leads to its own dashboard."""

import time

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from dashboards.tests.conftest import at, donate
from kindsteps.testing.browser import screenshot
from kindsteps.testing.mfa import totp_code
from orgs.models import Unit, UnitKind
from standings.models import Scope, Total

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAMES = [
    "Hội CTĐ CS Trung tâm Y tế huyện Cần Đước",
    "Hội CTĐ CS Trường THPT Chu Văn An",
    "Hội CTĐ CS xã Long Hựu Đông",
]


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    if "/accounts/2fa/authenticate/" in page.url:  # admins have an authenticator app
        page.fill("input[name=code]", totp_code(time.time()))
        with page.expect_navigation():
            page.click("main button[type=submit]")


@pytest.fixture
def busy(campaign, tree, people):
    """Cần Đước with long unit names and big numbers in every column."""
    district = Unit.objects.get(pk=tree["LA-CD"].pk)
    units = [tree["LA-CD-LTR"], tree["LA-CD-THPT"]]
    for n, name in enumerate(LONG_NAMES):
        units.append(
            Unit.objects.add_child(
                district, {"code": f"LA-CD-X{n}", "name": name, "kind": UnitKind.COMMUNE}
            )
        )
    for n, unit in enumerate(units):
        for _ in range(n + 1):
            people(campaign, unit, at(2))
        donate(campaign, unit, 12_500_000, at(3))
        for key in (unit.pk, district.pk):
            Total.objects.create(
                campaign=campaign, scope=Scope.UNIT, key=key, shard=n, distance_m=1_234_567
            )
    return units


def test_the_units_table_fits_a_phone_with_the_columns_that_matter(
    phone_page, owner, campaign, busy
):
    page = phone_page
    _log_in(page, owner.email)
    page.goto(f"/manage/dashboard/{campaign.slug}/LA-CD/")

    table = page.locator(".dash-table")
    expect(table).to_be_visible()
    wrap = page.locator(".dash-table-wrap")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    right = page.evaluate("document.documentElement.clientWidth")
    for label in ("Đơn vị", "Người tham gia", "Chỉ tiêu", "Km"):
        header = table.locator("thead th", has_text=label).first
        expect(header).to_be_visible()
        box = header.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= right
    row = table.locator("tbody tr", has_text=LONG_NAMES[0])
    expect(row.locator("td.num").first).to_contain_text("%")  # the share of the target
    # Numbers sit on the right of their cells.
    assert row.locator("td.num").first.evaluate("e => getComputedStyle(e).textAlign") == "right"
    screenshot(page, "dashboard-phone")

    with page.expect_navigation():
        row.locator("a").click()
    expect(page.locator("h1")).to_have_text(LONG_NAMES[0])


def test_on_a_desktop_every_column_shows(page, owner, campaign, busy):
    _log_in(page, owner.email)
    page.goto(f"/manage/dashboard/{campaign.slug}/LA-CD/")

    for label in ("Trạng thái", "Phấn đấu", "Quy đổi", "Ủng hộ"):
        expect(page.locator(".dash-table thead th", has_text=label).first).to_be_visible()
    screenshot(page, "dashboard-desktop")
