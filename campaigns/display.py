"""What is particular to campaigns in how they read: the local date and
"HH:MM" an organiser types for a campaign's moments (an end at local midnight
is "24:00" of the day before, as the plan writes it) and the countdown.
Numbers, money and times are written by core/formatting.py."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaigns.models import Campaign, Status
from core.formatting import MIDNIGHT_END


def split_local(moment: datetime, tz: ZoneInfo, *, is_end: bool = False) -> tuple[date, str]:
    """A stored UTC moment as the (date, "HH:MM") an organiser types."""
    local = moment.astimezone(tz)
    if is_end and local.time() == time(0, 0):
        return (local - timedelta(days=1)).date(), MIDNIGHT_END
    return local.date(), f"{local:%H:%M}"


def join_local(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    """A local date and "HH:MM" (or "24:00", the next day's start) as an aware datetime."""
    if hhmm == MIDNIGHT_END:
        return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=tz)


@dataclass(frozen=True)
class Countdown:
    label: str  # "Starts in", "Ends in", "Finished"
    until: datetime | None  # None once finished
    text: str  # "3 days 04:12:09"
    short: str  # "3 days", or "04:12" on the last day


def countdown_text(seconds: int) -> str:
    seconds = max(seconds, 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    if days:
        return ngettext("%(days)d day", "%(days)d days", days) % {"days": days} + f" {clock}"
    return clock


def countdown(campaign: Campaign, now: datetime | None = None) -> Countdown:
    now = now or timezone.now()
    status = campaign.status_at(now)
    if status == Status.UPCOMING:
        until, label = campaign.starts_at, _("Starts in")
    elif status == Status.OPEN:
        until, label = campaign.ends_at, _("Ends in")
    else:
        return Countdown(label=str(_("Finished")), until=None, text="", short="")
    seconds = int((until - now).total_seconds())
    days = seconds // 86400
    short = (
        ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
        if days
        else countdown_text(seconds)[:5]
    )
    return Countdown(label=str(label), until=until, text=countdown_text(seconds), short=short)
