"""Running totals of what campaigns credit, kept in the transaction that changes a
credit, so every page reads them instead of summing verdicts.

`Standing` is one participant's line; `PersonDay` their per-day figures; `Total`
the sums per campaign, team, unit (with every ancestor) and campaign day, each
split over a few shards so that a busy team or province row does not make every
upload wait for the one before; `ScoreBucket` counts participants per 100 m and
per 10 km of distance, which makes an exact rank a sum over a few hundred rows.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class Standing(models.Model):
    # A line is derived from its registration, which the database does check; the
    # copies of the registration's campaign, person, team, unit and category are not
    # checked again (a rebuild writes a million lines, and each check is a lookup at
    # commit), and those that lead an index below are not indexed again: every
    # credit rewrites a line in each of its indexes. Deletions still cascade (Django).
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="standings",
        db_index=False,
        db_constraint=False,
    )
    registration = models.OneToOneField(
        "campaigns.Registration", on_delete=models.CASCADE, related_name="standing"
    )
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    bib = models.PositiveIntegerField()
    # Where the km count now (copied from the registration and the profile).
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    category = models.ForeignKey(
        "campaigns.DistanceCategory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    gender = models.CharField(max_length=10, blank=True)
    is_active = models.BooleanField(default=True)
    distance_m = models.PositiveBigIntegerField(default=0)
    activities = models.PositiveIntegerField(default=0)
    active_days = models.PositiveIntegerField(default=0)
    steps = models.PositiveBigIntegerField(default=0)
    steps_estimated = models.PositiveBigIntegerField(default=0)  # the part of `steps` estimated
    # When the person reached their present distance (end of the last credited
    # activity): of two people with the same distance, the earlier is listed first.
    reached_at = models.DateTimeField(null=True, blank=True)
    # Not a column: the ids of the line's unit and of the units above it, set by
    # standings.recount.refresh for the totals the line feeds.
    _unit_chain: list[int]

    class Meta:
        indexes = [
            models.Index(
                F("campaign"), F("distance_m").desc(), F("reached_at"), F("bib"), name="board_all"
            ),
            models.Index(
                F("campaign"),
                F("category"),
                F("distance_m").desc(),
                F("reached_at"),
                F("bib"),
                name="board_category",
            ),
            models.Index(
                F("campaign"),
                F("gender"),
                F("distance_m").desc(),
                F("reached_at"),
                F("bib"),
                name="board_gender",
            ),
            models.Index(fields=["team", "distance_m"], name="board_team_members"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(steps_estimated__lte=F("steps")), name="standing_estimated_in_steps"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bib}: {self.distance_m} m"


class PersonDay(models.Model):
    """One participant's credited distance and steps on one campaign day (the campaign's zone)."""

    # Millions of rows, rewritten by a rebuild: no checks at commit (see Standing).
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    registration = models.ForeignKey(
        "campaigns.Registration",
        on_delete=models.CASCADE,
        related_name="days",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField()
    distance_m = models.PositiveBigIntegerField(default=0)
    activities = models.PositiveIntegerField(default=0)
    # Zero in the database too: a row written without them (by code from before they
    # were added, still running while a release rolls out) counts no steps.
    steps = models.PositiveBigIntegerField(default=0, db_default=0)
    steps_estimated = models.PositiveBigIntegerField(default=0, db_default=0)  # estimated part
    reached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "day"], name="person_day_once"),
            models.CheckConstraint(
                condition=Q(steps_estimated__lte=F("steps")), name="person_day_estimated_in_steps"
            ),
        ]
        indexes = [
            models.Index(
                F("campaign"), F("day"), F("distance_m").desc(), F("reached_at"), name="board_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.day}: {self.distance_m} m"


class Scope(models.TextChoices):
    CAMPAIGN = "campaign"
    TEAM = "team"
    UNIT = "unit"
    DAY = "day"


class Total(models.Model):
    """A sum over participants: `key` is 0 for the campaign, the team's or unit's id,
    or the day's ordinal. Read by summing the shards of a (campaign, scope, key)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    scope = models.CharField(max_length=8, choices=Scope.choices)
    key = models.BigIntegerField()
    shard = models.PositiveSmallIntegerField()
    distance_m = models.BigIntegerField(default=0)
    activities = models.BigIntegerField(default=0)
    steps = models.BigIntegerField(default=0)
    # People with a credited metre (for a day: people who walked that day).
    participants = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "scope", "key", "shard"], name="total_once")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}/{self.shard}: {self.distance_m} m"


class ScoreBucket(models.Model):
    """How many participants of a campaign have a distance in [bucket, bucket + 1) × 100 m,
    and (negative buckets, `lines.coarse_bucket_of`) in each 10 km."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    bucket = models.IntegerField()
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "bucket", "shard"], name="score_bucket_once"
            )
        ]
        # A rank sums the counts above a bucket: read from the index alone.
        indexes = [
            models.Index(fields=["campaign", "bucket"], include=["count"], name="bucket_counts")
        ]

    def __str__(self) -> str:
        if self.bucket < 0:
            return f"{(-1 - self.bucket) * 10} km/{self.shard}: {self.count}"
        return f"{self.bucket * 100} m/{self.shard}: {self.count}"
