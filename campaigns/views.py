"""Public campaign pages: the list by status and the campaign page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from campaigns.access import get_campaign_for_request
from campaigns.pages import card, detail_context, listed_campaigns, live_context
from campaigns.services import active_registration


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


def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_request(request, slug)
    if request.GET.get("part") == "counts":
        # The figures, and the standings section swapped out of band.
        registration = active_registration(campaign, request.user)
        return render(
            request,
            "campaigns/_live_counts.html",
            {
                "campaign": campaign,
                "registration": registration,
                "oob": True,
                **live_context(campaign, registration),
            },
        )
    return render(request, "campaigns/campaign_detail.html", detail_context(campaign, request.user))
