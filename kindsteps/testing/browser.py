"""Playwright fixtures driving Debian's Chromium (/usr/bin/chromium).

``browser`` is one headless Chromium per test process; ``page`` (a desktop
window) and ``phone_page`` (a 390 × 844 touch phone) open fresh contexts on
pytest-django's ``live_server``, so ``page.goto("/")`` is the home page. Mark
such tests ``@pytest.mark.browser``. They run on the real clock, not the suite's fixed
one (Chromium's clock is real): they pass their times from ``timezone.now()`` to the
factories, chosen to hold on whichever local day they fall.

Set ``KINDSTEPS_SCREENSHOTS=<dir>`` to keep the pictures that ``screenshot()``
takes, for looking at pages by eye.
"""

import os
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import ServerHandler, ThreadedWSGIServer, WSGIServer
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from playwright.sync_api import sync_playwright

# Playwright's sync API keeps an event loop running in the test's thread, and
# Django then refuses database access from that thread as "async unsafe". The
# tests only ever touch the database synchronously, so the check is switched off.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("KINDSTEPS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
TIMEOUT_MS = 10_000
# A navigation waits for every file of the page (the map's tiles too) from the
# live server: on a machine busy with the other test worker it has been seen to pass 10 s.
NAVIGATION_TIMEOUT_MS = 30_000


# Paths the live server treats as out of reach (see the ``network`` fixture).
_CUT: set[str] = set()


class _CuttableHandler(QuietWSGIRequestHandler):
    """Drops the connection without an answer for a request to a cut path, as a
    phone without a network never reaches the server."""

    def handle_one_request(self):
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline or len(self.raw_requestline) > 65536:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        if any(self.path.startswith(prefix) for prefix in _CUT):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        handler = ServerHandler(self.rfile, self.wfile, self.get_stderr(), self.get_environ())
        handler.request_handler = self
        handler.run(self.server.get_app())


class _ThreadedLiveServer(ThreadedWSGIServer):
    def __init__(self, address, _handler, **kwargs):
        super().__init__(address, _CuttableHandler, **kwargs)


class _OneRequestAtATime(WSGIServer):
    """A live server that answers one request after the other (and closes each
    connection, so that a browser's keep-alive cannot hold it)."""

    def __init__(self, address, _handler, *, connections_override=None, **kwargs):
        super().__init__(address, _CuttableHandler, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def live_server_for_the_database():
    """On SQLite the test database lives in memory, and Django hands its one
    connection to every thread of the live server: two requests at once (a page
    sending two files, polling while it uploads) would then share a transaction and
    trip over each other's savepoints. There, requests are answered in turn."""
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        LiveServerThread.server_class = _OneRequestAtATime
    else:
        LiveServerThread.server_class = _ThreadedLiveServer


class Network:
    """The network between the browser and the live server, for one test:
    ``cut(prefix)`` makes every request to a path starting with ``prefix`` fail as
    unreachable, whoever sends it (the page, or a request a service worker lets
    through, which Chromium's offline emulation does not always cover);
    ``restore()`` brings it back."""

    def cut(self, prefix: str) -> None:
        _CUT.add(prefix)

    def restore(self) -> None:
        _CUT.clear()


@pytest.fixture
def network() -> Iterator[Network]:
    yield Network()
    _CUT.clear()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable]:
    """Open a page in a fresh context (own cookies) on the live server:
    ``new_page(viewport=..., locale=...)`` takes Playwright's context options."""
    contexts = []

    def open_page(**options):
        options = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh", **options}
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page(**DESKTOP)


@pytest.fixture
def phone_page(new_page):
    return new_page(**PHONE)


def screenshot(page, name: str) -> Path | None:
    """Save a full-page PNG as ``<KINDSTEPS_SCREENSHOTS>/<name>.png`` when that
    variable is set; otherwise do nothing."""
    directory = os.environ.get("KINDSTEPS_SCREENSHOTS")
    if not directory:
        return None
    path = Path(directory) / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
