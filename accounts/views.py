from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import services
from accounts.forms import ApiTokenForm, ProfileForm, PublicNameForm
from accounts.models import ApiToken

# The new token's secret waits here between the POST and the page that shows it once.
_NEW_TOKEN_SESSION_KEY = "accounts_new_api_token"


def _render_profile(
    request: HttpRequest,
    form: ProfileForm | None = None,
    token_form: ApiTokenForm | None = None,
    status: int = 200,
    name_form: PublicNameForm | None = None,
) -> HttpResponse:
    user = request.user
    context = {
        "form": form or ProfileForm(instance=user),
        "name_form": name_form or PublicNameForm(instance=user),
        "token_form": token_form or ApiTokenForm(),
        "tokens": user.api_tokens.active(),
        "new_token": request.session.pop(_NEW_TOKEN_SESSION_KEY, None),
        "recommend_two_factor": services.should_recommend_two_factor(user),
    }
    return render(request, "accounts/profile.html", context, status=status)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_profile(request)
    form = ProfileForm(request.POST, instance=request.user)
    if not form.is_valid():
        return _render_profile(request, form=form, status=400)
    user = form.save()
    # The new language takes effect for the message below and every later page.
    translation.activate(user.preferred_language)
    messages.success(request, _("Your profile has been saved."))
    response = redirect("profile")
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        user.preferred_language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@login_required
@require_POST
def public_name(request: HttpRequest) -> HttpResponse:
    """The choice of how the person's name appears on public pages."""
    form = PublicNameForm(request.POST, instance=request.user)
    if not form.is_valid():
        return _render_profile(request, name_form=form, status=400)
    form.save()
    messages.success(request, _("How your name appears publicly has been saved."))
    return redirect(reverse("profile") + "#public-name")


@login_required
@require_GET
def unit_search(request: HttpRequest) -> HttpResponse:
    """htmx: the units matching ``q``, for the home-unit field."""
    units = services.search_units(request.GET.get("q", ""))
    return render(request, "accounts/_unit_results.html", {"units": units})


def _tokens_url() -> str:
    return reverse("profile") + "#api-tokens"


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, token_form=form, status=400)
    _token, raw = services.issue_token(request.user, form.cleaned_data["name"])
    request.session[_NEW_TOKEN_SESSION_KEY] = raw
    return redirect(_tokens_url())


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.revoke_token(request.user, token_id)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect(_tokens_url())
