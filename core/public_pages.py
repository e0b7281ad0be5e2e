"""Public pages kept in the shared cache for visitors without a session
(docs/deployment.md, "Public pages and their cache"; decision 36).

A view marked ``@public_page`` (the campaign page and its live part, the boards, the
results, the rules, the teams) is answered to a visitor without a session from one copy
per address, language and htmx-ness, built at most once every
``PUBLIC_PAGE_CACHE_SECONDS`` (30 by default; 0 turns it off) and kept in the default
cache (Redis in production, so every web node shares it). The copy carries
``Cache-Control: public, max-age=…`` (what is left of its freshness) and an ETag, so the
reverse proxy, a CDN and the browser may keep it too, and ``If-None-Match`` gets a 304.

Anyone with a session cookie (signed in, or a private campaign's code remembered), a
message waiting or an ``Authorization`` header gets the page built for them, marked
``Cache-Control: private``, and so does everyone when the cache is off. An answer that
sets a cookie (a session, a CSRF token, a message), or is not a 200, is never kept. The
page being built for sharing is told so (``request.shared_copy``): the base template then
leaves out the CSRF token, which would be one visitor's.

One rebuild per page at a time: the visitor who finds the copy stale takes the page's
lock (``cache.add``) and builds it; meanwhile the others get the stale copy or, when
there is none yet, wait for it a few seconds.
"""

from __future__ import annotations

import hashlib
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)

View = TypeVar("View", bound=Callable[..., Any])

MARK = "public_page"
# Request headers that change the answer: django-htmx's fragment instead of the page.
VARY = ("Cookie", "HX-Request")
# A copy past its freshness is kept this much longer, and handed out only while another
# visitor rebuilds it.
KEEP_STALE_SECONDS = 60
# A rebuild that takes longer lets the next visitor try.
LOCK_SECONDS = 10
# How long a visitor waits for a first copy another one is building, polling every POLL.
WAIT_SECONDS = 5
POLL_SECONDS = 0.05
# What a key holds when the page's last answer could not be shared (it set a cookie, or
# was not a 200): the next visitors build their own at once instead of queueing on a lock.
NOT_SHARED = "not-shared"


def public_page(view: View) -> View:
    """Marks a view whose answer to visitors without a session is the same for all of
    them, and may be shared for ``PUBLIC_PAGE_CACHE_SECONDS``."""
    setattr(view, MARK, True)
    return view


def shareable(request: HttpRequest) -> bool:
    """A GET (or HEAD) without anything that makes the answer this visitor's own."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        # django.contrib.messages' cookie: a message waits to be shown.
        and "messages" not in request.COOKIES
        and "Authorization" not in request.headers
    )


def page_key(request: HttpRequest) -> str:
    """The copy's key: the whole address with its query, the language, and the htmx
    headers that change the answer."""
    parts = [
        request.scheme or "",
        request.get_host(),
        request.get_full_path(),
        getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        *(request.headers.get(name, "") for name in VARY[1:]),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"public-page:{digest}"


@dataclass
class _State:
    """What the middleware decided for this request: built for this visitor alone
    (``key`` None), or built to be shared under ``key``, holding the page's lock when
    ``lock`` is set (with ``token``, so as to let go of its own lock only)."""

    key: str | None = None
    lock: str | None = None
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


STATE = "_public_page"


def _from_copy(copy: dict, request: HttpRequest, now: float) -> HttpResponse:
    response = HttpResponse(copy["content"], status=copy["status"])
    for name, value in copy["headers"]:
        response.headers[name] = value
    left = max(0, math.ceil(copy["fresh_until"] - now))
    response.headers["Cache-Control"] = f"public, max-age={left}"
    return get_conditional_response(request, etag=copy["etag"], response=response) or response


def _keepable(request: HttpRequest, response: HttpResponseBase) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in cache_control
        and "no-store" not in cache_control
        and response.get("Vary", "").strip() != "*"
    )


class PublicPageMiddleware:
    """Serves and keeps the copies of ``@public_page`` views. First in MIDDLEWARE: it
    keeps an answer only after every other middleware has had its say, so it sees each
    cookie they set."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        state: _State | None = getattr(request, STATE, None)
        if state is None:
            return response
        if state.key is None:
            patch_cache_control(response, private=True)
            return response
        try:
            return self._keep(request, response, state.key)
        finally:
            if state.lock and cache.get(state.lock) == state.token:
                cache.delete(state.lock)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, MARK, False):
            return None
        state = _State()
        setattr(request, STATE, state)
        if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0 or not shareable(request):
            return None
        key = page_key(request)
        copy = cache.get(key)
        now = time.time()
        if isinstance(copy, dict) and copy["fresh_until"] > now:
            setattr(request, STATE, None)
            return _from_copy(copy, request, now)
        if request.method != "GET":
            # A HEAD reads a fresh copy but does not build one: its body may be left out.
            return None
        if copy != NOT_SHARED:
            lock = f"{key}:lock"
            if cache.add(lock, state.token, LOCK_SECONDS):
                state.lock = lock
            elif isinstance(copy, dict):
                setattr(request, STATE, None)
                return _from_copy(copy, request, now)  # stale, being rebuilt by another
            else:
                copy = self._wait(state, key, lock)
                if isinstance(copy, dict):
                    setattr(request, STATE, None)
                    return _from_copy(copy, request, time.time())
        state.key = key
        request.shared_copy = True  # type: ignore[attr-defined]  # read by base.html
        return None

    @staticmethod
    def _wait(state: _State, key: str, lock: str) -> Any:
        """Waits for the copy another visitor is building, and returns it; takes the
        lock instead if it was let go without a copy; gives up after WAIT_SECONDS."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            copy = cache.get(key)
            if copy is not None:
                return copy
            if cache.add(lock, state.token, LOCK_SECONDS):
                state.lock = lock
                return None
        return None

    @staticmethod
    def _keep(request: HttpRequest, response: HttpResponseBase, key: str) -> HttpResponseBase:
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if not isinstance(response, HttpResponse) or not _keepable(request, response):
            cache.set(key, NOT_SHARED, seconds)
            patch_cache_control(response, private=True)
            return response
        set_response_etag(response)
        patch_cache_control(response, public=True, max_age=seconds)
        patch_vary_headers(response, VARY)
        etag = response["ETag"]
        copy = {
            "status": response.status_code,
            "headers": list(response.items()),
            "content": response.content,
            "etag": etag,
            "fresh_until": time.time() + seconds,
        }
        cache.set(key, copy, seconds + KEEP_STALE_SECONDS)
        return get_conditional_response(request, etag=etag, response=response) or response


def mark_shared_answer(request: HttpRequest, response: HttpResponse, *, public: bool) -> None:
    """An API answer the same for every caller without a session or token (a public
    campaign's board): marked so that the reverse proxy and a CDN share it for
    ``PUBLIC_PAGE_CACHE_SECONDS``; anyone else's, and everything with the cache off,
    stays ``private``."""
    seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
    if public and seconds > 0 and shareable(request):
        patch_cache_control(response, public=True, max_age=seconds)
    else:
        patch_cache_control(response, private=True)
