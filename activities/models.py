"""What people bring (files and manual entries), what we read from it (one
normalised activity per effort) and how each campaign judged it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.reason_text import ShownReason, shown
from activities.reasons import label


class StoredFile(models.Model):
    """An uploaded original, content-addressed: the same bytes twice are one file.

    Written to storage before anything reads it, and never deleted by the
    pipeline, so a file that cannot be read today can be read again tomorrow.
    """

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    content = models.FileField(upload_to="originals/", max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.sha256[:12]


class Source(models.TextChoices):
    WEB = "web", _("web upload")
    API = "api", _("app or script (API)")
    MANUAL = "manual", _("manual entry")
    BROWSER = "browser", _("recorded in the browser")
    # Brought by a tracker (trackers); which copy of a walk counts: activities/sources.py.
    STRAVA = "strava", "Strava"
    GARMIN = "garmin", "Garmin"


class UploadStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    PROCESSING = "processing", _("reading")
    DONE = "done", _("done")
    FAILED = "failed", _("could not be read")


class Upload(models.Model):
    """One file as it reached us (a ZIP archive is one upload of many members)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads"
    )
    stored_file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="uploads")
    filename = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.WEB)
    # The sport the person chose for every activity of the file ("" = as the file says).
    sport = models.CharField(max_length=16, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=16, choices=UploadStatus.choices, default=UploadStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # One entry per file read: {"name", "ok", "error", "message", "activities": [ids]}.
    results = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-received_at"]),
            models.Index(fields=["status", "received_at"]),
        ]

    def __str__(self) -> str:
        return self.filename or str(self.stored_file)

    @property
    def is_finished(self) -> bool:
        return self.status in (UploadStatus.DONE, UploadStatus.FAILED)


class Sport(models.TextChoices):
    WALK = "walk", pgettext_lazy("sport", "walk")
    RUN = "run", pgettext_lazy("sport", "run")
    OTHER = "other", pgettext_lazy("sport", "other")


class RouteVisibility(models.TextChoices):
    """Who may see an activity's map besides its owner (docs/decisions/0018-route-privacy.md).
    Whoever it is, the route they see starts and ends 200 m inside the real one."""

    PRIVATE = "private", _("Only me")
    STAFF = "staff", _("My unit's staff and my campaigns' reviewers")
    PUBLIC = "public", pgettext_lazy("route visibility", "Everyone")


# What a new activity gets until the person chooses another default.
DEFAULT_ROUTE_VISIBILITY = RouteVisibility.STAFF


