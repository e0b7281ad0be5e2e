"""Participation history, kept so a dashboard can show any past day as it was.

A registration row only knows its present state (a comeback clears
``withdrawn_at``), so every registration, comeback and withdrawal also writes a
`ParticipationChange` (+1 or −1 for the unit it counted in). `ParticipationDay`
sums those changes per campaign, unit (with every unit above it), local day and
shard, in the same transaction: the participants of a subtree at the end of a
day are one small sum over the unit's rows up to that day.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ParticipationChange(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    registration = models.ForeignKey(
        "campaigns.Registration", on_delete=models.CASCADE, related_name="participation_changes"
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delta = models.SmallIntegerField()  # +1 registered or came back, −1 withdrew
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["campaign", "at"], name="participation_change_at")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(delta__in=[-1, 1]), name="participation_change_unit_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.delta:+d} @ {self.at:%Y-%m-%d %H:%M}"


class ParticipationDay(models.Model):
    """Net participants who joined a unit's subtree on one campaign day (the
    campaign's time zone), split over a few shards like the standings totals."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    shard = models.PositiveSmallIntegerField()
    delta = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "day", "shard"], name="participation_day_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}/{self.shard}: {self.delta:+d}"


class DashboardSettings(models.Model):
    """Per campaign: when units falling behind are told, and when the final
    report goes out by e-mail."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="dashboard_settings"
    )
    alert_days_before_end = models.PositiveSmallIntegerField(
        _("warn units behind their target this many days before the end"), default=14
    )
    alert_threshold_percent = models.PositiveSmallIntegerField(
        _("a unit is behind below this share of its target (%)"), default=80
    )
    weekly_digest = models.BooleanField(_("weekly digest to unit staff"), default=True)
    report_on = models.DateField(_("e-mail the final report on"), null=True, blank=True)
    report_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("dashboard settings")
        verbose_name_plural = _("dashboard settings")

    def __str__(self) -> str:
        return str(self.campaign)


class BehindAlert(models.Model):
    """A unit's staff were told it is behind: once per campaign and unit."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    participants = models.PositiveIntegerField()
    target = models.PositiveIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="behind_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.participants}/{self.target}"
