"""Teams in a real browser, on a phone: the invite link's Copy button, and the
question asked before joining once teams are locked."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Registration
from campaigns.tests.factories import CampaignFactory, enrol
from conftest import PASSWORD
from kindsteps.testing.browser import screenshot
from teams.tests.factories import TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def _campaign(tree, *, started: bool):
    now = timezone.now()
    starts = now - timedelta(days=1) if started else now + timedelta(days=3)
    return CampaignFactory(
        organiser_unit=tree["LA-CD"],
        starts_at=starts,
        registration_opens_at=now - timedelta(days=5),
    )


def test_the_copy_button_puts_the_invite_link_on_the_clipboard(phone_page, participant, tree):
    campaign = _campaign(tree, started=False)
    team = TeamFactory(campaign=campaign, name="Đội Bình Minh")
    enrol(campaign, participant, team)
    phone_page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _log_in(phone_page, participant.email)

    phone_page.goto(f"/c/{campaign.slug}/t/{team.pk}/")
    link = phone_page.locator("#invite-link").input_value()
    phone_page.get_by_role("button", name="Sao chép").click()

    # The clipboard answers with a promise: wait for the status it sets.
    expect(phone_page.locator("#invite-link-status")).to_have_text("Đã sao chép")
    assert phone_page.evaluate("navigator.clipboard.readText()") == link
    assert link.endswith(f"/c/{campaign.slug}/teams/join/{team.invite_code}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "team-invite-copy-phone-vi")


def test_joining_a_locked_team_asks_first_and_a_no_changes_nothing(phone_page, participant, tree):
    campaign = _campaign(tree, started=True)
    team = TeamFactory(campaign=campaign, name="Đội Bình Minh")
    enrol(campaign, participant)
    _log_in(phone_page, participant.email)
    phone_page.goto(f"/c/{campaign.slug}/t/{team.pk}/")
    assert phone_page.locator("#team-lock-note").is_visible()
    screenshot(phone_page, "team-join-locked-phone-vi")

    questions = []
    phone_page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    phone_page.get_by_role("button", name="Tham gia “Đội Bình Minh”").click()

    assert questions and "bạn sẽ ở lại đội này đến hết chiến dịch" in questions[0]
    assert Registration.objects.get(user=participant).team is None

    phone_page.once("dialog", lambda dialog: dialog.accept())
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Tham gia “Đội Bình Minh”").click()
    assert Registration.objects.get(user=participant).team == team
