"""The campaign page on a phone: the km-per-day and participants charts are drawn,
and the figures and standings refresh themselves through htmx without a reload."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.tests.factories import CampaignFactory
from kindsteps.testing.browser import screenshot
from standings.tests.factories import walked

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Both charts are drawn and painted. Read in one go in the page, since the live
# refresh may swap a canvas for a new one between two separate reads.
CHARTS_DRAWN = """() => {
  const canvases = [...document.querySelectorAll("canvas[data-standings-chart]")];
  return canvases.length === 2 && canvases.every(canvas => {
    const chart = window.Chart && window.Chart.getChart(canvas);
    if (!chart || !canvas.width || canvas.dataset.drawn !== "true") return false;
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) painted++;
    return painted > 100;
  });
}"""

CHART_WIDTHS = """() => [...document.querySelectorAll("canvas[data-standings-chart]")]
  .map(canvas => canvas.getBoundingClientRect().width)"""


def test_charts_are_drawn_and_the_figures_refresh_by_themselves(
    phone_page, live_server, settings, tree
):
    settings.KINDSTEPS_LIVE_REFRESH_SECONDS = 1
    # The real clock, as Chromium's: the figures hold whichever local day these fall on.
    now = timezone.now().replace(microsecond=0)
    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"],
        starts_at=now - timedelta(days=5),
        participant_target=10,
    )
    walked(
        campaign, 5000, started_at=now - timedelta(hours=30), name="Hoa", unit=tree["LA-CD-THPT"]
    )
    walked(
        campaign, 3000, started_at=now - timedelta(hours=2), name="Minh", unit=tree["LA-CD-THPT"]
    )
    page = phone_page

    page.goto(f"/c/{campaign.slug}/")

    expect(page.locator("canvas[data-standings-chart]")).to_have_count(2)
    page.wait_for_function(CHARTS_DRAWN)
    widths = page.evaluate(CHART_WIDTHS)
    assert len(widths) == 2 and all(0 < width <= 390 for width in widths), widths
    figures = page.locator("#live-counts .live-count").first
    expect(figures.locator("strong")).to_have_text("2")
    expect(page.locator("#campaign-standings .board-name")).to_contain_text(["Hoa", "Minh"])
    units = page.locator("details#top-units-school")
    units.locator("summary").click()
    screenshot(page, "standings-campaign-phone")

    walked(campaign, 9000, started_at=now - timedelta(hours=1), name="Lan")

    expect(figures.locator("strong")).to_have_text("3", timeout=8000)
    expect(page.locator("#campaign-standings .board-name").first).to_contain_text("Lan")
    expect(page.locator("#live-counts .live-count").nth(1).locator("strong")).to_have_text("17,0")
    expect(units).to_have_attribute("open", "")
    page.wait_for_function(CHARTS_DRAWN)
    assert page.evaluate("document.querySelectorAll('#campaign-standings').length") == 1
