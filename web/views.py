"""The pages that gather several domains: the home page, the public campaign
pages (the list by status and the campaign page), the organisers' preview of the
campaign page, what a finished recording earned, the privacy page and a person's
data page (the default for their maps, the export and the deletion)."""

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.consent import CONSENT_VERSION, PURPOSE, RIGHTS
from accounts.deletion import delete_account
from accounts.services import current_consent
from activities import visibility
from activities.models import Activity, RoutePreference, Verdict, default_route_visibility
from campaigns.access import get_campaign_for_request, get_campaign_for_staff
from campaigns.listing import home_campaigns, listed_campaigns
from campaigns.models import Campaign
from campaigns.services import active_registration
from core import cards
from core.public_pages import public_page
from standings.models import Standing
from teams import views as team_views
from teams.models import Team
from web import personal_data, sharing
from web.forms import DeleteAccountForm, RouteDefaultForm
from web.pages import card, detail_context, live_context


@public_page
def home(request: HttpRequest) -> HttpResponse:
    """The open and upcoming public campaigns, as cards."""
    cards = [card(campaign) for campaign in home_campaigns()]
    return render(
        request,
        "web/home.html",
        {"cards": cards, "finished_only": not cards and Campaign.objects.public().exists()},
    )


@public_page
def campaign_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    groups = [
        (code, label, [card(campaign) for campaign in campaigns])
        for code, label, campaigns in listed_campaigns(status)
    ]
    return render(
        request,
        "web/campaign_list.html",
        {"groups": groups, "current_status": status if len(groups) == 1 else ""},
    )


@public_page
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_request(request, slug)
    if request.GET.get("part") == "counts":
        # The figures, and the standings section swapped out of band.
        registration = active_registration(campaign, request.user)
        return render(
            request,
            "web/_live_counts.html",
            {
                "campaign": campaign,
                "registration": registration,
                "oob": True,
                **live_context(campaign, registration),
            },
        )
    return render(request, "web/campaign_detail.html", detail_context(campaign, request.user))


def campaign_card(request: HttpRequest, slug: str) -> HttpResponse:
    """The campaign's share card (PNG, 1200 × 630), for link previews."""
    campaign = get_campaign_for_request(request, slug)
    facts = sharing.campaign_facts(campaign)
    key, png = cards.stored_png("campaign", facts, lambda: cards.draw(sharing.campaign_card(facts)))
    return cards.png_response(request, key, png, public=sharing.is_public(campaign))


