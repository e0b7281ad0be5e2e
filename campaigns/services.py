"""Registration: the rules a participant meets, the same for the web and the API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import (
    Campaign,
    DistanceCategory,
    Registration,
    RegistrationStatus,
    TargetRule,
    Visibility,
)
from campaigns.signals import RegistrationChange, registration_changed
from core.audit import log_action
from core.errors import DomainError
from core.formatting import digits, km, local_datetime, pace
from core.models import Notice
from core.notices import notify, send_templated_mail
from orgs.access import units_for_staff
from orgs.models import Unit

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from django.contrib.auth.models import AnonymousUser
    from django_stubs_ext import StrOrPromise

    from accounts.models import User


class RegistrationError(DomainError):
    code = "registration_error"


def _error(code: str, message: StrOrPromise) -> RegistrationError:
    return RegistrationError(message, code=code)


def check_can_register(
    campaign: Campaign, user: User | AnonymousUser, now: datetime | None = None
) -> None:
    """Raise the reason ``user`` may not register now; return if they may."""
    now = now or timezone.now()
    if not user.is_authenticated:
        raise _error("login_required", _("Log in or sign up to register."))
    if not _has_verified_email(user):
        raise _error(
            "email_unverified",
            _("Confirm your e-mail address first: we sent you a link when you signed up."),
        )
    if now < campaign.registration_opens_at:
        raise _error("registration_not_open", _("Registration has not opened yet."))
    if now >= campaign.registration_closes_at:
        raise _error("registration_closed", _("Registration for this campaign has closed."))
    existing = Registration.objects.filter(campaign=campaign, user=user).first()
    if existing is not None and existing.is_active:
        raise _error(
            "already_registered",
            _("You are already registered for this campaign (bib %(bib)s).")
            % {"bib": existing.bib},
        )


def _has_verified_email(user: User) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def _next_bib(campaign: Campaign) -> int:
    # One UPDATE takes the campaign row's lock for the rest of the transaction,
    # so two registrations never draw the same number.
    Campaign.objects.filter(pk=campaign.pk).update(last_bib=F("last_bib") + 1)
    return Campaign.objects.values_list("last_bib", flat=True).get(pk=campaign.pk)


def register(
    campaign: Campaign,
    user: User,
    *,
    category: DistanceCategory | None = None,
    unit: Unit | None = None,
    via_unit_link: bool = False,
    accept_rules: bool = False,
    now: datetime | None = None,
) -> Registration:
    """Register ``user``: a new bib, or the old one back after a withdrawal."""
    now = now or timezone.now()
    check_can_register(campaign, user, now)
    if not accept_rules:
        raise _error("rules_not_accepted", _("Please read and accept the campaign rules."))
    categories = campaign.categories.all()
    if category is None and categories.exists():
        raise _error("category_required", _("Choose a distance category."))
    if category is not None and category.campaign_id != campaign.pk:
        raise _error("category_invalid", _("That distance category is not part of this campaign."))
    if unit is not None and not campaign_units(campaign).filter(pk=unit.pk).exists():
        raise _error("unit_invalid", _("That unit does not take part in this campaign."))
    if unit is None and user.home_unit_id:
        # The profile's unit counts only when it lies inside the organiser's subtree.
        unit = campaign_units(campaign).filter(pk=user.home_unit_id).first()
    try:
        with transaction.atomic():
            existing = (
                Registration.objects.select_for_update()
                .filter(campaign=campaign, user=user)
                .first()
            )
            if existing is not None:
                if existing.is_active:
                    raise _error(
                        "already_registered", _("You are already registered for this campaign.")
                    )
                existing.status = RegistrationStatus.ACTIVE
                existing.withdrawn_at = None
                existing.category = category
                existing.unit = unit
                existing.via_unit_link = via_unit_link
                existing.rules_accepted_at = now
                existing.save()
                registration = existing
                action = "campaigns.registration.resumed"
            else:
                registration = Registration.objects.create(
                    campaign=campaign,
                    user=user,
                    bib=_next_bib(campaign),
                    category=category,
                    unit=unit,
                    via_unit_link=via_unit_link,
                    rules_accepted_at=now,
                    registered_at=now,
                )
                action = "campaigns.registration.created"
            # The dashboards' "as of" counts read their history of this, not the row.
            registration_changed.send(
                Registration,
                registration=registration,
                change=RegistrationChange.REGISTERED,
                previous_team=None,
                at=now,
            )
            log_action(
                action,
                registration,
                actor=user,
                campaign=campaign,
                data={
                    "bib": registration.bib,
                    "unit": unit.code if unit else None,
                    "category": category.pk if category else None,
                },
            )
            url = reverse("campaigns:detail", args=[campaign.slug])
            notify(
                user,
                "registration_confirmed",
                title=_("You are registered for %(campaign)s — bib %(bib)s"),
                params={"campaign": lambda: campaign.title, "bib": registration.bib},
                url=url,
            )
            send_templated_mail(
                user,
                "campaigns/email/registered",
                {"campaign": campaign, "registration": registration, "url": url},
            )
    except IntegrityError as exc:
        # Two requests for the same person at once: the unique (campaign, user)
        # constraint lets exactly one through.
        raise _error(
            "already_registered", _("You are already registered for this campaign.")
        ) from exc
    return registration


def withdraw(
    registration: Registration, *, actor: User, now: datetime | None = None
) -> Registration:
    """Withdraw; the person leaves their team, keeps their bib for a comeback."""
    now = now or timezone.now()
    if not registration.is_active:
        raise _error("not_registered", _("You are not registered for this campaign."))
    with transaction.atomic():
        team = registration.team
        registration.status = RegistrationStatus.WITHDRAWN
        registration.withdrawn_at = now
        registration.team = None
        registration.team_joined_at = None
        registration.save(update_fields=["status", "withdrawn_at", "team", "team_joined_at"])
        # The participation history, the team's captaincy and the standings follow
        # (a withdrawn participant's km leave every total).
        registration_changed.send(
            Registration,
            registration=registration,
            change=RegistrationChange.WITHDRAWN,
            previous_team=team,
            at=now,
        )
        log_action(
            "campaigns.registration.withdrawn",
            registration,
            actor=actor,
            campaign=registration.campaign,
            data={"bib": registration.bib, "team": team.pk if team else None},
        )
    return registration


def target_for(campaign: Campaign, unit: Unit) -> TargetRule | None:
    """The rule that sets ``unit``'s target: its own, else its kind's."""
    rules = {(rule.unit_id, rule.unit_kind): rule for rule in campaign.targets.all()}
    return rules.get((unit.pk, "")) or rules.get((None, unit.kind))


def active_registration(campaign: Campaign, user: User | AnonymousUser) -> Registration | None:
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.filter(campaign=campaign, user=user, status=RegistrationStatus.ACTIVE)
        .select_related("team", "category", "unit")
        .first()
    )


# --- Registration journey: unit invite links, the form's choices, my campaigns ---

UNIT_SELECT_LIMIT = 200  # below this, the home unit is a plain select; above, a search
UNIT_SEARCH_LIMIT = 20
UNIT_SEARCH_MIN_LENGTH = 2


def campaign_units(campaign: Campaign) -> QuerySet[Unit]:
    """The units a registration may name: the organiser unit and everything below it."""
    return Unit.objects.filter(campaign.organiser_unit.subtree_q()).order_by("path")


def get_invite_unit(campaign: Campaign, code: str) -> Unit | None:
    """The unit ``code`` if it lies inside the organiser's subtree, else None."""
    return campaign_units(campaign).filter(code=code).first()


