"""Recording in the browser on a phone, with the GPS emulated along a known route
and the page's clock driven by the test (a reading every 8 s, a 5-minute pause):
the finished activity is stored with the route's distance, a moving time without
the pause and a verdict; a reload mid-recording loses no point; a recording
finished offline is sent once the network returns, as exactly one activity."""

import json
import math
import re
from datetime import timedelta

import numpy as np
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Activity, Source
from activities.track import geodesic_distances
from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from kindsteps.testing.browser import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEP_S = 8  # seconds between readings: 20 m each, a 6:40 /km run
LAT0, LON0 = 21.0285, 105.8542  # Hoàn Kiếm, Hà Nội


def route(points_north: int = 50, points_east: int = 50, step_m: float = 20.0) -> list:
    """1 km north then 1 km east, a reading every `step_m` metres."""
    m_lat = 110_750.0
    m_lon = m_lat * math.cos(math.radians(LAT0))
    north = [(LAT0 + i * step_m / m_lat, LON0) for i in range(points_north + 1)]
    corner = north[-1]
    east = [(corner[0], corner[1] + i * step_m / m_lon) for i in range(1, points_east + 1)]
    return north + east


def length_m(points) -> float:
    lat, lon = np.array(points).T
    return float(geodesic_distances(lat, lon).sum())


@pytest.fixture
def recorder(new_page, live_server, settings, tmp_path, tree, participant):
    """A phone logged in as the participant, GPS allowed, the page's clock an hour back
    and stopped; the participant is registered in a campaign open since yesterday.
    The live server runs on the real clock (a browser test), so these times are read
    from it too; the page's run is judged the same on whichever local day it falls."""
    settings.MEDIA_ROOT = tmp_path
    settings.MAP_TILE_URL = f"{live_server.url}/no-tiles/{{z}}/{{x}}/{{y}}.png"
    now = timezone.now()
    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"],
        title_vi="Chạy vì Tết yêu thương",
        starts_at=now - timedelta(days=1),
    )
    RegistrationFactory(campaign=campaign, user=participant, registered_at=now - timedelta(days=2))
    page = new_page(**PHONE)
    client = Client()
    client.force_login(participant)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.context.grant_permissions(["geolocation"])
    start = now - timedelta(hours=1)
    page.clock.install(time=start - timedelta(minutes=1))
    page.clock.pause_at(start)
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def move_to(page, lat: float, lon: float) -> None:
    page.context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 5})


def expect_points(page, n: int) -> None:
    expect(page.locator("[data-recorder]")).to_have_attribute("data-points", str(n))


def walk(page, points, already: int) -> int:
    """Feed readings one by one, STEP_S apart on the page's clock; returns the count."""
    for lat, lon in points:
        page.clock.run_for(STEP_S * 1000)
        move_to(page, lat, lon)
        already += 1
        expect_points(page, already)
    return already


def open_recorder(page, first) -> None:
    move_to(page, *first)
    page.goto("/activities/record/")
    expect(page.locator("[data-recorder]")).to_have_attribute("data-state", "idle")


def press(page, action: str) -> None:
    page.locator(f"[data-action={action}]").click()


def start(page, sport: str = "run") -> None:
    page.locator(f"label:has(input[name=sport][value={sport}])").click()
    press(page, "start")
    expect(page.locator("[data-recorder]")).to_have_attribute("data-state", "recording")
    expect_points(page, 1)


def uploaded_points(activity: Activity) -> list:
    with activity.upload.stored_file.content.open("rb") as fh:
        doc = json.loads(fh.read())
    return [point for segment in doc["segments"] for point in segment]


def test_a_run_along_a_known_route_with_a_pause_is_stored_and_judged(recorder, participant):
    page = recorder
    points = route()
    open_recorder(page, points[0])
    screenshot(page, "recorder-idle-390")

    start(page)
    count = walk(page, points[1:51], 1)
    # 1 km so far, in Vietnamese notation.
    expect(page.locator("[data-figure=distance]")).to_have_text(
        re.compile(r"^(0,98|0,99|1,00|1,01|1,02)$")
    )
    screenshot(page, "recorder-recording-390")

    press(page, "pause")
    expect(page.locator("[data-recorder]")).to_have_attribute("data-state", "paused")
    page.clock.run_for(300_000)  # five minutes standing, paused
    move_to(page, points[50][0] + 0.0001, points[50][1])  # ignored: paused
    page.clock.run_for(1000)
    move_to(page, *points[50])
    expect_points(page, count)
    screenshot(page, "recorder-paused-390")

    press(page, "resume")
    count += 1  # the position where the run goes on
    expect_points(page, count)
    count = walk(page, points[51:], count)
    press(page, "finish")

    expect(page.locator("[data-result] .verdict")).to_be_visible()
    expect(page.locator("[data-result]")).to_contain_text("Chạy vì Tết yêu thương")
    expect(page.locator("[data-result] [data-total]")).to_be_visible()
    screenshot(page, "recorder-finished-390")

    activity = Activity.objects.get(user=participant)
    assert activity.source == Source.BROWSER
    assert activity.sport == "run"
    expected = length_m(points)
    assert abs(activity.distance_m - expected) <= 0.02 * expected, (activity.distance_m, expected)
    moving = (len(points) - 1) * STEP_S
    assert abs(activity.moving_s - moving) <= 2 * STEP_S, activity.moving_s
    assert activity.elapsed_s >= moving + 300
    [verdict] = activity.verdicts.all()
    assert verdict.status == "accepted"
    assert verdict.credited_m == activity.distance_m


