"""Staff without a second factor are sent to set one up (accounts/twofactor.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.twofactor import lacks_required_second_factor

# What such a person may still reach: their account (sign out, e-mail, the 2FA setup
# itself), the language switch, files, the participants' API (no staff data) and the
# gateways' callbacks, and the operators' health and metrics (no person behind them).
OPEN_PREFIXES = (
    "/accounts/",
    "/i18n/",
    "/static/",
    "/media/",
    "/api/",
    "/payments/",
    "/healthz",
    "/metrics",
)


class TwoFactorRequiredMiddleware:
    """With ``MFA_REQUIRED``, a signed-in administrator or superuser without TOTP
    gets every page but OPEN_PREFIXES redirected to the TOTP setup (a form's POST
    is refused with 403): right after signing in, and until it is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.MFA_REQUIRED
            # The path first: an open path never loads the session or the user.
            and not request.path.startswith(OPEN_PREFIXES)
            and request.user.is_authenticated
            and lacks_required_second_factor(request.user)
        ):
            return self.refuse(request)
        return self.get_response(request)

    def refuse(self, request: HttpRequest) -> HttpResponse:
        explanation = _(
            "Your account can manage units, money or participants' contacts, so it must be "
            "protected with two-factor authentication. Set up an authenticator app to go on."
        )
        if request.method in ("GET", "HEAD"):
            messages.warning(request, explanation)
            setup = reverse("mfa_activate_totp")
            return redirect(f"{setup}?{urlencode({'next': request.get_full_path()})}")
        return render(
            request,
            "errors/error.html",
            {"title": _("Two-factor authentication required"), "detail": explanation},
            status=403,
        )
