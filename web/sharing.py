"""Sharing the pages web composes: the facts put on the share cards of a campaign,
a team and a participant's progress (core/cards.py draws them and keeps each
drawing), the Open Graph tags of those pages, and the public address of a
participant's progress card.

Only what public pages show goes on a card: names as the person chose them
(accounts/names.py), the figures the boards show, no unit, team, bib, route or
contact of a person. A card belongs to a campaign and is seen by whoever may see
the campaign (campaigns/access.py): a private campaign's cards stay private."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from accounts import names
from campaigns.models import Campaign, Registration, RegistrationStatus, Visibility
from core import cards
from core.formatting import date_window, digits, km, vnd
from standings import queries
from standings.models import Standing
from teams.models import Team


def steps_label(estimated: bool) -> str:
    """The label of a step count: says so when part of it is estimated from the distance."""
    return _("steps (partly estimated)") if estimated else _("steps")


def is_public(campaign: Campaign) -> bool:
    return campaign.visibility == Visibility.PUBLIC and campaign.is_published


def _dates(campaign: Campaign) -> str:
    return date_window(campaign.starts_at, campaign.ends_at, campaign.tz)


def _estimated(campaign: Campaign, **where) -> bool:
    return Standing.objects.filter(
        campaign=campaign, is_active=True, steps_estimated__gt=0, **where
    ).exists()


# --- the facts on each card ---------------------------------------------------------


def campaign_facts(campaign: Campaign) -> dict[str, Any]:
    figures = queries.campaign_figures(campaign)
    return {
        "title": campaign.title,
        "organiser": campaign.organiser_unit.name,
        "dates": _dates(campaign),
        "distance_m": figures.distance_m,
        "steps": figures.steps,
        "estimated": figures.steps > 0 and _estimated(campaign),
        "participants": campaign.registrations.filter(status=RegistrationStatus.ACTIVE).count(),
        "converted": queries.money(campaign, figures.distance_m),
    }


def campaign_card(facts: dict) -> cards.Card:
    return cards.Card(
        heading=facts["organiser"],
        subtitle=facts["dates"],
        name=facts["title"],
        detail=_("A charity walk and run: every valid km becomes money for the Red Cross."),
        figures=[
            ("km", km(facts["distance_m"])),
            (_("participants"), digits(facts["participants"])),
            (steps_label(facts["estimated"]), digits(facts["steps"])),
            (_("đồng converted"), vnd(facts["converted"])),
        ],
        footer=_site(),
    )


def team_facts(campaign: Campaign, team: Team) -> dict[str, Any]:
    figures = queries.team_figures(campaign, team.pk)
    return {
        "campaign": campaign.title,
        "name": team.name,
        "unit": team.unit.name if team.unit_id else "",
        "distance_m": figures.distance_m,
        "steps": figures.steps,
        "estimated": figures.steps > 0 and _estimated(campaign, team_id=team.pk),
        "members": team.registrations.filter(status=RegistrationStatus.ACTIVE).count(),
        "converted": queries.money(campaign, figures.distance_m),
    }


def team_card(facts: dict) -> cards.Card:
    return cards.Card(
        heading=_("Team"),
        subtitle=facts["campaign"],
        name=facts["name"],
        detail=facts["unit"],
        figures=[
            ("km", km(facts["distance_m"])),
            (_("members"), digits(facts["members"])),
            (steps_label(facts["estimated"]), digits(facts["steps"])),
            (_("đồng converted"), vnd(facts["converted"])),
        ],
        footer=_site(),
    )


def progress_facts(campaign: Campaign, registration: Registration) -> dict[str, Any] | None:
    """A participant's figures as anyone may see them, or None when they have no
    credited km (nothing to share, and not on the boards)."""
    standing = (
        Standing.objects.filter(registration=registration, is_active=True, distance_m__gt=0)
        .select_related("user")
        .first()
    )
    if standing is None:
        return None
    return {
        "campaign": campaign.title,
        "dates": _dates(campaign),
        "name": names.public_name(standing.user, campaign),
        "distance_m": standing.distance_m,
        "steps": standing.steps,
        "estimated": standing.steps_estimated > 0,
        "rank": queries.rank_of_distance(campaign, standing.distance_m),
        "of": queries.campaign_figures(campaign).participants,
        "converted": queries.money(campaign, standing.distance_m),
    }


def progress_card(facts: dict) -> cards.Card:
    return cards.Card(
        heading=_("My progress"),
        subtitle=facts["campaign"],
        name=facts["name"],
        detail=_("No. %(rank)s of %(of)s")
        % {"rank": digits(facts["rank"]), "of": digits(facts["of"])},
        figures=[
            ("km", km(facts["distance_m"])),
            (steps_label(facts["estimated"]), digits(facts["steps"])),
            (_("rank"), f"{digits(facts['rank'])} / {digits(facts['of'])}"),
            (_("đồng converted"), vnd(facts["converted"])),
        ],
        footer=_site(),
    )


def _site() -> str:
    return settings.SITE_URL.split("://", 1)[-1]


# --- the progress card's public address ---------------------------------------------


def progress_key(registration: Registration) -> str:
    """Part of the progress card's address: nobody finds another person's card by
    counting registrations."""
    return salted_hmac("web.sharing.progress", str(registration.pk)).hexdigest()[:16]


def progress_path(registration: Registration) -> str:
    return reverse(
        "campaigns:progress",
        args=[registration.campaign.slug, registration.pk, progress_key(registration)],
    )


def registration_for_key(campaign: Campaign, registration_id: int, key: str) -> Registration:
    """The active registration the address names, else 404."""
    from django.http import Http404

    registration = (
        Registration.objects.filter(
            pk=registration_id, campaign=campaign, status=RegistrationStatus.ACTIVE
        )
        .select_related("campaign")
        .first()
    )
    if registration is None or not constant_time_compare(progress_key(registration), key):
        raise Http404
    return registration


# --- the pages' tags ------------------------------------------------------------------


def _versioned(path: str, kind: str, facts: dict) -> str:
    """The card's address with its content version: a changed figure is a new
    address, so Facebook's and Zalo's caches fetch the new picture."""
    return f"{path}?v={cards.content_key(kind, facts)[:12]}"


def campaign_meta(campaign: Campaign) -> dict:
    facts = campaign_facts(campaign)
    return cards.meta(
        title=campaign.title,
        description=_("%(dates)s · %(km)s km · %(people)s participants · %(organiser)s")
        % {
            "dates": facts["dates"],
            "km": km(facts["distance_m"]),
            "people": digits(facts["participants"]),
            "organiser": facts["organiser"],
        },
        image_path=_versioned(reverse("campaigns:card", args=[campaign.slug]), "campaign", facts),
        page_path=reverse("campaigns:detail", args=[campaign.slug]),
    )


def team_meta(campaign: Campaign, team: Team, facts: dict) -> dict:
    return cards.meta(
        title=f"{team.name} · {campaign.title}",
        description=_("%(km)s km · %(steps)s steps · %(members)s members")
        % {
            "km": km(facts["distance_m"]),
            "steps": digits(facts["steps"]),
            "members": digits(facts["members"]),
        },
        image_path=_versioned(
            reverse("campaigns:team_card", args=[campaign.slug, team.pk]), "team", facts
        ),
        page_path=reverse("teams:detail", args=[campaign.slug, team.pk]),
    )


def progress_meta(registration: Registration, facts: dict) -> dict:
    campaign = registration.campaign
    page = progress_path(registration)
    return cards.meta(
        title=_("%(name)s in %(campaign)s") % {"name": facts["name"], "campaign": campaign.title},
        description=_("%(km)s km · %(steps)s steps · no. %(rank)s of %(of)s")
        % {
            "km": km(facts["distance_m"]),
            "steps": digits(facts["steps"]),
            "rank": digits(facts["rank"]),
            "of": digits(facts["of"]),
        },
        image_path=_versioned(page + "card.png", "progress", facts),
        page_path=page,
        kind="profile",
    )


def share_links(url: str, text: str) -> dict:
    """Where the share buttons go when the browser has no share sheet of its own."""
    from urllib.parse import quote

    return {
        "url": url,
        "text": text,
        "facebook": f"https://www.facebook.com/sharer/sharer.php?u={quote(url, safe='')}",
        "zalo": f"https://sp.zalo.me/share?url={quote(url, safe='')}",
    }
