"""What the organiser screens change: a campaign with its categories and
rules, and the unit targets. Every change lands in the audit log."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from campaigns.forms import CampaignForm, CategoryFormSet, RulesForm
from campaigns.models import Campaign, Registration, RegistrationStatus, TargetRule
from campaigns.services import target_for
from campaigns.signals import rules_changed
from core.audit import log_action
from orgs.models import Unit

AUDITED_FIELDS = [
    "slug",
    "title_vi",
    "title_en",
    "organiser_unit_id",
    "time_zone",
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "sports",
    "participant_target",
    "money_target",
    "vnd_per_km",
    "rules",
    "count_before_registration",
    "teams_lock_at",
    "visibility",
    "is_published",
]


# A change to any of these changes what counts.
REJUDGE_FIELDS = {
    "rules",
    "starts_at",
    "ends_at",
    "sports",
    "time_zone",
    "count_before_registration",
}


def _snapshot(campaign: Campaign) -> dict[str, str]:
    return {name: str(getattr(campaign, name)) for name in AUDITED_FIELDS}


def save_campaign(
    form: CampaignForm, categories: CategoryFormSet, rules: RulesForm, *, actor
) -> Campaign:
    """Save a valid campaign form with its categories and rules."""
    campaign = form.instance
    created = campaign.pk is None
    before = {} if created else _snapshot(Campaign.objects.get(pk=campaign.pk))
    with transaction.atomic():
        campaign = form.save(commit=False)
        campaign.rules = rules.to_rules()
        if created:
            campaign.created_by = actor
        campaign.save()
        categories.instance = campaign
        saved = categories.save(commit=False)
        for category in categories.deleted_objects:
            category.delete()
        for position, category in enumerate(saved):
            if category.position == 0 and category.pk is None:
                category.position = campaign.categories.count() + position
            category.save()
        after = _snapshot(campaign)
        changed = sorted(name for name in after if before.get(name) != after[name])
        counting = sorted(set(changed) & REJUDGE_FIELDS)
        if counting and not created:
            # Verdicts follow the rules: activities judges the campaign's activities again.
            rules_changed.send(Campaign, campaign=campaign, changed=counting)
        log_action(
            "campaigns.campaign.created" if created else "campaigns.campaign.updated",
            campaign,
            actor=actor,
            campaign=campaign,
            data={
                "changed": changed,
                "categories": [c.pk for c in saved],
                "categories_removed": len(categories.deleted_objects),
            },
        )
    return campaign


def target_units(campaign: Campaign) -> tuple[list[str], list[Unit]]:
    """The kinds found below the organiser unit, and the units a target can
    be set for: the organiser unit and its children."""
    top = campaign.organiser_unit
    kinds = list(
        Unit.objects.filter(top.subtree_q())
        .exclude(pk=top.pk)
        .order_by()
        .values_list("kind", flat=True)
        .distinct()
    )
    children = Unit.objects.filter(path__startswith=top.path, depth=top.depth + 1)
    units = [top, *children.order_by("kind", "name")]
    return sorted(kinds), units


@dataclass(frozen=True)
class UnitTarget:
    unit: Unit
    participants: int | None
    stretch: int | None
    own: bool  # set for this unit, not by its kind
    registered: int


def effective_targets(campaign: Campaign, units: list[Unit]) -> list[UnitTarget]:
    """Each unit's target (its own, else its kind's) beside the people
    registered in its subtree."""
    campaign = Campaign.objects.prefetch_related("targets").get(pk=campaign.pk)
    paths = list(
        Registration.objects.filter(
            campaign=campaign, status=RegistrationStatus.ACTIVE, unit__isnull=False
        ).values_list("unit__path", flat=True)
    )
    rows = []
    for unit in units:
        rule = target_for(campaign, unit)
        rows.append(
            UnitTarget(
                unit=unit,
                participants=rule.participants if rule else None,
                stretch=rule.stretch if rule else None,
                own=bool(rule and rule.unit_id),
                registered=sum(1 for path in paths if path.startswith(unit.path)),
            )
        )
    return rows


def save_targets(
    campaign: Campaign,
    *,
    kinds: dict[str, int | None],
    units: dict[Unit, tuple[int | None, int | None]],
    actor,
) -> None:
    """Replace the kind and unit targets shown on the form (an empty number
    removes that target)."""
    with transaction.atomic():
        before = {
            (rule.unit_id, rule.unit_kind): (rule.participants, rule.stretch)
            for rule in campaign.targets.all()
        }
        for kind, participants in kinds.items():
            rule_q = Q(campaign=campaign, unit__isnull=True, unit_kind=kind)
            if participants is None:
                TargetRule.objects.filter(rule_q).delete()
            else:
                TargetRule.objects.update_or_create(
                    campaign=campaign,
                    unit=None,
                    unit_kind=kind,
                    defaults={"participants": participants, "stretch": None},
                )
        for unit, (participants, stretch) in units.items():
            if participants is None:
                TargetRule.objects.filter(campaign=campaign, unit=unit).delete()
            else:
                TargetRule.objects.update_or_create(
                    campaign=campaign,
                    unit=unit,
                    unit_kind="",
                    defaults={"participants": participants, "stretch": stretch},
                )
        after = {
            (rule.unit_id, rule.unit_kind): (rule.participants, rule.stretch)
            for rule in campaign.targets.all()
        }
        if before != after:
            log_action(
                "campaigns.targets.updated",
                campaign,
                actor=actor,
                campaign=campaign,
                data={
                    "kinds": {k: v for k, v in kinds.items()},
                    "units": {
                        unit.code: list(values)
                        for unit, values in units.items()
                        if values != (None, None)
                    },
                },
            )
