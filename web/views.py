"""The pages that gather several domains: the home page, the public campaign
pages (the list by status and the campaign page), the organisers' preview of the
campaign page and what a finished recording earned."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from activities.models import Activity, Verdict
from campaigns.access import get_campaign_for_request, get_campaign_for_staff
from campaigns.listing import home_campaigns, listed_campaigns
from campaigns.models import Campaign
from campaigns.services import active_registration
from standings.models import Standing
from web.pages import card, detail_context, live_context


def home(request: HttpRequest) -> HttpResponse:
    """The open and upcoming public campaigns, as cards."""
    cards = [card(campaign) for campaign in home_campaigns()]
    return render(
        request,
        "web/home.html",
        {"cards": cards, "finished_only": not cards and Campaign.objects.public().exists()},
    )


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