def search_campaign_units(campaign: Campaign, query: str) -> list[Unit]:
    """At most 20 units of the campaign's subtree whose name contains ``query``
    or whose code starts with it."""
    query = " ".join((query or "").split())
    if len(query) < UNIT_SEARCH_MIN_LENGTH:
        return []
    return list(
        campaign_units(campaign)
        .filter(Q(name__icontains=query) | Q(code__istartswith=query))
        .order_by("depth", "name")[:UNIT_SEARCH_LIMIT]
    )


def invite_path(campaign: Campaign, unit: Unit) -> str:
    path = reverse("campaigns:invite", args=[campaign.slug, unit.code])
    if campaign.visibility == Visibility.PRIVATE:
        # A private campaign's poster admits whoever scans it.
        path += "?" + urlencode({"code": campaign.invite_code})
    return path


def invite_url(campaign: Campaign, unit: Unit) -> str:
    """The absolute link a unit's poster and QR code carry."""
    return settings.SITE_URL + invite_path(campaign, unit)


def unit_invite_links(campaign: Campaign, units: Iterable[Unit]) -> list[dict]:
    """For the organiser screens: each unit's invite link and posters."""
    return [
        {
            "unit": unit,
            "invite_url": invite_url(campaign, unit),
            "poster_pdf": reverse("campaigns:poster_pdf", args=[campaign.slug, unit.code]),
            "poster_png": reverse("campaigns:poster_png", args=[campaign.slug, unit.code]),
        }
        for unit in units
    ]


