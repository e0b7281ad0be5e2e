"""Every page names the site's favicon and app icons, and the web manifest they
install with exists and points at real icons."""

import json
import re

from django.contrib.staticfiles import finders


def test_every_page_links_the_favicon_and_the_manifest(client, db):
    page = client.get("/").content.decode()

    for name in ("icons/favicon.svg", "icons/favicon-32.png", "icons/apple-touch-icon.png"):
        assert f"/static/{name}" in page
        assert finders.find(name), name
    assert re.search(r'<link rel="manifest" href="/static/site\.webmanifest">', page)


def test_the_manifest_lists_icons_that_exist(db):
    with open(finders.find("site.webmanifest"), encoding="utf-8") as fh:
        manifest = json.load(fh)

    assert manifest["name"] == "KindSteps" and manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"]), icon["src"]


def test_the_recorder_keeps_its_own_manifest(client, participant):
    client.force_login(participant)

    page = client.get("/activities/record/").content.decode()

    assert page.count('rel="manifest"') == 1
    assert "/activities/record/manifest.webmanifest" in page
