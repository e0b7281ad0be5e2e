"""Account pages in a real browser, on a phone."""

import pytest

from conftest import PASSWORD
from kindsteps.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def test_login_and_signup_pages_fit_a_phone(phone_page):
    phone_page.goto("/accounts/login/")
    assert phone_page.locator("html").get_attribute("lang") == "vi"
    assert phone_page.locator("input[name=password]").is_visible()
    assert _fits_the_phone(phone_page)
    screenshot(phone_page, "login-phone-vi")

    phone_page.goto("/accounts/signup/")
    assert phone_page.locator("input[name=email]").is_visible()
    assert _fits_the_phone(phone_page)
    screenshot(phone_page, "signup-phone-vi")


def test_unit_search_fills_in_the_home_unit_code(phone_page, participant, tree):
    _log_in(phone_page, participant.email)
    phone_page.goto("/accounts/profile/")
    assert _fits_the_phone(phone_page)

    phone_page.fill("#unit-search", "Long Trạch")
    phone_page.locator(".unit-pick").first.click()

    assert phone_page.locator("#id_home_unit").input_value() == "LA-CD-LTR"
    with phone_page.expect_navigation():
        phone_page.click("#profile-details button[type=submit]")
    participant.refresh_from_db()
    assert participant.home_unit == tree["LA-CD-LTR"]
    screenshot(phone_page, "profile-phone-vi")
