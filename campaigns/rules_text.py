"""A campaign's rules in words, for its public rules page: every rule the activities
pipeline applies (docs/rules.md), with this campaign's own figures written by
core/formatting.py in the active language. Each section has a stable key, the
anchor a verdict's link can point at."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils.translation import gettext as _

from campaigns.models import Campaign, Sport
from core.formatting import digits, km_text, local_datetime, pace


@dataclass
class RuleSection:
    key: str
    title: str
    lines: list[str] = field(default_factory=list)


def _when(campaign: Campaign, moment, *, is_end: bool = False) -> str:
    return local_datetime(moment, campaign.tz, is_end=is_end, prose=True)


def _window(campaign: Campaign) -> RuleSection:
    section = RuleSection("window", _("When an activity counts"))
    section.lines.append(
        _("The campaign runs from %(opens)s to %(closes)s (time zone %(zone)s).")
        % {
            "opens": _when(campaign, campaign.starts_at),
            "closes": _when(campaign, campaign.ends_at, is_end=True),
            "zone": campaign.time_zone,
        }
    )
    section.lines.append(
        _(
            "An activity counts when it starts at or after the opening and ends by the close: "
            "one that runs across the close does not count."
        )
    )
    section.lines.append(
        _("Registration is open from %(opens)s to %(closes)s.")
        % {
            "opens": _when(campaign, campaign.registration_opens_at),
            "closes": _when(campaign, campaign.registration_closes_at, is_end=True),
        }
    )
    return section


def _before_registration(campaign: Campaign) -> RuleSection:
    section = RuleSection("registration", _("Activities recorded before you register"))
    if campaign.count_before_registration:
        section.lines.append(
            _(
                "They count. Everything you record within the campaign's dates counts once you "
                "register, as long as you register before registration closes: upload your "
                "earlier activities and they are judged like the others."
            )
        )
    else:
        section.lines.append(
            _(
                "They do not count. Only activities that start at or after the moment you "
                "register count; earlier ones are refused with the reason "
                "“before registration”."
            )
        )
    return section


def _sports(campaign: Campaign) -> RuleSection:
    section = RuleSection("sports", _("Sports"))
    names = ", ".join(map(str, campaign.get_sports_display())) or "–"
    section.lines.append(_("This campaign counts: %(sports)s.") % {"sports": names})
    section.lines.append(
        _("An activity of another sport is refused; you can correct its sport on its page.")
    )
    return section


def _distance(campaign: Campaign, rules: dict) -> RuleSection:
    section = RuleSection("distance", _("Distance"))
    section.lines.append(
        _("An activity counts from %(km)s.") % {"km": km_text(rules["min_distance_m"] or 0)}
    )
    if rules.get("max_distance_m"):
        section.lines.append(
            _("An activity longer than %(km)s is refused.")
            % {"km": km_text(rules["max_distance_m"])}
        )
    else:
        section.lines.append(_("There is no longest distance per activity."))
    return section


def _daily_cap(campaign: Campaign, rules: dict) -> RuleSection:
    section = RuleSection("daily-cap", _("Daily cap"))
    if rules.get("daily_cap_m"):
        section.lines.append(
            _(
                "At most %(km)s count per person and campaign day (the local date an activity "
                "starts on). An activity that goes over it counts in part, up to the cap."
            )
            % {"km": km_text(rules["daily_cap_m"])}
        )
    else:
        section.lines.append(_("There is no daily cap: every valid activity counts in full."))
    return section


def _pace(campaign: Campaign, rules: dict) -> RuleSection:
    section = RuleSection("pace", _("Pace and splits"))
    labels = {Sport.WALK: _("Walking"), Sport.RUN: _("Running")}
    for sport in campaign.sports:
        limits = rules["sports"].get(sport) or {}
        if sport not in labels or not limits:
            continue
        line = _("%(sport)s: an average pace between %(fast)s/km and %(slow)s/km") % {
            "sport": labels[sport],
            "fast": pace(limits["min_pace_s"]),
            "slow": pace(limits["max_pace_s"]),
        }
        if limits.get("fastest_split_s"):
            line += _("; no kilometre faster than %(split)s") % {
                "split": pace(limits["fastest_split_s"])
            }
        section.lines.append(line + ".")
    section.lines.append(
        _(
            "Pace is the moving time divided by the distance. Limits are inclusive: "
            "exactly the limit passes."
        )
    )
    return section


def _track(campaign: Campaign, rules: dict) -> RuleSection:
    section = RuleSection("track", _("GPS track and manual entries"))
    if rules.get("allow_no_gps"):
        section.lines.append(_("Activities without a GPS track (a treadmill) count."))
    else:
        section.lines.append(_("An activity needs a GPS track; one without is refused."))
    if rules.get("allow_manual"):
        section.lines.append(_("Distances typed in by hand count."))
    else:
        section.lines.append(_("Distances typed in by hand do not count."))
    section.lines.append(
        _(
            "A track with implausible jumps or at a vehicle's speed is held for an "
            "organiser's review, or refused when the stretch is long. Two activities that "
            "overlap in time count once."
        )
    )
    return section


def _sync(campaign: Campaign, rules: dict) -> RuleSection:
    section = RuleSection("sync", _("Sync deadline"))
    deadline = campaign.ends_at + timedelta(hours=rules["close_grace_hours"])
    section.lines.append(
        _(
            "An activity must reach KindSteps within %(hours)s hours of its end, and no later "
            "than %(deadline)s (%(grace)s hours after the campaign closes)."
        )
        % {
            "hours": rules["sync_window_hours"],
            "deadline": _when(campaign, deadline, is_end=True),
            "grace": rules["close_grace_hours"],
        }
    )
    return section


def _teams(campaign: Campaign) -> RuleSection:
    section = RuleSection("teams", _("Teams"))
    locks = {"locks": _when(campaign, campaign.teams_locked_from)}
    if campaign.teams_locked():
        line = _(
            "Teams have been locked since %(locks)s: you stay in your team for the rest of "
            "the campaign; only the organiser can move you."
        )
    else:
        line = _(
            "You can leave or switch team until %(locks)s. After that you stay in your team "
            "for the rest of the campaign; only the organiser can move you."
        )
    section.lines.append(line % locks)
    return section


def _verdicts(campaign: Campaign) -> RuleSection:
    section = RuleSection("verdicts", _("Verdicts and money"))
    section.lines.append(
        _(
            "Each activity gets a verdict with every reason that applies: accepted, held for "
            "an organiser's review, or refused. You can ask for a review of a verdict on the "
            "activity's page."
        )
    )
    section.lines.append(
        _("Every valid km adds %(amount)s đồng to the Red Cross fund.")
        % {"amount": digits(campaign.vnd_per_km)}
    )
    return section


def rules_in_words(campaign: Campaign) -> list[RuleSection]:
    """Every rule of ``campaign`` in plain sentences, in the active language."""
    rules = campaign.effective_rules
    return [
        _window(campaign),
        _before_registration(campaign),
        _sports(campaign),
        _distance(campaign, rules),
        _pace(campaign, rules),
        _daily_cap(campaign, rules),
        _track(campaign, rules),
        _sync(campaign, rules),
        _teams(campaign),
        _verdicts(campaign),
    ]
