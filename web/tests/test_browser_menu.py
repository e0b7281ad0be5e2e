"""The site menu in a real browser: on a phone one header row and a drawer
behind a menu button (a checkbox without JavaScript); on a desktop inline."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from kindsteps.testing.browser import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


@pytest.fixture
def staff(user_factory, tree):
    """Staff of a commune: the longest menu a participant can have, and more."""
    from orgs.models import Role, UnitRole

    user = user_factory("staff@example.org", full_name="Cán Bộ Xã")
    UnitRole.objects.create(user=user, unit=tree["LA-CD-LTR"], role=Role.STAFF)
    return user


def _header_height(page) -> float:
    return page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")


def test_on_a_phone_the_header_is_one_row_and_the_menu_a_drawer(phone_page, staff):
    page = phone_page
    _log_in(page, staff.email)
    page.goto("/")
    button = page.get_by_role("button", name="Menu")
    dashboard = page.locator("#site-menu a[href='/manage/dashboard/']")

    assert _header_height(page) <= 80  # one row: the brand and the button
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(dashboard).to_be_hidden()

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(dashboard).to_be_visible()
    assert _header_height(page) <= 80  # the drawer lies over the page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "menu-open-phone")

    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(dashboard).to_be_hidden()

    button.click()
    expect(dashboard).to_be_visible()
    page.mouse.click(200, 820)  # a tap on the page below the drawer closes it
    expect(dashboard).to_be_hidden()


def test_escape_from_inside_the_drawer_gives_focus_back_to_the_button(phone_page, staff):
    page = phone_page
    _log_in(page, staff.email)
    page.goto("/")
    button = page.get_by_role("button", name="Menu")
    button.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('site-menu').contains(document.activeElement)")

    page.keyboard.press("Escape")

    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")


def test_without_javascript_the_menu_still_opens(new_page, staff):
    page = new_page(**PHONE, java_script_enabled=False)
    page.goto("/")
    campaigns = page.locator("#site-menu a[href='/campaigns/']")
    expect(campaigns).to_be_hidden()

    page.locator("label[for=site-menu-toggle]").click()

    expect(campaigns).to_be_visible()


def test_on_a_desktop_the_whole_menu_is_inline(page, staff):
    _log_in(page, staff.email)
    page.goto("/")

    expect(page.locator(".site-menu-button")).to_be_hidden()
    for href in ("/campaigns/", "/manage/dashboard/", "/activities/record/"):
        expect(page.locator(f"#site-menu a[href='{href}']")).to_be_visible()
    screenshot(page, "menu-desktop")
