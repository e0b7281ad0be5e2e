"""What the public campaign pages show: the list by status, the campaign
page's facts and its live counts. The preview of the organiser screens shows
the same page."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from campaigns.access import campaigns_for_staff
from campaigns.display import countdown, format_local, format_vnd, format_window, group_digits
from campaigns.models import Campaign, RegistrationStatus, Status
from campaigns.services import active_registration

LIST_ORDER = [Status.OPEN, Status.UPCOMING, Status.FINISHED]


def listed_campaigns(status: str | None = None) -> list[tuple[str, str, QuerySet[Campaign]]]:
    """(status, label, campaigns) groups of published public campaigns:
    open first, then upcoming (soonest first), then finished (latest first)."""
    now = timezone.now()
    statuses = [status] if status in Status.values else LIST_ORDER
    order = {
        Status.OPEN: "ends_at",
        Status.UPCOMING: "starts_at",
        Status.FINISHED: "-ends_at",
    }
    return [
        (
            code,
            Status(code).label,
            Campaign.objects.public().with_status(code, now).order_by(order[code]),
        )
        for code in statuses
    ]


def home_campaigns(limit: int = 6) -> list[Campaign]:
    now = timezone.now()
    public = Campaign.objects.public()
    open_now = list(public.with_status(Status.OPEN, now).order_by("ends_at")[:limit])
    upcoming = public.with_status(Status.UPCOMING, now).order_by("starts_at")
    return open_now + list(upcoming[: max(limit - len(open_now), 0)])


def live_counts(campaign: Campaign) -> dict[str, Any]:
    participants = campaign.registrations.filter(status=RegistrationStatus.ACTIVE).count()
    target = campaign.participant_target
    return {
        "participants": participants,
        "participants_text": group_digits(participants),
        "teams": campaign.teams.count(),
        "target": target,
        "target_text": group_digits(target),
        "percent": min(100, round(participants * 100 / target)) if target else None,
    }


def card(campaign: Campaign) -> dict[str, Any]:
    """The facts a campaign card shows."""
    return {
        "campaign": campaign,
        "window": format_window(campaign.starts_at, campaign.ends_at, campaign.tz),
        "starts": format_local(campaign.starts_at, campaign.tz),
        "ends": format_local(campaign.ends_at, campaign.tz, is_end=True),
        "countdown": countdown(campaign),
    }


def detail_context(campaign: Campaign, user, *, preview: bool = False) -> dict[str, Any]:
    tz = campaign.tz
    return {
        "campaign": campaign,
        "status": campaign.status,
        "countdown": countdown(campaign),
        "window": format_window(campaign.starts_at, campaign.ends_at, tz),
        "registration_window": format_window(
            campaign.registration_opens_at, campaign.registration_closes_at, tz
        ),
        "categories": list(campaign.categories.all()),
        # The zone is only worth a mention when it is not the country's own.
        "zone_note": "" if campaign.time_zone == settings.TIME_ZONE else campaign.time_zone,
        "rate": format_vnd(campaign.vnd_per_km),
        "money_target": format_vnd(campaign.money_target) if campaign.money_target else "",
        "counts": live_counts(campaign),
        "registration": None if preview else active_registration(campaign, user),
        "preview": preview,
        "can_manage": not preview
        and campaigns_for_staff(user, admin=True).filter(pk=campaign.pk).exists(),
    }
