"""A campaign from its last day to its certificates, in a real browser: the organiser
sees the results wait for the end and then for the appeal window (while a complaint
is still open), freezes them and makes the certificates; the participant finds their
rank and certificate on the results page and its verification page shows the facts.

Browser tests run on the real clock: the campaign's dates are set from
``timezone.now()`` at each step (the last day, the appeal window, after it)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from activities.models import Complaint, VerdictStatus
from activities.tests.factories import ActivityFactory, VerdictFactory
from campaigns.tests.factories import CampaignFactory, UserFactory
from kindsteps.testing.browser import screenshot
from results.models import Certificate
from standings.tests.factories import walked

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Freezing and making certificates are real work on a 2-core machine shared with others:
# these pages get more time than the kit's default.
SLOW_MS = 45_000


def open_page(new_page, **options):
    page = new_page(**options)
    page.context.set_default_timeout(SLOW_MS)
    return page


def log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _set_end(campaign, ends_at) -> None:
    campaign.ends_at = ends_at
    campaign.registration_closes_at = ends_at
    campaign.save()


def test_from_the_last_day_through_the_appeal_window_to_certificates_and_their_check(
    new_page, live_server, tree, owner, participant, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    now = timezone.now()
    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"],
        slug="ket-thuc",
        starts_at=now - timedelta(days=20),
        ends_at=now + timedelta(hours=2),  # the last day
        appeal_window_hours=48,
    )
    walked_on = now - timedelta(days=3)
    walked(campaign, 8_400, user=participant, unit=tree["LA-CD-THPT"], started_at=walked_on)
    walked(campaign, 15_000, name="Nguyễn Văn An", unit=tree["LA-CD-LTR"], started_at=walked_on)
    other = UserFactory(full_name="Trần Thị Bình")
    rejected = VerdictFactory(
        campaign=campaign,
        activity=ActivityFactory(user=other, started_at=walked_on),
        status=VerdictStatus.REJECTED,
        credited_m=0,
    )
    Complaint.objects.create(verdict=rejected, user=other, text="Tôi đi bộ thật mà")
    organiser = open_page(new_page)
    log_in(organiser, live_server, owner)
    manage = f"/manage/campaigns/{campaign.slug}/results/"

    # The last day: the results wait for the end and the 48 hours after it.
    organiser.goto(manage)
    assert "48" in organiser.locator("main").inner_text()
    assert organiser.locator("button", has_text=re.compile("Chốt|Freeze")).count() == 0

    # The campaign has ended: the appeal window is open, a complaint still waits.
    _set_end(campaign, now - timedelta(hours=1))
    organiser.goto(manage)
    text = organiser.locator("main").inner_text()
    assert "1" in text and re.search("khiếu nại|complaints", text)
    assert organiser.locator("button", has_text=re.compile("Chốt|Freeze")).count() == 0
    screenshot(organiser, "results-appeal-window-desktop")

    # After the window: freeze and publish, then make the certificates.
    _set_end(campaign, now - timedelta(hours=49))
    organiser.goto(manage)
    organiser.locator("button", has_text=re.compile("Chốt|Freeze")).click()
    organiser.wait_for_load_state()
    organiser.locator(
        "button", has_text=re.compile("Tạo giấy chứng nhận|Make the certificates")
    ).click()
    organiser.wait_for_load_state()
    assert Certificate.objects.filter(results__campaign=campaign).exclude(made_at=None).count() == 2

    # The participant's results page: their rank and certificate.
    phone = open_page(
        new_page, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    log_in(phone, live_server, participant)
    phone.goto(f"/c/{campaign.slug}/")
    phone.locator("a", has_text=re.compile("Xem kết quả|See the results")).click()
    phone.wait_for_load_state()
    mine = phone.locator(".results-mine").inner_text()
    assert "2" in mine and "8,4" in mine
    rows = phone.locator(".results-table").first.locator("tbody tr")
    assert rows.nth(0).inner_text().startswith("1")
    assert "Nguyễn Văn An" in rows.nth(0).inner_text()
    screenshot(phone, "results-page-phone")
    png = phone.locator(".results-mine a[href$='.png']").get_attribute("href")
    card = phone.request.get(png)  # the page's own cookies: the holder's download
    assert card.status == 200 and card.headers["content-type"] == "image/png"
    assert card.body().startswith(b"\x89PNG")

    # The verification page, as anyone who scans the QR code sees it.
    code = Certificate.objects.get(registration__user=participant).code
    visitor = open_page(
        new_page, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    visitor.goto(f"/verify/{code}/")
    facts = visitor.locator(".verify-facts").inner_text()
    assert "Lê Minh Anh" in facts and "8,4" in facts and "2 / 2" in facts
    screenshot(visitor, "results-verify-phone")
