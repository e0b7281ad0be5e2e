"""The home page in a real browser, on a phone."""

import pytest

from kindsteps.testing.browser import screenshot

pytestmark = pytest.mark.browser


def test_home_page_on_a_phone_is_vietnamese_and_fits_the_screen(phone_page):
    phone_page.goto("/")

    assert phone_page.locator("html").get_attribute("lang") == "vi"
    assert phone_page.locator("h1").is_visible()
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390
    screenshot(phone_page, "home-phone-vi")


def test_footer_language_select_turns_the_home_page_english(phone_page):
    phone_page.goto("/")

    with phone_page.expect_navigation():
        phone_page.select_option("#language-select", "en")

    assert phone_page.locator("html").get_attribute("lang") == "en"
    assert phone_page.locator("h1").inner_text() == "Every step for people in need"
    assert phone_page.locator("#language-select").input_value() == "en"
    screenshot(phone_page, "home-phone-en")

    # The choice is kept for the next visit.
    phone_page.goto("/")
    assert phone_page.locator("html").get_attribute("lang") == "en"