@public_page
def team_detail(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    """The team page (teams.views) with the team's figures and its members' km and
    steps from the standings, and its share tags."""
    context = team_views.detail_context(request, slug, team_id)
    campaign, team = context["campaign"], context["team"]
    facts = sharing.team_facts(campaign, team)
    figures = {
        standing.registration_id: standing
        for standing in Standing.objects.filter(
            campaign=campaign, registration__in=[member.pk for member in context["members"]]
        ).only("registration_id", "distance_m", "steps", "steps_estimated")
    }
    context.update(
        figures=facts,
        lines=[
            replace(line, standing=figures.get(line.registration.pk)) for line in context["lines"]
        ],
        share=sharing.team_meta(campaign, team, facts),
    )
    return render(request, "teams/team_detail.html", context)


def team_card(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    campaign = get_campaign_for_request(request, slug)
    team = get_object_or_404(Team.objects.select_related("unit"), pk=team_id, campaign=campaign)
    facts = sharing.team_facts(campaign, team)
    key, png = cards.stored_png("team", facts, lambda: cards.draw(sharing.team_card(facts)))
    return cards.png_response(request, key, png, public=sharing.is_public(campaign))


def progress(request: HttpRequest, slug: str, registration_id: int, key: str) -> HttpResponse:
    """A participant's progress card as they share it: only what public pages show
    of them (their public name, km, steps, rank, đồng converted)."""
    campaign = get_campaign_for_request(request, slug)
    registration = sharing.registration_for_key(campaign, registration_id, key)
    facts = sharing.progress_facts(campaign, registration)
    if facts is None:
        raise Http404
    return render(
        request,
        "web/progress.html",
        {
            "campaign": campaign,
            "facts": facts,
            "card_url": sharing.progress_path(registration) + "card.png",
            "steps_label": sharing.steps_label(facts["estimated"]),
            "is_mine": request.user.is_authenticated and registration.user_id == request.user.pk,
            "share": sharing.progress_meta(registration, facts),
        },
    )


def progress_card(request: HttpRequest, slug: str, registration_id: int, key: str) -> HttpResponse:
    campaign = get_campaign_for_request(request, slug)
    registration = sharing.registration_for_key(campaign, registration_id, key)
    facts = sharing.progress_facts(campaign, registration)
    if facts is None:
        raise Http404
    key, png = cards.stored_png("progress", facts, lambda: cards.draw(sharing.progress_card(facts)))
    return cards.png_response(request, key, png, public=sharing.is_public(campaign))


@login_required
def campaign_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The campaign page as participants will see it, for its staff."""
    campaign = get_campaign_for_staff(request.user, slug)
    return render(
        request,
        "web/campaign_detail.html",
        detail_context(campaign, request.user, preview=True),
    )


@login_required
def record_result(request: HttpRequest, pk: int) -> HttpResponse:
    """What a finished recording earned: its figures, each campaign's verdict in words and
    the person's total in those campaigns."""
    activity = get_object_or_404(Activity, pk=pk, user=request.user)
    verdicts = list(
        Verdict.objects.filter(activity=activity)
        .select_related("campaign", "registration")
        .order_by("campaign_id")
    )
    standings = {
        standing.registration_id: standing
        for standing in Standing.objects.filter(
            registration__in=[verdict.registration_id for verdict in verdicts]
        )
    }
    rows = [
        {"verdict": verdict, "standing": standings.get(verdict.registration_id)}
        for verdict in verdicts
    ]
    return render(request, "web/record_result.html", {"activity": activity, "rows": rows})


def privacy(request: HttpRequest) -> HttpResponse:
    """What KindSteps keeps, why, who sees what, and the person's rights: public."""
    return render(
        request,
        "web/privacy.html",
        {"purpose": PURPOSE, "rights": RIGHTS, "consent_version": CONSENT_VERSION},
    )


def _data_page(request: HttpRequest, *, delete_form=None, route_form=None, status=200):
    user = request.user
    preference = RoutePreference.objects.filter(user=user).first()
    return render(
        request,
        "web/my_data.html",
        {
            "consent": current_consent(user),
            "consent_version": CONSENT_VERSION,
            "route_form": route_form
            or RouteDefaultForm(
                initial={"route_visibility": default_route_visibility(user)},
            ),
            "has_default": preference is not None,
            "delete_form": delete_form or DeleteAccountForm(user),
        },
        status=status,
    )


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """The person's data: the default for their maps, the export and the deletion."""
    return _data_page(request)


@login_required
@require_POST
def my_data_routes(request: HttpRequest) -> HttpResponse:
    form = RouteDefaultForm(request.POST)
    if not form.is_valid():
        return _data_page(request, route_form=form, status=400)
    changed = visibility.set_default(
        request.user,
        form.cleaned_data["route_visibility"],
        apply_to_existing=form.cleaned_data["apply_to_existing"],
    )
    text = _("Your choice is saved.")
    if changed:
        text += " " + ngettext("%(n)s activity changed.", "%(n)s activities changed.", changed) % {
            "n": changed
        }
    messages.success(request, text)
    return redirect("my_data")


@login_required
@require_POST
def my_data_export(request: HttpRequest) -> StreamingHttpResponse:
    """Everything about the person as one ZIP, streamed as it is written."""
    personal_data.log_export(request.user)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = StreamingHttpResponse(
        personal_data.archive(request.user), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="kindsteps-{stamp}.zip"'
    return response


@login_required
@require_POST
def my_data_delete(request: HttpRequest) -> HttpResponse:
    """The person deletes their account after typing their address to confirm."""
    form = DeleteAccountForm(request.user, request.POST)
    if not form.is_valid():
        return _data_page(request, delete_form=form, status=400)
    delete_account(request.user)
    logout(request)
    messages.success(
        request,
        _(
            "Your account is deleted. What you walked and gave still counts in the "
            "campaigns, without your name."
        ),
    )
    return redirect("home")