def may_download_posters(campaign: Campaign, user: User | AnonymousUser, unit: Unit) -> bool:
    """Posters of a public campaign are meant to be printed by anyone; a private
    campaign's carry its invite code, so only its organisers and the staff of
    the poster's unit (or a unit above it) get them."""
    if campaign.is_published and campaign.visibility == Visibility.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    return units_for_staff(user).filter(pk__in=[campaign.organiser_unit_id, unit.pk]).exists()


def registration_for(campaign: Campaign, user: User | AnonymousUser) -> Registration | None:
    """The person's registration in any status (a withdrawn one keeps its bib)."""
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.filter(campaign=campaign, user=user)
        .select_related("team", "category", "unit")
        .first()
    )


def my_registrations(user: User) -> list[Registration]:
    return list(
        Registration.objects.filter(user=user)
        .select_related("campaign", "team", "category", "unit")
        .order_by("status", "-campaign__starts_at")
    )


def unread_notices(user: User, limit: int = 10) -> list[Notice]:
    return list(Notice.objects.filter(user=user, read_at__isnull=True)[:limit])


def mark_notices_read(user: User, notice_id: int | None = None, now: datetime | None = None) -> int:
    """Mark one of the person's notices (or all of them) read; returns how many."""
    notices = Notice.objects.filter(user=user, read_at__isnull=True)
    if notice_id is not None:
        notices = notices.filter(pk=notice_id)
    return notices.update(read_at=now or timezone.now())


def rules_summary(campaign: Campaign) -> list[StrOrPromise]:
    """The campaign's activity rules in a few plain sentences for the registration form
    (rendered by the page, in the request's language)."""
    rules = campaign.effective_rules
    lines: list[StrOrPromise] = []
    sports = campaign.get_sports_display()
    if sports:
        lines.append(_("Counted sports: %(sports)s.") % {"sports": ", ".join(map(str, sports))})
    lines.append(
        _("An activity counts from %(km)s km.") % {"km": km(rules["min_distance_m"] or 0, "short")}
    )
    if rules.get("max_distance_m"):
        lines.append(
            _("At most %(km)s km count per activity.")
            % {"km": km(rules["max_distance_m"], "short")}
        )
    if rules.get("daily_cap_m"):
        lines.append(
            _("At most %(km)s km count per day.") % {"km": km(rules["daily_cap_m"], "short")}
        )
    pace_labels = {"walk": _("Walking"), "run": _("Running")}
    for sport in campaign.sports:
        limits = rules["sports"].get(sport) or {}
        if sport in pace_labels and limits.get("min_pace_s") and limits.get("max_pace_s"):
            lines.append(
                _("%(sport)s: an average pace between %(fast)s and %(slow)s per km.")
                % {
                    "sport": pace_labels[sport],
                    "fast": pace(limits["min_pace_s"]),
                    "slow": pace(limits["max_pace_s"]),
                }
            )
    if rules.get("sync_window_hours"):
        lines.append(
            _("Activities must reach KindSteps within %(hours)s hours of their end.")
            % {"hours": rules["sync_window_hours"]}
        )
    if not rules.get("allow_no_gps"):
        lines.append(_("Activities need a GPS track."))
    if not rules.get("allow_manual"):
        lines.append(_("Distances typed in by hand do not count."))
    if campaign.count_before_registration:
        lines.append(
            _("What you recorded during the campaign before registering counts too: upload it.")
        )
    else:
        lines.append(_("Only activities that start after you register count."))
    if campaign.teams_locked():
        lines.append(_("Teams are locked now: once you join a team, you stay in it."))
    else:
        lines.append(
            _("You can switch team until %(locks)s; after that you stay in yours.")
            % {"locks": local_datetime(campaign.teams_locked_from, campaign.tz, prose=True)}
        )
    lines.append(
        _("Every valid km adds %(amount)s đồng to the Red Cross fund.")
        % {"amount": digits(campaign.vnd_per_km)}
    )
    return lines


def register_with_profile(
    campaign: Campaign, user: User, *, profile: dict | None = None, **options: Any
) -> Registration:
    """Save the profile fields the registration asked for (already validated),
    fill an empty home unit with the chosen one, then ``register``: all or nothing."""
    with transaction.atomic():
        changed = []
        for name, value in (profile or {}).items():
            setattr(user, name, value)
            changed.append(name)
        unit = options.get("unit")
        if user.home_unit_id is None and unit is not None:
            user.home_unit = unit
            changed.append("home_unit")
        if changed:
            user.save(update_fields=changed)
        return register(campaign, user, **options)
