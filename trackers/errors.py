"""Why a tracker call or an activity failed: stable codes, and their words for the
participant (shown on the connections page)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

MESSAGES = {
    "token_revoked": _(
        "Strava no longer accepts our access to your account. Connect again to keep "
        "your activities arriving."
    ),
    "rate_limited": _(
        "Strava asked us to slow down. Your activities are queued and will arrive within the hour."
    ),
    "private": _(
        "The activity is private on Strava and you chose not to count private activities."
    ),
    "not_found": _("The activity is no longer on Strava."),
    "not_walk_or_run": _("Only walks and runs count; this activity is another sport."),
    "no_data": _("Strava has no time or distance recorded for this activity."),
    "unreadable": _("The activity could not be read."),
    "provider_error": _("Strava did not answer. We will try again."),
    "denied": _("You did not allow KindSteps to read your activities."),
    "bad_state": _("The connection request expired. Please start again."),
    "deauthorized": _("You removed KindSteps from your Strava account."),
    "disconnected": _("You disconnected Strava."),
    "manual_entry": _(
        "Activities typed in by hand on Strava do not count; record or upload the walk instead."
    ),
    "duplicate": _("This activity was already brought in by another participant."),
    "taken": _("This Strava account is already connected to another KindSteps account."),
}


# Garmin's words where Strava's would be wrong (the codes are the same).
GARMIN_MESSAGES = {
    "token_revoked": _(
        "Garmin Connect no longer accepts our access to your account. Connect again to keep "
        "your activities arriving."
    ),
    "rate_limited": _(
        "Garmin asked us to slow down. Your activities are queued and will arrive within the hour."
    ),
    "not_found": _("The activity is no longer on Garmin Connect."),
    "no_data": _("Garmin has no time or distance recorded for this activity."),
    "provider_error": _("Garmin Connect did not answer. We will try again."),
    "deauthorized": _("You removed KindSteps from your Garmin Connect account."),
    "disconnected": _("You disconnected Garmin Connect."),
    "manual_entry": _(
        "Activities typed in by hand on Garmin Connect do not count; record or upload the "
        "walk instead."
    ),
    "taken": _("This Garmin account is already connected to another KindSteps account."),
    "permission_removed": _(
        "You stopped sharing your activities with KindSteps in Garmin Connect. Connect again "
        "and keep “Activities” ticked to count them."
    ),
    "file_gone": _(
        "Garmin no longer offers this activity's file. Press “Sync now” to ask for it again."
    ),
}
PROVIDER_MESSAGES = {"garmin": GARMIN_MESSAGES}


def message(code: str, provider: str = "strava") -> str:
    if not code:
        return ""
    own = PROVIDER_MESSAGES.get(provider, {})
    if code in own:
        return str(own[code])
    fallback = own.get("provider_error", MESSAGES["provider_error"])
    return str(MESSAGES.get(code, fallback))


def known(code: str) -> bool:
    return code in MESSAGES or any(code in own for own in PROVIDER_MESSAGES.values())


class TrackerError(DomainError):
    """A failed call to a tracker, with the code the participant is shown."""

    code = "provider_error"


class RateLimited(TrackerError):
    code = "rate_limited"

    def __init__(self, retry_after: float):
        super().__init__(MESSAGES["rate_limited"], code="rate_limited", status=429)
        self.retry_after = retry_after
