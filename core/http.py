"""The HTTP edge every app shares: bounded request bodies, bounded JSON, and the
answers for a body too large (413) or too many tries (429), in JSON for API and
script clients and as a page for people (docs/security.md)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.errors import DomainError

CHUNK = 64 * 1024
# Deeper than any document the site reads (a recording is 4 levels, a gateway's
# callback 1): refused before a recursive walk could exhaust the stack.
MAX_JSON_DEPTH = 32


class BodyTooLarge(DomainError):
    code = "too_large"
    status = 413

    def __init__(self, limit: int):
        super().__init__(too_large_message(limit))
        self.limit = limit


class BadJSON(DomainError):
    code = "malformed_json"
    status = 400


def too_large_message(limit: int) -> str:
    return _("The request is too large: up to %(size)s is accepted.") % {
        "size": filesizeformat(limit)
    }


def content_length(request: HttpRequest) -> int | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    return max(length, 0)


def read_body(request: HttpRequest, limit: int) -> bytes:
    """The raw body, at most ``limit`` bytes; BodyTooLarge beyond it.

    Unlike ``request.body`` this does not stop at DATA_UPLOAD_MAX_MEMORY_SIZE (meant
    for form fields), and a body announced larger than the limit is refused before a
    byte of it is read."""
    if hasattr(request, "_body"):  # already read by someone (tests, a parser)
        data = request.body
        if len(data) > limit:
            raise BodyTooLarge(limit)
        return data
    length = content_length(request)
    if length is not None and length > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = request.read(CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    data = b"".join(chunks)
    # Later readers (request.body) see the same bytes instead of an empty stream.
    request._body = data
    return data


def _depth_ok(value: Any, max_depth: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            return False
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


def loads_json(data: bytes | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that refuses, with BadJSON, what is not JSON or is nested deeper
    than ``max_depth`` (the standard parser would raise RecursionError, a 500)."""
    try:
        if isinstance(data, bytes):
            data = data.decode("utf-8-sig")
        value = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadJSON(_("The request body is not valid JSON.")) from exc
    except RecursionError as exc:
        raise BadJSON(too_deep_message(max_depth), code="json_too_deep") from exc
    if not _depth_ok(value, max_depth):
        raise BadJSON(too_deep_message(max_depth), code="json_too_deep")
    return value


def too_deep_message(max_depth: int) -> str:
    return _("The JSON is nested too deeply: at most %(depth)s levels are accepted.") % {
        "depth": max_depth
    }


def wants_json(request: HttpRequest) -> bool:
    """API and script clients get JSON; a browser's page request gets a page."""
    if request.path.startswith("/api/"):
        return True
    accept = request.headers.get("Accept", "")
    content_type = request.headers.get("Content-Type", "")
    return "application/json" in accept or content_type.startswith("application/json")


def error_response(
    request: HttpRequest, *, status: int, code: str, detail: str, title: str
) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"code": code, "detail": detail}, status=status)
    return render(
        request,
        "errors/error.html",
        {"title": title, "detail": detail, "status": status},
        status=status,
    )


def too_large_response(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    limit = settings.MAX_REQUEST_BYTES if limit is None else limit
    return error_response(
        request,
        status=413,
        code="too_large",
        detail=too_large_message(limit),
        title=_("Too large"),
    )


def too_many_tries(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """What a rate-limited request gets (settings.RATELIMIT_VIEW): 429 and when to
    try again, never a silent drop."""
    response = error_response(
        request,
        status=429,
        code="too_many_tries",
        detail=_("Too many tries in a short time. Please wait a few minutes and try again."),
        title=_("Too many tries"),
    )
    response["Retry-After"] = "60"
    return response
