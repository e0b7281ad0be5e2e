"""Registration, withdrawal, my campaigns, unit invite links and posters."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaigns import posters, rules_text, services
from campaigns.access import get_campaign_for_request
from campaigns.models import Campaign
from campaigns.registration_forms import (
    MissingProfileForm,
    RegistrationForm,
    missing_profile_fields,
)
from campaigns.services import RegistrationError
from core.public_pages import public_page
from orgs.models import Unit

# Session keys: the unit whose invite link brought the person, per campaign
# slug.
INVITES_KEY = "campaign_invites"


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    return get_campaign_for_request(request, slug)


def _invited_unit(request: HttpRequest, campaign: Campaign) -> Unit | None:
    code = request.session.get(INVITES_KEY, {}).get(campaign.slug)
    return services.get_invite_unit(campaign, code) if code else None


def _forget_invite(request: HttpRequest, campaign: Campaign) -> None:
    invites = request.session.get(INVITES_KEY, {})
    if invites.pop(campaign.slug, None) is not None:
        request.session[INVITES_KEY] = invites


def register(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    try:
        services.check_can_register(campaign, user)
    except RegistrationError as exc:
        return _refused(request, campaign, exc)

    fixed_unit = _invited_unit(request, campaign)
    missing = missing_profile_fields(user)
    data = request.POST if request.method == "POST" else None
    unit_results: list[Unit] = []
    unit_query = ""
    if data is not None and "search_units" in data:
        # The unit search button, for browsers without scripts: show the results
        # and keep what was typed, without judging the half-filled form yet.
        unit_query = data.get("unit_q", "")
        unit_results = services.search_campaign_units(campaign, unit_query)
        initial = {key.removeprefix("profile-"): value for key, value in data.items()}
        data = None
    else:
        initial = {}
    profile_form = MissingProfileForm(
        data, instance=user, missing=missing, prefix="profile", initial=initial
    )
    form = RegistrationForm(
        data,
        campaign=campaign,
        fixed_unit=fixed_unit,
        initial_unit=user.home_unit,
        initial={k: v for k, v in initial.items() if k in ("category", "unit", "accept_rules")},
    )
    if data is not None and profile_form.is_valid() and form.is_valid():
        try:
            services.register_with_profile(
                campaign,
                user,
                profile=profile_form.changes(),
                category=form.cleaned_data.get("category"),
                unit=form.chosen_unit(),
                via_unit_link=fixed_unit is not None,
                accept_rules=form.cleaned_data["accept_rules"],
            )
        except RegistrationError as exc:
            form.add_error(None, exc.message)
        else:
            _forget_invite(request, campaign)
            return redirect("campaigns:registered", slug=campaign.slug)
    if data is not None:
        user.refresh_from_db()  # the forms' cleaning wrote into it; nothing was saved
    previous = services.registration_for(campaign, user)
    return render(
        request,
        "campaigns/register/form.html",
        {
            "campaign": campaign,
            "profile_form": profile_form,
            "form": form,
            "fixed_unit": fixed_unit,
            "unit_query": unit_query,
            "unit_results": unit_results,
            "rules": services.rules_summary(campaign),
            "previous": previous,
        },
        status=400 if data is not None else 200,
    )


def _refused(request: HttpRequest, campaign: Campaign, exc: RegistrationError) -> HttpResponse:
    registration = (
        services.active_registration(campaign, request.user)
        if exc.code == "already_registered"
        else None
    )
    return render(
        request,
        "campaigns/register/refused.html",
        {"campaign": campaign, "error": exc, "registration": registration},
    )


@require_GET
def unit_search(request: HttpRequest, slug: str) -> HttpResponse:
    """htmx: the units of the campaign matching ``unit_q`` as radio buttons."""
    campaign = _campaign(request, slug)
    query = request.GET.get("unit_q", "")
    chosen = services.get_invite_unit(campaign, request.GET.get("unit", ""))
    results = [u for u in services.search_campaign_units(campaign, query) if u != chosen]
    return render(
        request,
        "campaigns/register/_unit_results.html",
        {"chosen": chosen, "results": results, "query": query, "searched": True},
    )


@login_required
def registered(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    registration = services.active_registration(campaign, request.user)
    if registration is None:
        return redirect("campaigns:register", slug=campaign.slug)
    return render(
        request,
        "campaigns/register/success.html",
        {"campaign": campaign, "registration": registration},
    )


@login_required
def withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    registration = services.active_registration(campaign, request.user)
    if registration is None:
        messages.info(request, _("You are not registered for this campaign."))
        return redirect("campaigns:detail", slug=campaign.slug)
    if request.method == "POST":
        services.withdraw(registration, actor=request.user)
        messages.success(
            request,
            _(
                "You have withdrawn from %(campaign)s. "
                "You can register again while registration is open."
            )
            % {"campaign": campaign.title},
        )
        return redirect("campaigns:detail", slug=campaign.slug)
    return render(
        request,
        "campaigns/register/withdraw.html",
        {"campaign": campaign, "registration": registration},
    )


@login_required
def my_campaigns(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "campaigns/register/my_campaigns.html",
        {
            "registrations": services.my_registrations(request.user),
            "notices": services.unread_notices(request.user),
        },
    )


@login_required
@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    notice_id = request.POST.get("notice")
    services.mark_notices_read(
        request.user, int(notice_id) if notice_id and notice_id.isdigit() else None
    )
    return redirect("campaigns:mine")


def _invite_campaign_and_unit(request: HttpRequest, slug: str, code: str) -> tuple[Campaign, Unit]:
    campaign = _campaign(request, slug)
    unit = services.get_invite_unit(campaign, code)
    if unit is None:
        raise Http404
    return campaign, unit


@require_GET
def invite(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """A unit's invite link (the poster's QR code): remember the unit, go register."""
    campaign, unit = _invite_campaign_and_unit(request, slug, code)
    invites = request.session.get(INVITES_KEY, {})
    invites[campaign.slug] = unit.code
    request.session[INVITES_KEY] = invites
    return redirect("campaigns:register", slug=campaign.slug)


def _poster(request: HttpRequest, slug: str, code: str) -> tuple[Campaign, Unit, str]:
    # Not the campaign page's visibility: a private campaign's posters are for
    # the staff who print them, who need not be able to register.
    campaign = get_object_or_404(Campaign.objects.select_related("organiser_unit"), slug=slug)
    unit = services.get_invite_unit(campaign, code)
    if unit is None or not services.may_download_posters(campaign, request.user, unit):
        raise Http404
    return campaign, unit, services.invite_url(campaign, unit)


@require_GET
def poster_pdf(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    campaign, unit, url = _poster(request, slug, code)
    response = HttpResponse(posters.poster_pdf(campaign, unit, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{posters.filename(campaign, unit)}.pdf"'
    return response


@require_GET
def poster_png(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    campaign, unit, url = _poster(request, slug, code)
    response = HttpResponse(posters.poster_png(campaign, unit, url), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{posters.filename(campaign, unit)}.png"'
    return response


@require_GET
@public_page
def rules_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Every rule of the campaign in words: linked from registration and every verdict."""
    campaign = _campaign(request, slug)
    return render(
        request,
        "campaigns/rules.html",
        {"campaign": campaign, "sections": rules_text.rules_in_words(campaign)},
    )


urlpatterns = [
    path("c/<slug:slug>/rules/", rules_page, name="rules"),
    path("c/<slug:slug>/register/", register, name="register"),
    path("c/<slug:slug>/register/units/", unit_search, name="unit_search"),
    path("c/<slug:slug>/registered/", registered, name="registered"),
    path("c/<slug:slug>/withdraw/", withdraw, name="withdraw"),
    path("c/<slug:slug>/u/<str:code>/", invite, name="invite"),
    path("c/<slug:slug>/u/<str:code>/poster.pdf", poster_pdf, name="poster_pdf"),
    path("c/<slug:slug>/u/<str:code>/poster.png", poster_png, name="poster_png"),
    path("me/campaigns/", my_campaigns, name="mine"),
    path("me/notices/read/", notices_read, name="notices_read"),
]
