"""What the public campaign pages show: the cards of the list and the home page,
the campaign page's facts and its live part (figures against the targets, charts,
the top of each board and the visitor's rank), which refreshes itself, and the
donation box and sponsors beside them. The preview of the organiser screens shows
the same page."""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from campaigns.access import campaigns_for_staff
from campaigns.display import countdown
from campaigns.models import Campaign, Registration, RegistrationStatus
from campaigns.services import active_registration
from core.formatting import digits, km_value, local_datetime, vnd, window
from donations.sponsors import sponsors_context
from donations.views import box_context
from orgs.models import UnitKind
from standings import queries
from standings.models import Standing
from standings.views import campaign_days, team_names, unit_kinds_on_board, unit_names
from web import sharing


def _percent(value: int, target: int) -> int | None:
    return round(value * 100 / target) if target else None


def live_counts(campaign: Campaign) -> dict[str, Any]:
    """The figures at the top of the campaign page against the campaign's targets.
    Participants are active registrations; km, steps and đồng are what the
    standings credit. The km target is the distance that converts into the money
    target."""
    participants = campaign.registrations.filter(status=RegistrationStatus.ACTIVE).count()
    target = campaign.participant_target
    figures = queries.campaign_figures(campaign)
    raised = queries.money(campaign, figures.distance_m)
    km_target_m = (
        campaign.money_target * 1000 // campaign.vnd_per_km
        if campaign.money_target and campaign.vnd_per_km
        else 0
    )
    percent = _percent(participants, target)
    km_percent = _percent(figures.distance_m, km_target_m)
    money_percent = _percent(raised, campaign.money_target)
    return {
        "participants": participants,
        "participants_text": digits(participants),
        "teams": campaign.teams.count(),
        "target": target,
        "target_text": digits(target),
        "percent": None if percent is None else min(100, percent),
        "percent_text": percent,
        "walkers": figures.participants,
        "distance_m": figures.distance_m,
        "km_target_m": km_target_m,
        "km_percent": None if km_percent is None else min(100, km_percent),
        "km_percent_text": km_percent,
        "activities": figures.activities,
        "steps": figures.steps,
        "steps_estimated": figures.steps > 0
        and Standing.objects.filter(
            campaign=campaign, is_active=True, steps_estimated__gt=0
        ).exists(),
        "money": raised,
        "money_text": vnd(raised),
        "money_target_text": vnd(campaign.money_target),
        "money_percent": None if money_percent is None else min(100, money_percent),
        "money_percent_text": money_percent,
    }


def _day_labels(days: list[date]) -> list[str]:
    return [f"{day:%d/%m}" for day in days]


def _charts(campaign: Campaign) -> dict[str, Any]:
    """Km credited per campaign day and participants registered over time (each
    day in the campaign's zone, grouped by the database), gaps filled with zero."""
    first, last = campaign_days(campaign)
    charts: dict[str, Any] = {"km": None, "participants": None}
    per_day = {row["day"]: row["distance_m"] for row in queries.daily_series(campaign)}
    if campaign.starts_at <= timezone.now() or per_day:
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        charts["km"] = {
            "labels": _day_labels(days),
            "values": [km_value(per_day.get(day, 0)) for day in days],
        }
    registered = dict(
        campaign.registrations.filter(status=RegistrationStatus.ACTIVE)
        .annotate(day=TruncDate("registered_at", tzinfo=campaign.tz))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
        .values_list("day", "n")
    )
    if registered:
        start = min(registered)
        end = max(max(registered), last)
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        total, values = 0, []
        for day in days:
            total += registered.get(day, 0)
            values.append(total)
        charts["participants"] = {"labels": _day_labels(days), "values": values}
    return charts


TOP = 10


def _top_boards(campaign: Campaign) -> dict[str, Any]:
    """The first ten of each board: people, teams, and units of each kind."""
    people, _count = queries.board_page(campaign, 1, size=TOP)
    teams, _count = queries.team_board(campaign, 1, size=TOP)
    units = [
        (kind, label, unit_names(queries.unit_board(campaign, kind=kind, size=TOP)[0]))
        for kind, label in unit_kinds_on_board(campaign)
        if kind != UnitKind.NATIONAL
    ]
    return {"people": people, "teams": team_names(teams, campaign), "units": units}


def live_context(campaign: Campaign, registration: Registration | None) -> dict[str, Any]:
    """What the campaign page refreshes every `refresh_s` seconds: the figures,
    the charts, the top boards and the visitor's own rank."""
    return {
        "counts": live_counts(campaign),
        "charts": _charts(campaign),
        "top": _top_boards(campaign),
        "mine": queries.my_standing(campaign, registration) if registration else None,
        "refresh_s": getattr(settings, "KINDSTEPS_LIVE_REFRESH_SECONDS", 30),
    }


def card(campaign: Campaign) -> dict[str, Any]:
    """The facts a campaign card shows."""
    return {
        "campaign": campaign,
        "window": window(campaign.starts_at, campaign.ends_at, campaign.tz),
        "starts": local_datetime(campaign.starts_at, campaign.tz),
        "ends": local_datetime(campaign.ends_at, campaign.tz, is_end=True),
        "countdown": countdown(campaign),
    }


def my_share(campaign: Campaign, registration: Registration | None) -> dict[str, Any] | None:
    """The participant's "share my progress" card: its picture and public address and
    the share buttons, once they have credited km."""
    if registration is None:
        return None
    facts = sharing.progress_facts(campaign, registration)
    if facts is None:
        return None
    page = settings.SITE_URL + sharing.progress_path(registration)
    text = sharing.progress_meta(registration, facts)["title"]
    return {
        "facts": facts,
        "card_url": sharing.progress_path(registration) + "card.png",
        "links": sharing.share_links(page, text),
    }


def detail_context(campaign: Campaign, user, *, preview: bool = False) -> dict[str, Any]:
    tz = campaign.tz
    registration = None if preview else active_registration(campaign, user)
    return {
        "share": sharing.campaign_meta(campaign),
        "my_share": my_share(campaign, registration),
        **live_context(campaign, registration),
        "campaign": campaign,
        "status": campaign.status,
        "countdown": countdown(campaign),
        "window": window(campaign.starts_at, campaign.ends_at, tz),
        "registration_window": window(
            campaign.registration_opens_at, campaign.registration_closes_at, tz
        ),
        "categories": list(campaign.categories.all()),
        # The zone is only worth a mention when it is not the country's own.
        "zone_note": "" if campaign.time_zone == settings.TIME_ZONE else campaign.time_zone,
        "rate": vnd(campaign.vnd_per_km),
        "money_target": vnd(campaign.money_target) if campaign.money_target else "",
        "registration": registration,
        "preview": preview,
        "can_manage": not preview
        and campaigns_for_staff(user, admin=True).filter(pk=campaign.pk).exists(),
        "donate_box": box_context(campaign),
        **sponsors_context(campaign),
    }
