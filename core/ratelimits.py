"""Rate limits on the doors people and scripts can hammer (django-ratelimit on the
"ratelimit" cache; the limits are settings.RATE_LIMITS, docs/security.md).

A request over its limit is refused with 429 and a translated "too many tries"
(core.http.too_many_tries, as a page or JSON), never dropped in silence."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

log = logging.getLogger(__name__)


def _rate_of(name: str) -> Callable[[str, HttpRequest], str | None]:
    def rate(group: str, request: HttpRequest) -> str | None:
        return settings.RATE_LIMITS[name]

    return rate


def limited(name: str, *, key: str = "user_or_ip", method: str | list[str] = "POST"):
    """The view counted under the limit ``settings.RATE_LIMITS[name]``, per person when
    signed in (a token's person on the API), else per client IP."""
    return ratelimit(
        group=f"kindsteps.{name}", key=key, rate=_rate_of(name), method=method, block=True
    )


def check(request: HttpRequest, name: str, *, key: str = "user_or_ip") -> None:
    """The same limit as ``limited``, counted inside a handler: for django-ninja, whose
    signatures a wrapping decorator would hide (their annotations are read in the
    wrapper's module). Raises Ratelimited past the limit."""
    usage = get_usage(
        request,
        group=f"kindsteps.{name}",
        key=key,
        rate=_rate_of(name),
        method=ratelimit.ALL,
        increment=True,
    )
    if usage is not None and usage["should_limit"]:
        raise Ratelimited()


def client_ip(request: HttpRequest) -> str:
    meta_key = settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR"
    return request.META.get(meta_key, "").split(",")[0].strip()


def _ipn_rate(group: str, request: HttpRequest) -> str | None:
    # A gateway's known callback address is never limited: None is "no limit".
    if client_ip(request) in settings.RATE_LIMIT_IPN_TRUSTED_IPS:
        return None
    return settings.RATE_LIMITS["ipn"]


def ipn_limited(view):
    """Gateways' server-to-server callbacks, per calling IP and generously; one over
    the limit is answered 429 (gateways call again when not acknowledged) and logged,
    so it is never lost without a trace: the donor's return and the payment status
    query settle the donation too (docs/security.md)."""

    def wrapped(request: HttpRequest, *args, **kwargs):
        usage = get_usage(
            request,
            group="kindsteps.ipn",
            key="ip",
            rate=_ipn_rate,
            method=["GET", "POST"],
            increment=True,
        )
        if usage is not None and usage["should_limit"] and settings.RATELIMIT_ENABLE:
            log.warning(
                "gateway callback rate limited: %s from %s (answered 429)",
                request.path,
                client_ip(request),
            )
            raise Ratelimited()
        return view(request, *args, **kwargs)

    wrapped.__name__ = getattr(view, "__name__", "ipn")
    wrapped.__doc__ = view.__doc__
    wrapped.__wrapped__ = view  # type: ignore[attr-defined]
    return wrapped
