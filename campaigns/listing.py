"""Which published public campaigns the list page, the home page and the API show,
and in what order."""

from django.db.models import QuerySet
from django.utils import timezone

from campaigns.models import Campaign, Status

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
