"""A campaign's final results, frozen once its appeal window has closed.

`Results` is the frozen snapshot of a campaign; `Line` one ranked row of it (a
person, a team or a unit, ranked within its kind of unit); `Correction` a later,
explained change of a frozen snapshot; `Award` what the organiser hands out, read
from the snapshot; `Certificate` one person's or one unit's e-certificate, its
facts copied so that `/verify/<code>` shows what was printed."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Results(models.Model):
    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="results"
    )
    frozen_at = models.DateTimeField()
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The campaign's totals at the freeze: distance_m, steps, participants, converted, donated.
    totals = models.JSONField(default=dict)
    certificates_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("results")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return f"results of {self.campaign_id}"


class LineKind(models.TextChoices):
    """Stable codes."""

    PERSON = "person", _("Person")
    TEAM = "team", _("Team")
    UNIT = "unit", _("Unit")


class Line(models.Model):
    """One ranked row. ``key`` is the registration's, team's or unit's id; units are
    ranked among the units of their kind (``unit_kind``)."""

    results = models.ForeignKey(Results, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=8, choices=LineKind.choices)
    key = models.BigIntegerField()
    rank = models.PositiveIntegerField()
    # The place in the board's order: of two people with one rank, who got there first.
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    bib = models.PositiveIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=10, blank=True)
    category_id = models.BigIntegerField(null=True, blank=True)
    category_name = models.CharField(max_length=80, blank=True)
    unit_kind = models.CharField(max_length=16, blank=True)
    unit_name = models.CharField(max_length=200, blank=True)
    team_name = models.CharField(max_length=80, blank=True)
    distance_m = models.PositiveBigIntegerField(default=0)
    steps = models.PositiveBigIntegerField(default=0)
    # The part of ``steps`` estimated from the distance (activities without device steps).
    steps_estimated = models.PositiveBigIntegerField(default=0)
    converted = models.PositiveBigIntegerField(default=0)  # đồng from km
    donated = models.PositiveBigIntegerField(default=0)  # paid donations (teams, units)
    active_days = models.PositiveIntegerField(default=0)
    participants = models.PositiveIntegerField(default=0)  # registered (teams, units)
    target = models.PositiveIntegerField(null=True, blank=True)  # units

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["results", "kind", "key"], name="results_line_once")
        ]
        indexes = [models.Index(fields=["results", "kind", "unit_kind", "rank"])]
        ordering = ["rank", "position"]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: #{self.rank}"

    @property
    def met_target(self) -> bool:
        return bool(self.target) and self.participants >= (self.target or 0)


class Correction(models.Model):
    """A frozen snapshot taken again, with the organiser's reason and what changed."""

    results = models.ForeignKey(Results, on_delete=models.CASCADE, related_name="corrections")
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    # [{"kind", "key", "name", "field", "old", "new"}] — at most a few hundred kept.
    changes = models.JSONField(default=list)
    changed_lines = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"correction of {self.results_id} at {self.at:%Y-%m-%d}"


class AwardKind(models.TextChoices):
    """Stable codes: never renamed once shipped."""

    TOP_PEOPLE = "top_people", _("Top people")
    TOP_TEAMS = "top_teams", _("Top teams")
    TOP_UNITS = "top_units", _("Top units of a kind")
    OVER_TARGET = "over_target", _("Units that exceeded their target")
    ACTIVE_DAYS = "active_days", _("Most active days")


class Award(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="awards"
    )
    kind = models.CharField(_("kind of award"), max_length=16, choices=AwardKind.choices)
    name = models.CharField(_("name of the award"), max_length=120)
    count = models.PositiveSmallIntegerField(_("how many winners"), default=3)
    category = models.ForeignKey(
        "campaigns.DistanceCategory",
        verbose_name=_("distance category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    gender = models.CharField(_("gender"), max_length=10, blank=True)
    unit_kind = models.CharField(_("kind of unit"), max_length=16, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


def _code() -> str:
    # 10 characters of an alphabet without look-alikes: typed from paper, read from a QR.
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class CertificateKind(models.TextChoices):
    PERSON = "person", _("Participant")
    UNIT = "unit", _("Unit")


class Certificate(models.Model):
    results = models.ForeignKey(Results, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(max_length=8, choices=CertificateKind.choices)
    code = models.CharField(max_length=16, unique=True, default=_code)
    registration = models.ForeignKey(
        "campaigns.Registration",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    unit = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # What the certificate says, as printed: name, km, steps, converted, rank, of, unit…
    facts = models.JSONField(default=dict)
    pdf = models.FileField(upload_to="certificates/", blank=True)
    png = models.FileField(upload_to="certificates/", blank=True)
    made_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["results", "registration"],
                condition=Q(registration__isnull=False),
                name="certificate_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["results", "unit"],
                condition=Q(unit__isnull=False),
                name="certificate_once_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.code
