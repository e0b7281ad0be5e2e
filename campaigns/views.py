"""Public campaign pages: the list by status and the campaign page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from campaigns.access import get_campaign_for_visitor
from campaigns.pages import card, detail_context, listed_campaigns, live_counts

SESSION_CODES = "campaign_codes"


def campaign_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    groups = [
        (code, label, [card(campaign) for campaign in campaigns])
        for code, label, campaigns in listed_campaigns(status)
    ]
    return render(
        request,
        "campaigns/campaign_list.html",
        {"groups": groups, "current_status": status if len(groups) == 1 else ""},
    )


def _invite_codes(request: HttpRequest) -> set[str]:
    """Invite codes this browser has shown: a private campaign's page stays
    open after its link was followed once (and after registering through it)."""
    codes = set(request.session.get(SESSION_CODES, []))
    code = request.GET.get("code", "").strip()
    return codes | {code} if code else codes


def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    codes = _invite_codes(request)
    campaign = get_campaign_for_visitor(request.user, slug, codes)
    if campaign.invite_code in codes:
        remembered = request.session.get(SESSION_CODES, [])
        if campaign.invite_code not in remembered:
            request.session[SESSION_CODES] = [*remembered, campaign.invite_code][-20:]
    if request.GET.get("part") == "counts":
        return render(
            request,
            "campaigns/_live_counts.html",
            {"campaign": campaign, "counts": live_counts(campaign)},
        )
    return render(request, "campaigns/campaign_detail.html", detail_context(campaign, request.user))
