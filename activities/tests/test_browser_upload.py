"""Uploading on a phone: two files chosen at once each get their own progress
and result, and the activity page draws its route and speed chart."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from activities.models import Activity
from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from kindsteps.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILES = Path(__file__).parent / "files"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
RUN = FILES / "sports-lib__6909950168.fit"  # 6.5 km on 04/03/2020, Vietnam time
BAD = FILES / "placemark-togeojson__bad.gpx"


def log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_two_files_upload_with_their_own_results_and_the_activity_draws_its_map(
    phone_page, live_server, settings, tmp_path, tree, participant
):
    settings.MEDIA_ROOT = tmp_path
    # No tile server in tests: the route must show without tiles.
    settings.MAP_TILE_URL = f"{live_server.url}/no-tiles/{{z}}/{{x}}/{{y}}.png"
    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"],
        title_vi="Tháng Ba 2020",
        starts_at=datetime(2020, 3, 1, 8, tzinfo=VN),
        ends_at=datetime(2020, 4, 1, tzinfo=VN),
        rules={"sync_window_hours": 10**6, "close_grace_hours": 10**6},
    )
    RegistrationFactory(
        campaign=campaign, user=participant, registered_at=datetime(2020, 2, 1, tzinfo=VN)
    )
    page = phone_page
    log_in(page, live_server, participant)

    page.goto("/activities/upload/")
    page.set_input_files("input[type=file]", [str(RUN), str(BAD)])

    items = page.locator("[data-upload-results] .upload-item")
    expect(items).to_have_count(2)
    run_item = items.filter(has_text=RUN.name)
    bad_item = items.filter(has_text=BAD.name)
    expect(run_item.locator(".activity-card")).to_be_visible(timeout=30_000)
    expect(run_item).to_contain_text("Tháng Ba 2020")
    expect(bad_item.locator(".upload-message")).to_be_visible(timeout=30_000)
    screenshot(page, "activities-upload-phone")

    activity = Activity.objects.get(user=participant)
    run_item.locator(f"a[href='/activities/{activity.pk}/']").click()
    page.wait_for_load_state()
    expect(page.locator(".activity-map path.leaflet-interactive").first).to_be_attached()
    chart = page.locator("canvas[data-activity-chart]")
    expect(chart).to_be_visible()
    assert chart.evaluate("c => c.width > 0 && !!window.Chart.getChart(c)")
    expect(page.locator(".activity-splits tbody tr")).to_have_count(6)
    screenshot(page, "activities-detail-phone")
