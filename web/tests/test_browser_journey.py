"""The participant's journey of the plan, in a real browser on a phone: sign up,
confirm the e-mail, open a unit's invite link, register with a category, join
a team, and meet a clear refusal when joining a second one."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.models import Registration
from campaigns.tests.factories import CampaignFactory, CategoryFactory
from kindsteps.testing.browser import screenshot
from teams.tests.factories import TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_participant_signs_up_registers_through_a_unit_link_and_joins_one_team(
    phone_page, tree
):
    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"],
        slug="trieu-buoc-chan",
        starts_at=timezone.now() - timedelta(days=1),  # open by the real clock, as Chromium's
    )
    CategoryFactory(campaign=campaign, name_vi="5 km", name_en="5 km", distance_m=5000)
    green = TeamFactory(campaign=campaign, name="Đội Xanh")
    red = TeamFactory(campaign=campaign, name="Đội Đỏ")
    page = phone_page

    # Sign up by e-mail.
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "hoc.sinh@example.org")
    page.fill("input[name=password1]", "buoc-chan-nhan-ai-2024")
    page.fill("input[name=password2]", "buoc-chan-nhan-ai-2024")
    page.check("input[name=consent]")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()

    # Confirm the address with the link from the mail.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page.goto(re.sub(r"^https?://[^/]+", "", link.group(0)))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    # The school's invite link leads to the registration, with the unit fixed.
    page.goto(f"/c/{campaign.slug}/u/LA-CD-THPT/")
    assert page.locator("#fixed-unit").inner_text().startswith("Hội CTĐ CS Trường THPT Cần Đước")
    page.fill("input[name='profile-full_name']", "Nguyễn Thị Lan")
    page.locator("input[name='profile-gender'][value=female]").check()
    page.fill("input[name='profile-birth_year']", "2008")
    page.fill("input[name='profile-phone']", "0912 345 678")
    page.select_option("select[name='profile-province']", "Tây Ninh")
    page.locator("#category-choices input[type=radio]").first.check()
    page.locator("input[name=accept_rules]").check()
    screenshot(page, "journey-register-phone")
    page.get_by_role("button", name=re.compile("Đăng ký|Register")).last.click()
    page.wait_for_load_state()

    # The success page shows the bib.
    registration = Registration.objects.get(campaign=campaign, user__email="hoc.sinh@example.org")
    assert page.locator("#bib").inner_text() == str(registration.bib)
    assert registration.unit == tree["LA-CD-THPT"] and registration.via_unit_link
    assert registration.category is not None
    screenshot(page, "journey-success-phone")

    # A second tab opened on the red team before joining the green one.
    stale = page.context.new_page()
    stale.goto(f"/c/{campaign.slug}/teams/join/{red.invite_code}/")
    page.goto(f"/c/{campaign.slug}/teams/join/{green.invite_code}/")
    # The campaign has started, so joining locks the choice: the page asks first.
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    registration.refresh_from_db()
    assert registration.team == green
    assert len(questions) == 1 and "Đội Xanh" in questions[0], questions

    # Joining the red team from the stale tab (its question accepted) is refused, and says why.
    stale.once("dialog", lambda dialog: dialog.accept())
    stale.locator("main form button[type=submit]").first.click()
    stale.wait_for_load_state()
    assert "Đội Xanh" in stale.locator(".messages").inner_text()
    registration.refresh_from_db()
    assert registration.team == green
    screenshot(stale, "journey-second-team-refused-phone")