def test_a_reload_mid_recording_keeps_every_point(recorder, participant):
    page = recorder
    points = route(points_north=40, points_east=0)
    open_recorder(page, points[0])
    start(page)
    count = walk(page, points[1:21], 1)

    page.reload()
    expect(page.locator("[data-recorder]")).to_have_attribute("data-state", "recording")
    expect(page.locator("[data-notice]")).to_be_visible()
    # Restored from the phone, plus the reading the GPS gives on reopening.
    expect_points(page, count + 1)
    count = walk(page, points[21:], count + 1)
    press(page, "finish")
    expect(page.locator("[data-result] .verdict")).to_be_visible()

    activity = Activity.objects.get(user=participant)
    sent = [(p[1], p[2]) for p in uploaded_points(activity)]
    assert len(sent) == count
    assert [p for p in sent if p != sent[20]] == [p for p in points if p != points[20]]
    expected = length_m(points)
    assert abs(activity.distance_m - expected) <= 0.02 * expected


RECORDING_PATH = "/api/v1/activities/recording"


def test_a_recording_finished_offline_is_sent_when_the_network_returns(
    recorder, participant, network
):
    page = recorder
    points = route(points_north=30, points_east=0)
    open_recorder(page, points[0])
    # The service worker has kept the page and its files: it opens without a network.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")
    # Chromium's offline emulation does not cover a request that a service worker
    # lets through to the network: the live server refuses to answer the upload too,
    # as a server out of a phone's reach would.
    network.cut(RECORDING_PATH)
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("[data-recorder]")).to_have_attribute("data-state", "idle")
    start(page)
    walk(page, points[1:], 1)
    press(page, "finish")

    offline = page.evaluate("JSON.parse(document.getElementById('recorder-texts').textContent)")[
        "offline"
    ]
    status = page.locator("[data-upload-status]")
    expect(status).to_have_text(offline)
    page.clock.run_for(20_000)  # a retry or two, still offline
    expect(status).to_have_text(offline)
    screenshot(page, "recorder-offline-390")
    page.reload()  # still offline: the waiting recording is there after a reload
    expect(status).to_have_text(offline)
    assert not Activity.objects.exists()

    network.restore()
    page.context.set_offline(False)
    expect(page.locator("[data-result] .verdict")).to_be_visible()
    # Sending again by hand, and the timers that were waiting, make nothing more.
    page.locator("[data-action=retry]").evaluate("b => b.click()")
    page.clock.run_for(120_000)
    page.reload()
    expect(page.locator("[data-result] .verdict")).to_be_visible()

    assert Activity.objects.filter(user=participant).count() == 1
    assert Activity.objects.get().upload.user == participant


def test_a_refused_location_is_said_in_plain_words(recorder):
    page = recorder
    page.context.clear_permissions()
    open_recorder(page, (LAT0, LON0))
    press(page, "start")
    texts = page.evaluate("JSON.parse(document.getElementById('recorder-texts').textContent)")
    expect(page.locator("[data-alert]")).to_have_text(texts["denied"])
    expect(page.locator("[data-recorder]")).to_have_attribute("data-state", "idle")
    screenshot(page, "recorder-denied-390")


def test_start_is_in_the_top_part_of_a_phone_screen_and_stays_in_reach(recorder):
    page = recorder
    points = route(points_north=3, points_east=0)
    open_recorder(page, points[0])

    box = page.locator("[data-action=start]").bounding_box()
    assert box is not None and box["height"] >= 56  # a big target
    assert box["y"] + box["height"] <= 844 * 0.6  # the top part, not the bottom edge

    start(page)
    page.mouse.wheel(0, 2000)  # down to the map: Pause and Finish follow
    for action in ("pause", "finish"):
        button = page.locator(f"[data-action={action}]")
        expect(button).to_be_in_viewport()
