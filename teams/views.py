"""Team pages of a campaign: browse and search, create, join by code or link,
the team page with its captain's and organisers' tools. The rules are in
teams.services; these views turn its errors into messages on the page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.access import get_campaign_for_request
from campaigns.models import Campaign, RegistrationStatus
from core.public_pages import public_page
from teams import services
from teams.forms import JoinByCodeForm, MoveForm, RenameForm, TeamForm
from teams.models import Team
from teams.services import TeamError


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    return get_campaign_for_request(request, slug)


def _team(campaign: Campaign, team_id: int) -> Team:
    return get_object_or_404(
        Team.objects.select_related("unit", "captain", "campaign"), campaign=campaign, pk=team_id
    )


def _page(request: HttpRequest, campaign: Campaign, query: str) -> Page:
    paginator = Paginator(services.search_teams(campaign, query), services.TEAMS_PER_PAGE)
    return paginator.get_page(request.GET.get("page"))


@public_page
def team_list(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    query = request.GET.get("q", "").strip()
    context = {
        "campaign": campaign,
        "query": query,
        "page": _page(request, campaign, query),
        "state": services.team_state(campaign, request.user),
    }
    template = "teams/_team_results.html" if request.htmx else "teams/team_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # one URL, two bodies: keep caches apart
    return response


@login_required
def team_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    form = TeamForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(
                campaign, request.user, name=form.cleaned_data["name"], unit=form.chosen_unit()
            )
        except TeamError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Your team “%(team)s” is ready. Invite others with its code.")
                % {"team": team.name},
            )
            return redirect("teams:detail", slug=campaign.slug, team_id=team.pk)
    return render(
        request,
        "teams/team_form.html",
        {"campaign": campaign, "form": form, "state": services.team_state(campaign, request.user)},
        status=400 if form.errors else 200,
    )


@login_required
def join_by_code(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    form = JoinByCodeForm(request.POST or None, initial={"code": request.GET.get("team", "")})
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.join_by_code(campaign, request.user, form.cleaned_data["code"])
        except TeamError as exc:
            form.add_error("code" if exc.code == "bad_code" else None, exc.message)
        else:
            return _joined(request, campaign, registration.team)
    return render(
        request,
        "teams/join_code.html",
        {"campaign": campaign, "form": form, "state": services.team_state(campaign, request.user)},
        status=400 if form.errors else 200,
    )


def team_invite(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """The shareable link: the team, and a Join button for whoever may join."""
    campaign = _campaign(request, slug)
    team = get_object_or_404(services.search_teams(campaign), invite_code=code.strip().upper())
    return render(
        request,
        "teams/invite.html",
        {"campaign": campaign, "team": team, "state": services.team_state(campaign, request.user)},
    )


@require_POST
@login_required
def team_join(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    campaign = _campaign(request, slug)
    team = _team(campaign, team_id)
    try:
        services.join_team(team, request.user)
    except TeamError as exc:
        messages.error(request, exc.message)
        return redirect("teams:detail", slug=campaign.slug, team_id=team.pk)
    return _joined(request, campaign, team)


def _joined(request: HttpRequest, campaign: Campaign, team: Team) -> HttpResponse:
    messages.success(request, _("Welcome to the team “%(team)s”!") % {"team": team.name})
    return redirect("teams:detail", slug=campaign.slug, team_id=team.pk)


def detail_context(request: HttpRequest, slug: str, team_id: int) -> dict:
    """What the team page shows of the team itself; web adds the team's figures
    (web.views.team_detail), which live in the standings above this app."""
    campaign = _campaign(request, slug)
    team = _team(campaign, team_id)
    members = services.team_members(team)
    state = services.team_state(campaign, request.user)
    is_member = state["team"] is not None and state["team"].pk == team.pk
    can_move = services.may_move_members(campaign, request.user)
    return {
        "campaign": campaign,
        "team": team,
        "members": members,
        "lines": services.member_lines(team, members, request.user),
        "state": state,
        "is_member": is_member,
        "is_captain": is_member and team.captain_id == request.user.pk,
        "can_move": can_move,
        "rename_form": RenameForm(initial={"name": team.name}),
        "move_form": MoveForm(team=team, members=members) if can_move and members else None,
        "invite_url": settings.SITE_URL
        + reverse("teams:invite", args=[campaign.slug, team.invite_code]),
    }


def team_detail(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    return render(request, "teams/team_detail.html", detail_context(request, slug, team_id))


@require_POST
@login_required
def team_leave(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    campaign = _campaign(request, slug)
    team = _team(campaign, team_id)
    try:
        services.leave_team(campaign, request.user)
    except TeamError as exc:
        messages.error(request, exc.message)
        return redirect("teams:detail", slug=campaign.slug, team_id=team.pk)
    messages.success(request, _("You have left the team “%(team)s”.") % {"team": team.name})
    return redirect("teams:campaign_teams", slug=campaign.slug)


@require_POST
@login_required
def team_rename(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    campaign = _campaign(request, slug)
    team = _team(campaign, team_id)
    try:
        services.rename_team(team, actor=request.user, name=request.POST.get("name", ""))
    except TeamError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The team is now called “%(team)s”.") % {"team": team.name})
    return redirect("teams:detail", slug=campaign.slug, team_id=team.pk)


@require_POST
@login_required
def team_remove(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    campaign = _campaign(request, slug)
    team = _team(campaign, team_id)
    registration = get_object_or_404(
        campaign.registrations.select_related("user"),
        pk=request.POST.get("registration") or 0,
        status=RegistrationStatus.ACTIVE,
    )
    try:
        services.remove_member(team, actor=request.user, registration=registration)
    except TeamError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Bib %(bib)s is no longer in the team.") % {"bib": registration.bib}
        )
    return redirect("teams:detail", slug=campaign.slug, team_id=team.pk)


@require_POST
@login_required
def team_move(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    campaign = _campaign(request, slug)
    team = _team(campaign, team_id)
    if not services.may_move_members(campaign, request.user):
        raise PermissionDenied
    form = MoveForm(request.POST, team=team, members=services.team_members(team))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("teams:detail", slug=campaign.slug, team_id=team.pk)
    registration = form.cleaned_data["member"]
    target = form.cleaned_data["to"]
    try:
        services.organiser_move(
            campaign,
            actor=request.user,
            registration=registration,
            to=target,
            reason=form.cleaned_data["reason"],
        )
    except TeamError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Bib %(bib)s moved to “%(team)s”.") % {"bib": registration.bib, "team": target.name}
            if target
            else _("Bib %(bib)s is now in no team.") % {"bib": registration.bib},
        )
    return redirect("teams:detail", slug=campaign.slug, team_id=team.pk)
