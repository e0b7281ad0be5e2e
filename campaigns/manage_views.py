"""Organiser screens: create and edit campaigns, targets for units, invite links
(the preview of the campaign page is in web/views.py, beside the page). Scoped to
the person's subtrees through campaigns.access: outside them a campaign is a 404;
staff without an admin role may look but not change."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from campaigns.access import campaigns_for_staff, get_campaign_for_admin
from campaigns.forms import CampaignForm, CategoryFormSet, RulesForm, TargetsForm
from campaigns.models import Campaign
from campaigns.organiser import effective_targets, save_campaign, save_targets, target_units
from campaigns.services import unit_invite_links
from core.formatting import local_datetime
from orgs.access import staff_roots, units_for_staff


def _require_staff(user) -> None:
    if not (user.is_superuser or user.unit_roles.exists()):
        raise PermissionDenied


@login_required
def manage_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request.user)
    campaigns = campaigns_for_staff(request.user).order_by("-starts_at")
    editable = set(campaigns_for_staff(request.user, admin=True).values_list("pk", flat=True))
    rows = [
        {
            "campaign": campaign,
            "starts": local_datetime(campaign.starts_at, campaign.tz),
            "ends": local_datetime(campaign.ends_at, campaign.tz, is_end=True),
            "can_edit": campaign.pk in editable,
        }
        for campaign in campaigns
    ]
    can_create = units_for_staff(request.user, admin=True).exists()
    return render(
        request, "campaigns/manage/campaign_list.html", {"rows": rows, "can_create": can_create}
    )


def _campaign_form(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    units = units_for_staff(request.user, admin=True)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = CampaignForm(data, files, instance=campaign, units=units)
    categories = CategoryFormSet(data, instance=campaign, prefix="categories")
    rules = RulesForm(data, rules=campaign.rules, prefix="rules")
    if data is not None and form.is_valid() and categories.is_valid() and rules.is_valid():
        created = campaign.pk is None
        campaign = save_campaign(form, categories, rules, actor=request.user)
        messages.success(
            request, _("Campaign created.") if created else _("Your changes are saved.")
        )
        return redirect("campaigns:manage_edit", campaign.slug)
    return render(
        request,
        "campaigns/manage/campaign_form.html",
        {"form": form, "categories": categories, "rules": rules, "campaign": campaign},
        status=400 if data is not None else 200,
    )


@login_required
def manage_create(request: HttpRequest) -> HttpResponse:
    roots = staff_roots(request.user, admin=True)
    if not roots:
        raise PermissionDenied
    return _campaign_form(request, Campaign(organiser_unit=roots[0]))


@login_required
def manage_edit(request: HttpRequest, slug: str) -> HttpResponse:
    return _campaign_form(request, get_campaign_for_admin(request.user, slug))


@login_required
def manage_targets(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_admin(request.user, slug)
    kinds, units = target_units(campaign)
    rows = effective_targets(campaign, units)
    initial = {f"kind_{rule.unit_kind}": rule.participants for rule in campaign.targets.all()}
    for row in rows:
        if row.own:
            initial[f"unit_{row.unit.pk}"] = row.participants
            initial[f"stretch_{row.unit.pk}"] = row.stretch
    data = request.POST if request.method == "POST" else None
    form = TargetsForm(data, initial=initial, kinds=kinds, units=units)
    if data is not None and form.is_valid():
        save_targets(
            campaign, kinds=form.kind_targets(), units=form.unit_targets(), actor=request.user
        )
        messages.success(request, _("Targets saved."))
        return redirect("campaigns:manage_targets", campaign.slug)
    unit_rows = [
        {"row": row, "own": form[f"unit_{row.unit.pk}"], "stretch": form[f"stretch_{row.unit.pk}"]}
        for row in rows
    ]
    return render(
        request,
        "campaigns/manage/targets.html",
        {
            "campaign": campaign,
            "form": form,
            "kind_fields": [form[f"kind_{kind}"] for kind in kinds],
            "unit_rows": unit_rows,
        },
        status=400 if data is not None else 200,
    )


@login_required
def manage_invites(request: HttpRequest, slug: str) -> HttpResponse:
    """Every unit's invite link and posters, for the organisers and for each
    unit's own staff (who see the units of their subtree only)."""
    campaign = get_object_or_404(Campaign, slug=slug)
    units = units_for_staff(request.user).filter(campaign.organiser_unit.subtree_q())
    if not units.exists():
        raise Http404
    query = request.GET.get("q", "").strip()
    if query:
        units = units.filter(Q(name__icontains=query) | Q(code__istartswith=query))
    page = Paginator(units.order_by("path"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/manage/invites.html",
        {
            "campaign": campaign,
            "tab": "invites",
            "page": page,
            "query": query,
            "links": unit_invite_links(campaign, page.object_list),
            "is_admin": is_organiser_admin(request.user, campaign),
        },
    )


def is_organiser_admin(user, campaign: Campaign) -> bool:
    return campaigns_for_staff(user, admin=True).filter(pk=campaign.pk).exists()


urlpatterns = [
    path("manage/campaigns/", manage_list, name="manage_list"),
    path("manage/campaigns/new/", manage_create, name="manage_create"),
    path("manage/campaigns/<slug:slug>/", manage_edit, name="manage_edit"),
    path("manage/campaigns/<slug:slug>/targets/", manage_targets, name="manage_targets"),
    path("manage/campaigns/<slug:slug>/invites/", manage_invites, name="manage_invites"),
]
