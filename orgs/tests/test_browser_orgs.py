"""Unit pages in a real browser, on a phone."""

import time

import pytest

from conftest import PASSWORD
from kindsteps.testing.browser import screenshot
from kindsteps.testing.mfa import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_owner_finds_a_commune_and_opens_it_on_a_phone(phone_page, owner):
    _log_in(phone_page, owner.email)
    phone_page.goto("/orgs/")
    assert _fits_the_phone(phone_page)
    phone_page.fill("input[name=q]", "Long Trạch")
    with phone_page.expect_navigation():
        phone_page.click("form[role=search] button")
    with phone_page.expect_navigation():
        phone_page.click("text=Hội CTĐ CS xã Long Trạch")
    assert phone_page.locator("h1").inner_text() == "Hội CTĐ CS xã Long Trạch"
    assert _fits_the_phone(phone_page)
    screenshot(phone_page, "orgs-unit-phone-vi")


def test_import_errors_fit_a_phone(phone_page, owner, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,parent_code\nLA-CD-A,,village,LA-CG\n", encoding="utf-8")
    _log_in(phone_page, owner.email)
    phone_page.goto("/orgs/LA-CD/import/")
    phone_page.set_input_files("input[name=file]", str(path))
    with phone_page.expect_navigation():
        phone_page.click("main form button[type=submit]")
    assert phone_page.locator(".orgs-import-errors tbody tr").count() == 3
    assert _fits_the_phone(phone_page)
    screenshot(phone_page, "orgs-import-errors-phone-vi")