class RoutePreference(models.Model):
    """The person's default for the maps of their new activities (the data page sets it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="route_preference",
    )
    route_visibility = models.CharField(
        _("who sees the maps of my new activities"),
        max_length=8,
        choices=RouteVisibility.choices,
        default=DEFAULT_ROUTE_VISIBILITY,
    )

    def __str__(self) -> str:
        return f"{self.user_id}: {self.route_visibility}"


def default_route_visibility(user) -> str:
    """What a new activity of ``user`` gets: their chosen default, else unit staff."""
    chosen = (
        RoutePreference.objects.filter(user_id=user.pk)
        .values_list("route_visibility", flat=True)
        .first()
    )
    return chosen or DEFAULT_ROUTE_VISIBILITY


class Activity(models.Model):
    """One effort, normalised whatever brought it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activities"
    )
    upload = models.ForeignKey(
        Upload, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    # Unique per source: for files "<sha256>/<member>#<n>", for apps their own id.
    external_id = models.CharField(max_length=300)
    sport = models.CharField(_("sport"), max_length=16, choices=Sport.choices)
    sport_from_file = models.CharField(max_length=16, blank=True)
    started_at = models.DateTimeField(_("start"))
    ended_at = models.DateTimeField(_("end"))
    elapsed_s = models.PositiveIntegerField(default=0)
    moving_s = models.PositiveIntegerField(default=0)
    distance_m = models.PositiveIntegerField(_("distance (m)"))
    elevation_gain_m = models.FloatField(default=0)
    points = models.PositiveIntegerField(default=0)
    avg_pace_s_per_km = models.FloatField(null=True, blank=True)
    max_speed_mps = models.FloatField(null=True, blank=True)
    splits_s = models.JSONField(default=list, blank=True)
    avg_hr = models.PositiveSmallIntegerField(null=True, blank=True)
    max_hr = models.PositiveSmallIntegerField(null=True, blank=True)
    avg_cadence = models.PositiveSmallIntegerField(null=True, blank=True)
    steps = models.PositiveIntegerField(null=True, blank=True)
    device = models.CharField(max_length=120, blank=True)
    has_gps = models.BooleanField(default=True)
    is_manual = models.BooleanField(default=False)
    # The device's own distance (which `distance_m` follows when the file has it) and the
    # geodesic length of the GPS path, as read from the file.
    device_distance_m = models.PositiveIntegerField(null=True, blank=True)
    gps_distance_m = models.PositiveIntegerField(null=True, blank=True)
    # What reading the file noticed and worked around (points without a fix, a clock
    # glitch, a file that ends early…): [{"code", "params"}], told in words by
    # `activities.parsers.base.note_text`.
    parse_notes = models.JSONField(default=list, blank=True)
    # For one sport of a multisport file: {"index", "count", "sport"}.
    session = models.JSONField(null=True, blank=True)
    # Found with the default limits for `sport`; re-found from the file when a
    # campaign sets its own.
    gps_jumps = models.JSONField(default=list, blank=True)
    vehicle_segments = models.JSONField(default=list, blank=True)
    # [[lat, lon], ...] simplified to a few hundred points; the whole of it is
    # shown only to the owner and reviewers, `public_track` drops 200 m each end
    # and is what anyone else sees (activities/visibility.py).
    track = models.JSONField(default=list, blank=True)
    public_track = models.JSONField(default=list, blank=True)
    route_visibility = models.CharField(
        _("who sees the map"),
        max_length=8,
        choices=RouteVisibility.choices,
        default=DEFAULT_ROUTE_VISIBILITY,
    )
    # Chart series along the distance: {"km": [...], "kmh": [...], "ele": [...], "hr": [...]}.
    series = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    # The format of the file it was read from ("fit", "gpx", "tcx", "kml", "recording").
    file_format = models.CharField(max_length=16, blank=True)
    # Set when this is another copy of a walk that counts as that activity (a Strava copy
    # of an uploaded watch file…): this one is kept and shown, never credited
    # (activities/copies.py settles it, docs/decisions/0049-one-walk-many-sources.md).
    copy_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    # The activity on the service it came from, for its owner ("View on Strava").
    source_url = models.URLField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="activity_unique_per_source"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__gte=models.F("started_at")), name="activity_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-started_at"]),
            models.Index(fields=["user", "started_at", "ended_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_sport_display()} {self.distance_m} m {self.started_at:%Y-%m-%d}"

    @property
    def source_kind(self) -> str:
        """Which kind of copy this is (activities/sources.py): fit, file, strava…"""
        from activities.sources import kind_of

        return kind_of(self.source, self.file_format)

    @property
    def source_label(self) -> str:
        from activities.sources import source_label

        return source_label(self.source_kind)

    @property
    def parse_messages(self) -> list[str]:
        """What reading the file noticed, in words, in the active language."""
        from activities.parsers.base import note_text

        return [text for text in map(note_text, self.parse_notes or ()) if text]


class VerdictStatus(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    FLAGGED = "flagged", _("awaiting review")
    REJECTED = "rejected", _("rejected")


class Verdict(models.Model):
    """How one campaign judged one activity, under that campaign's rules."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="verdicts")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="verdicts"
    )
    registration = models.ForeignKey(
        "campaigns.Registration", on_delete=models.CASCADE, related_name="verdicts"
    )
    status = models.CharField(max_length=16, choices=VerdictStatus.choices)
    credited_m = models.PositiveIntegerField(default=0)
    # [{"code", "evidence", "messages": {"vi": ..., "en": ...}}]
    reasons = models.JSONField(default=list, blank=True)
    rules_hash = models.CharField(max_length=16, blank=True)
    judged_at = models.DateTimeField(default=timezone.now)
    # Set when an organiser decided by hand; re-judging then leaves it alone.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-judged_at"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "campaign"], name="verdict_once"),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["registration", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} in {self.campaign_id}: {self.status}"

    @property
    def codes(self) -> list[str]:
        return [reason["code"] for reason in self.reasons]

    def shown_reasons(self, language: str | None = None) -> list[ShownReason]:
        """Each reason with its label, sentence and evidence in words, in `language`
        (default: the active one), times in the campaign's zone."""
        zone = self.campaign.time_zone
        return [shown(reason, language=language, time_zone=zone) for reason in self.reasons]

    def messages(self, language: str | None = None) -> list[str]:
        """The reasons in plain words, in `language` (default: the active one); a
        reason stored without a message reads as its label (activities/reasons.py)."""
        from django.utils import translation

        language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
        out = []
        for reason in self.reasons:
            stored = reason.get("messages") or {}
            out.append(
                stored.get(language) or stored.get(settings.LANGUAGE_CODE) or label(reason["code"])
            )
        return out


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("open")
    UPHELD = "upheld", _("upheld")
    DISMISSED = "dismissed", _("dismissed")


class Complaint(models.Model):
    """A participant's one objection to a rejected activity."""

    verdict = models.OneToOneField(Verdict, on_delete=models.CASCADE, related_name="complaint")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="complaints"
    )
    text = models.CharField(_("what happened"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"complaint on {self.verdict_id}: {self.status}"
