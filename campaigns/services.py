"""Registration: the rules a participant meets, the same for the web and the API."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import (
    Campaign,
    DistanceCategory,
    Registration,
    RegistrationStatus,
    TargetRule,
)
from core.audit import log_action
from core.errors import DomainError
from core.notices import notify, send_templated_mail
from orgs.models import Unit


class RegistrationError(DomainError):
    code = "registration_error"


def _error(code: str, message) -> RegistrationError:
    return RegistrationError(message, code=code)


def check_can_register(campaign: Campaign, user, now=None) -> None:
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


def _has_verified_email(user) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def _next_bib(campaign: Campaign) -> int:
    # One UPDATE takes the campaign row's lock for the rest of the transaction,
    # so two registrations never draw the same number.
    Campaign.objects.filter(pk=campaign.pk).update(last_bib=F("last_bib") + 1)
    return Campaign.objects.values_list("last_bib", flat=True).get(pk=campaign.pk)


def register(
    campaign: Campaign,
    user,
    *,
    category: DistanceCategory | None = None,
    unit: Unit | None = None,
    via_unit_link: bool = False,
    accept_rules: bool = False,
    now=None,
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
    unit = unit or user.home_unit
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
                params={"campaign": campaign.title_vi, "bib": registration.bib},
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


def withdraw(registration: Registration, *, actor, now=None) -> Registration:
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
        log_action(
            "campaigns.registration.withdrawn",
            registration,
            actor=actor,
            campaign=registration.campaign,
            data={"bib": registration.bib, "team": team.pk if team else None},
        )
        if team is not None:
            from teams.services import after_member_left

            after_member_left(team)
    return registration


def target_for(campaign: Campaign, unit: Unit) -> TargetRule | None:
    """The rule that sets ``unit``'s target: its own, else its kind's."""
    rules = {(rule.unit_id, rule.unit_kind): rule for rule in campaign.targets.all()}
    return rules.get((unit.pk, "")) or rules.get((None, unit.kind))


def active_registration(campaign: Campaign, user) -> Registration | None:
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.filter(campaign=campaign, user=user, status=RegistrationStatus.ACTIVE)
        .select_related("team", "category", "unit")
        .first()
    )
