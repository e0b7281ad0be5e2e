import secrets
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from campaigns.rules import merged_rules


class Sport(models.TextChoices):
    """Stable codes; the activities pipeline uses the same ones."""

    WALK = "walk", _("Walk")
    RUN = "run", _("Run")
    OTHER = "other", _("Other")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private (invite code)")


class Status(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open")
    FINISHED = "finished", _("Finished")


def _invite_code() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


def _localised(obj, field: str) -> str:
    language = (translation.get_language() or "vi")[:2]
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_vi", "")


class CampaignQuerySet(models.QuerySet):
    def public(self):
        return self.filter(visibility=Visibility.PUBLIC, is_published=True)

    def with_status(self, status: str, now: datetime | None = None):
        now = now or timezone.now()
        if status == Status.UPCOMING:
            return self.filter(starts_at__gt=now)
        if status == Status.OPEN:
            return self.filter(starts_at__lte=now, ends_at__gt=now)
        return self.filter(ends_at__lte=now)


class Campaign(models.Model):
    slug = models.SlugField(_("web address"), max_length=80, unique=True)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_vi = models.TextField(_("description (Vietnamese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    cover = models.ImageField(_("cover image"), upload_to="campaigns/covers/", blank=True)
    organiser_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Ho_Chi_Minh")
    # Stored in UTC; forms show and take local times in the campaign's zone.
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    sports = models.JSONField(_("sports"), default=list)  # list of Sport codes
    participant_target = models.PositiveIntegerField(_("participant target"), default=0)
    money_target = models.PositiveBigIntegerField(_("money target (đồng)"), default=0)
    vnd_per_km = models.PositiveIntegerField(_("đồng per valid km"), default=1000)
    # After the end, complaints and review go on this long before the results are frozen.
    appeal_window_hours = models.PositiveSmallIntegerField(_("appeal window (hours)"), default=48)
    rules = models.JSONField(_("activity rules"), default=dict, blank=True)
    count_before_registration = models.BooleanField(
        _("count activities recorded before registering"),
        default=True,
        help_text=_(
            "Activities within the campaign's dates count for anyone who registers before "
            "it ends, even those recorded before they registered."
        ),
    )
    # None: teams lock when the campaign starts.
    teams_lock_at = models.DateTimeField(_("teams lock"), null=True, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    invite_code = models.CharField(max_length=16, unique=True, default=_invite_code)
    is_published = models.BooleanField(_("published"), default=True)
    last_bib = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="campaign_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="campaign_registration_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _localised(self, "title")

    @property
    def description(self) -> str:
        return _localised(self, "description")

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def status_at(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        if now < self.starts_at:
            return Status.UPCOMING
        if now < self.ends_at:
            return Status.OPEN
        return Status.FINISHED

    @property
    def status(self) -> str:
        return self.status_at()

    def get_status_display(self) -> str:
        return Status(self.status).label

    def registration_is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.registration_opens_at <= now < self.registration_closes_at

    @property
    def appeal_ends_at(self) -> datetime:
        """When the appeal window after the end closes: results may be frozen from then."""
        return self.ends_at + timedelta(hours=self.appeal_window_hours)

    def has_started(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.starts_at

    @property
    def teams_locked_from(self) -> datetime:
        """From then on nobody leaves or switches team alone (the organiser still moves)."""
        return self.teams_lock_at or self.starts_at

    def teams_locked(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.teams_locked_from

    @property
    def effective_rules(self) -> dict:
        return merged_rules(self.rules)

    def get_sports_display(self) -> list[str]:
        return [Sport(code).label for code in self.sports if code in Sport.values]


class DistanceCategory(models.Model):
    """A distance a participant signs up for ("5 km", "21 km"), or a free
    accumulation when ``distance_m`` is empty."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="categories")
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    distance_m = models.PositiveIntegerField(_("distance (m)"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("distance category")
        verbose_name_plural = _("distance categories")
        ordering = ["position", "distance_m", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self, "name")


class TargetRule(models.Model):
    """A participation target: for every unit of a kind ("every school ≥ 10"),
    or for one unit (an override, with an optional stretch target). A unit's
    own rule wins over its kind's."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    unit_kind = models.CharField(_("kind of unit"), max_length=16, blank=True)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="targets",
    )
    participants = models.PositiveIntegerField(_("participants"))
    stretch = models.PositiveIntegerField(_("stretch target"), null=True, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=True) & ~Q(unit_kind=""))
                | (Q(unit__isnull=False) & Q(unit_kind="")),
                name="target_for_kind_xor_unit",
            ),
            models.UniqueConstraint(
                fields=["campaign", "unit"],
                condition=Q(unit__isnull=False),
                name="target_one_per_unit",
            ),
            models.UniqueConstraint(
                fields=["campaign", "unit_kind"],
                condition=Q(unit__isnull=True),
                name="target_one_per_kind",
            ),
        ]

    def __str__(self) -> str:
        who = self.unit.name if self.unit_id else self.unit_kind
        return f"{who} ≥ {self.participants}"


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", _("Registered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Registration(models.Model):
    """A person in a campaign. One row per person and campaign (a withdrawal
    keeps the row and its bib, so coming back restores both); ``team`` holds
    at most one team, so one team per person per campaign is a property of
    the schema itself."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations"
    )
    bib = models.PositiveIntegerField(_("bib number"), editable=False)
    category = models.ForeignKey(
        DistanceCategory,
        verbose_name=_("distance category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    via_unit_link = models.BooleanField(default=False)
    team = models.ForeignKey(
        "teams.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    team_joined_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.ACTIVE
    )
    rules_accepted_at = models.DateTimeField()
    registered_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["bib"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="registration_once"),
            models.UniqueConstraint(fields=["campaign", "bib"], name="registration_bib_unique"),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["campaign", "unit"]),
            models.Index(fields=["team"]),
        ]

    def __str__(self) -> str:
        return f"#{self.bib} {self.user}"

    @property
    def is_active(self) -> bool:
        return self.status == RegistrationStatus.ACTIVE
