"""The kinds of notification, keyed by stable codes that never change once shipped,
and how each is written: ``render`` turns a notification's stored facts into the
words the reader reads, in the active language (the caller sets the reader's).

The same ``Message`` fills the in-app list and both parts of the e-mail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from activities.reason_text import shown
from core.formatting import km_text, local_date, local_datetime, number

VERDICT = "verdict"
DIGEST = "digest"
CAMPAIGN_START = "campaign_start"
LAST_DAYS = "last_days"
SYNC_REMINDER = "sync_reminder"
RESULTS_READY = "results_ready"
CERTIFICATE_READY = "certificate_ready"


@dataclass
class Message:
    title: str
    lines: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    action_label: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, path)

    @property
    def summary(self) -> str:
        """The first line, and the one it introduces when it ends with a colon (a
        verdict's "for this reason:" and the reason)."""
        if not self.lines:
            return ""
        first = self.lines[0]
        if first.rstrip().endswith(":") and len(self.lines) > 1:
            return f"{first} {self.lines[1]}"
        return first


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any
    help: Any
    email: bool  # the default for each channel, until the person chooses
    in_app: bool
    render: Callable[[dict, Any], Message]


def _campaign_title(campaign) -> str:
    return campaign.title if campaign is not None else ""


def _rules_link(campaign) -> list[tuple[str, str]]:
    if campaign is None:
        return []
    return [(gettext("The campaign's rules"), reverse("campaigns:rules", args=[campaign.slug]))]


def _day(value: str) -> str:
    return local_date(date.fromisoformat(value))


def _moment(value: str, campaign, *, is_end: bool = False) -> str:
    return local_datetime(datetime.fromisoformat(value), campaign.tz, is_end=is_end, prose=True)


# ------------------------------------------------------------------ the kinds


def render_verdict(params: dict, campaign) -> Message:
    values = {"date": _day(params["day"]), "campaign": _campaign_title(campaign)}
    if params["status"] == "rejected":
        title = gettext("Your activity of %(date)s does not count in %(campaign)s") % values
        lead = (
            gettext("It was not counted, for this reason:")
            if len(params["reasons"]) == 1
            else gettext("It was not counted, for these reasons:")
        )
    else:
        title = gettext("Your activity of %(date)s is waiting for review in %(campaign)s") % values
        lead = gettext("An organiser will look at it before it counts. What the check found:")
    lines = [lead]
    facts = [(gettext("Distance"), km_text(params["distance_m"]))]
    zone = campaign.time_zone if campaign is not None else None
    for reason in params["reasons"]:
        words = shown(reason, time_zone=zone)
        lines.append(f"{words.label}: {words.message}")
        facts.extend(words.evidence)
    if params["status"] == "rejected":
        lines.append(
            gettext(
                "If you think this is wrong, you can ask the organisers to look again "
                "from the activity's page."
            )
        )
    return Message(
        title=title,
        lines=lines,
        facts=facts,
        action_label=gettext("See the activity"),
        links=_rules_link(campaign),
    )


def render_digest(params: dict, campaign) -> Message:
    title = gettext("Your week in %(campaign)s") % {"campaign": _campaign_title(campaign)}
    facts = [(gettext("Your distance"), km_text(params["distance_m"]))]
    if params.get("rank"):
        facts.append(
            (
                gettext("Your rank"),
                gettext("%(rank)s of %(of)s")
                % {"rank": number(params["rank"]), "of": number(params["of"])},
            )
        )
    if params.get("week_m") is not None:
        facts.append((gettext("This week"), km_text(params["week_m"])))
    if params.get("team"):
        facts.append((gettext("Your team"), f"{params['team']} · {km_text(params['team_m'])}"))
    if params.get("unit"):
        if params.get("unit_target"):
            value = gettext("%(unit)s: %(people)s of its %(target)s participants") % {
                "unit": params["unit"],
                "people": number(params["unit_people"]),
                "target": number(params["unit_target"]),
            }
        else:
            value = gettext("%(unit)s: %(people)s participants") % {
                "unit": params["unit"],
                "people": number(params["unit_people"]),
            }
        facts.append((gettext("Your unit"), value))
    if params.get("days_left"):
        lines = [
            ngettext(
                "%(days)s day left: every walk or run still counts.",
                "%(days)s days left: every walk or run still counts.",
                params["days_left"],
            )
            % {"days": number(params["days_left"])}
        ]
    else:
        lines = [gettext("The campaign's last day has come.")]
    return Message(title=title, lines=lines, facts=facts, action_label=gettext("See the campaign"))


def render_campaign_start(params: dict, campaign) -> Message:
    title = gettext("%(campaign)s has started") % {"campaign": _campaign_title(campaign)}
    line = gettext("Every walk or run from now until %(end)s counts.") % {
        "end": _moment(params["ends_at"], campaign, is_end=True)
    }
    return Message(
        title=title,
        lines=[line],
        action_label=gettext("See the campaign"),
        links=_rules_link(campaign),
    )


def render_last_days(params: dict, campaign) -> Message:
    title = ngettext(
        "%(campaign)s ends in %(days)s day",
        "%(campaign)s ends in %(days)s days",
        params["days"],
    ) % {"campaign": _campaign_title(campaign), "days": number(params["days"])}
    lines = [
        gettext("It closes at %(end)s. Sync or upload what you have recorded before then.")
        % {"end": _moment(params["ends_at"], campaign, is_end=True)}
    ]
    return Message(
        title=title,
        lines=lines,
        action_label=gettext("See the campaign"),
        links=_rules_link(campaign),
    )


def render_sync_reminder(params: dict, campaign) -> Message:
    values = {"date": _day(params["day"]), "campaign": _campaign_title(campaign)}
    title = gettext("Your activity of %(date)s hasn't reached us") % values
    lines = [
        gettext(
            "You have walked or run on most days of %(campaign)s, but nothing of %(date)s "
            "has arrived."
        )
        % values,
        gettext(
            "If you were out that day, sync your tracker or upload the file before "
            "%(deadline)s, or it will not count."
        )
        % {"deadline": _moment(params["deadline"], campaign, is_end=True)},
    ]
    return Message(
        title=title,
        lines=lines,
        action_label=gettext("Upload an activity"),
        links=_rules_link(campaign),
    )


def render_results_ready(params: dict, campaign) -> Message:
    title = gettext("The results of %(campaign)s are out") % {"campaign": _campaign_title(campaign)}
    facts = []
    if params.get("rank"):
        facts.append(
            (
                gettext("Your rank"),
                gettext("%(rank)s of %(of)s")
                % {"rank": number(params["rank"]), "of": number(params["of"])},
            )
        )
        facts.append((gettext("Your distance"), km_text(params["distance_m"])))
    return Message(
        title=title,
        lines=[gettext("The organisers have frozen the final results.")],
        facts=facts,
        action_label=gettext("See the results"),
    )


def render_certificate_ready(params: dict, campaign) -> Message:
    title = gettext("Your certificate for %(campaign)s is ready") % {
        "campaign": _campaign_title(campaign)
    }
    return Message(
        title=title,
        lines=[gettext("Download it, print it or share it: its code lets anyone check it.")],
        facts=[(gettext("Certificate code"), params["code"])],
        action_label=gettext("Download the certificate"),
        links=[(gettext("Its verification page"), params["verify"])],
    )


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            VERDICT,
            _("An activity not counted or held for review"),
            _("With the reason, as soon as it is judged."),
            True,
            True,
            render_verdict,
        ),
        Kind(
            SYNC_REMINDER,
            _("Yesterday's activity has not arrived"),
            _(
                "When you walk most days and nothing of yesterday reached us, "
                "before it is too late."
            ),
            True,
            True,
            render_sync_reminder,
        ),
        Kind(
            DIGEST,
            _("Weekly progress"),
            _("On Mondays: your distance, rank, team and unit."),
            True,
            True,
            render_digest,
        ),
        Kind(
            CAMPAIGN_START,
            _("A campaign starts"),
            _("On the day a campaign you registered for opens."),
            True,
            True,
            render_campaign_start,
        ),
        Kind(
            LAST_DAYS,
            _("A campaign's last days"),
            _("A few days before a campaign you are in closes."),
            True,
            True,
            render_last_days,
        ),
        Kind(
            RESULTS_READY,
            _("Final results"),
            _("When the organisers publish a campaign's results."),
            True,
            True,
            render_results_ready,
        ),
        Kind(
            CERTIFICATE_READY,
            _("Your certificate"),
            _("When your e-certificate has been made."),
            True,
            True,
            render_certificate_ready,
        ),
    )
}
