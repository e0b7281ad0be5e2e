from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from campaigns.models import Campaign
from campaigns.pages import card, home_campaigns


def home(request: HttpRequest) -> HttpResponse:
    """The open and upcoming public campaigns, as cards."""
    cards = [card(campaign) for campaign in home_campaigns()]
    return render(
        request,
        "core/home.html",
        {"cards": cards, "finished_only": not cards and Campaign.objects.public().exists()},
    )
