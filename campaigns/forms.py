"""The organiser's forms: a short campaign form that takes local times in the
campaign's zone, its distance categories, its activity rules and the unit
targets. Saving lives in campaigns/organiser.py."""

import re
import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.renderers import DjangoTemplates
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from campaigns.display import join_local, split_local
from campaigns.models import Campaign, DistanceCategory, Sport
from campaigns.rules import DEFAULT_RULES, merged_rules
from core.amounts import VndField
from core.formatting import pace
from orgs.models import Unit, UnitKind

TIME_RE = re.compile(r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")
PACE_RE = re.compile(r"^(\d{1,2}):([0-5]\d)$")
RESERVED_SLUGS = {"new"}  # /manage/campaigns/new/
TIME_ZONES = [
    "Asia/Ho_Chi_Minh",
    "Asia/Bangkok",
    "Asia/Singapore",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
]


def make_slug(title: str) -> str:
    """ "Triệu bước chân nhân ái 2024" → "trieu-buoc-chan-nhan-ai-2024" (đ has no
    decomposition, so it is spelled out first)."""
    text = title.replace("đ", "d").replace("Đ", "D")
    return slugify(text)[:70].strip("-") or "chien-dich"


def unique_slug(title: str, exclude_pk: int | None = None) -> str:
    base = make_slug(title)
    taken = set(
        Campaign.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class FormRenderer(DjangoTemplates):
    """Pico's layout: label, input, then the help text and errors below it."""

    field_template_name = "campaigns/manage/_field.html"


class OrganiserForm:
    """Mixin: the organiser forms' renderer and labels without a colon."""

    default_renderer = FormRenderer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LocalTimeField(forms.CharField):
    """ "HH:MM" in 24-hour time; "24:00" is the end of the day."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 5)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "08:00", "size": 5}),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value).strip()
        if value and len(value) == 4 and value[1] == ":":
            value = f"0{value}"
        if value and not TIME_RE.match(value):
            raise ValidationError(_("Enter a time as HH:MM, for example 08:00 or 24:00."))
        return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


# (start field, stored field, may read "24:00")
MOMENTS = [
    ("start", "starts_at", False),
    ("end", "ends_at", True),
    ("registration_opens", "registration_opens_at", False),
    ("registration_closes", "registration_closes_at", True),
    ("teams_lock", "teams_lock_at", False),  # optional: empty locks teams at the start
]


class CampaignForm(OrganiserForm, forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=[(z, z) for z in TIME_ZONES])
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    start_time = LocalTimeField(label=_("Start time"), initial="08:00")
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    end_time = LocalTimeField(label=_("End time"), initial="24:00")
    registration_opens_date = forms.DateField(
        label=_("Registration opens"), required=False, widget=DateInput()
    )
    registration_opens_time = LocalTimeField(label=_("at"), required=False)
    registration_closes_date = forms.DateField(
        label=_("Registration closes"), required=False, widget=DateInput()
    )
    registration_closes_time = LocalTimeField(label=_("at"), required=False)
    teams_lock_date = forms.DateField(label=_("Teams lock"), required=False, widget=DateInput())
    teams_lock_time = LocalTimeField(label=_("at"), required=False)
    sports = forms.MultipleChoiceField(
        label=_("Sports"),
        choices=Sport.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Sport.WALK, Sport.RUN],
    )

    class Meta:
        model = Campaign
        fields = [
            "title_vi",
            "title_en",
            "slug",
            "description_vi",
            "description_en",
            "cover",
            "organiser_unit",
            "time_zone",
            "sports",
            "participant_target",
            "money_target",
            "vnd_per_km",
            "appeal_window_hours",
            "count_before_registration",
            "visibility",
            "is_published",
        ]
        widgets = {
            "description_vi": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
        }
        # Đồng as people write them ("20.000.000", "1,000 đ"), read by core.amounts.
        field_classes = {"money_target": VndField, "vnd_per_km": VndField}
        help_texts = {
            "slug": _("Leave empty to make one from the Vietnamese title."),
            "vnd_per_km": _("How many đồng each valid kilometre is worth."),
            "appeal_window_hours": _(
                "After the campaign ends, participants may still complain and organisers "
                "review for this many hours; then the results can be frozen."
            ),
        }

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser_unit"].queryset = units.order_by("path")
        self.fields["slug"].required = False
        self.fields["appeal_window_hours"].required = False
        campaign = self.instance
        if campaign.time_zone not in TIME_ZONES:
            self.fields["time_zone"].choices += [(campaign.time_zone, campaign.time_zone)]
        if campaign.pk:
            for prefix, stored, is_end in MOMENTS:
                if getattr(campaign, stored) is None:
                    continue
                day, hhmm = split_local(getattr(campaign, stored), campaign.tz, is_end=is_end)
                self.initial[f"{prefix}_date"] = day
                self.initial[f"{prefix}_time"] = hhmm

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or ""
        if not slug:
            slug = unique_slug(self.data.get("title_vi") or "", exclude_pk=self.instance.pk)
        if slug in RESERVED_SLUGS:
            raise ValidationError(_("This web address is reserved; choose another."))
        return slug

    def clean_appeal_window_hours(self) -> int:
        """Left empty: the default window (48 hours)."""
        hours = self.cleaned_data.get("appeal_window_hours")
        if hours is None:
            return Campaign._meta.get_field("appeal_window_hours").get_default()
        return hours

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"]
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError(_("Unknown time zone.")) from None
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "time_zone" not in data:
            return data
        tz = zoneinfo.ZoneInfo(data["time_zone"])
        moments: dict[str, Any] = {}
        for prefix, stored, _is_end in MOMENTS:
            day, hhmm = data.get(f"{prefix}_date"), data.get(f"{prefix}_time")
            if day and hhmm:
                moments[stored] = join_local(day, hhmm, tz)
            elif day or hhmm:
                self.add_error(f"{prefix}_date", _("Give both the date and the time."))
        starts, ends = moments.get("starts_at"), moments.get("ends_at")
        if not (starts and ends):
            return data
        if ends <= starts:
            self.add_error("end_date", _("The campaign must end after it starts."))
            return data
        opens = moments.get("registration_opens_at") or (
            self.instance.registration_opens_at if self.instance.pk else timezone.now()
        )
        closes = moments.get("registration_closes_at") or ends
        if closes > ends:
            self.add_error(
                "registration_closes_date",
                _("Registration cannot close after the campaign ends."),
            )
        elif closes <= opens:
            self.add_error("registration_closes_date", _("Registration must close after it opens."))
        teams_lock = moments.get("teams_lock_at")
        if teams_lock is not None and teams_lock > ends:
            self.add_error("teams_lock_date", _("Teams cannot lock after the campaign ends."))
        self.instance.teams_lock_at = teams_lock
        self.instance.starts_at = starts
        self.instance.ends_at = ends
        self.instance.registration_opens_at = opens
        self.instance.registration_closes_at = closes
        return data


class CategoryForm(OrganiserForm, forms.ModelForm):
    km = forms.DecimalField(
        label=_("km"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("10000"),
        decimal_places=2,
    )

    class Meta:
        model = DistanceCategory
        fields = ["name_vi", "name_en"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.distance_m:
            self.initial["km"] = Decimal(self.instance.distance_m) / 1000
        self.fields["name_vi"].widget.attrs["placeholder"] = _("e.g. 5 km")

    def save(self, commit: bool = True) -> DistanceCategory:
        km = self.cleaned_data.get("km")
        self.instance.distance_m = int(km * 1000) if km else None
        return super().save(commit=commit)


class BaseCategoryFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk and form.instance.registrations.exists():
                raise ValidationError(
                    _("“%(name)s” has registrations and cannot be removed.")
                    % {"name": form.instance.name}
                )


CategoryFormSet = forms.inlineformset_factory(
    Campaign,
    DistanceCategory,
    form=CategoryForm,
    formset=BaseCategoryFormSet,
    extra=2,
    can_delete=True,
    max_num=12,
)


def _pace_text(seconds: int | None) -> str:
    return "" if seconds is None else pace(seconds)


class PaceField(forms.CharField):
    """Minutes:seconds per km ("6:00") stored as seconds."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "6:00", "size": 5}))
        super().__init__(max_length=5, **kwargs)

    def clean(self, value: Any) -> int | None:
        value = super().clean(value).strip()
        if not value:
            return None
        match = PACE_RE.match(value)
        if not match:
            raise ValidationError(_("Enter a pace as minutes:seconds, for example 6:00."))
        return int(match[1]) * 60 + int(match[2])


def _km(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        min_value=Decimal("0"), max_value=Decimal("1000"), decimal_places=2, **kwargs
    )


class RulesForm(OrganiserForm, forms.Form):
    """The numeric activity rules of campaigns/rules.py; stores only what
    differs from the defaults."""

    min_distance_km = _km(label=_("Shortest activity (km)"))
    max_distance_km = _km(label=_("Longest activity (km)"), required=False)
    daily_cap_km = _km(label=_("Most km counted per day"), required=False)
    sync_window_hours = forms.IntegerField(
        label=_("Hours to send an activity after it ends"), min_value=1, max_value=720
    )
    close_grace_hours = forms.IntegerField(
        label=_("Hours to send activities after the campaign ends"), min_value=0, max_value=720
    )
    allow_manual = forms.BooleanField(label=_("Accept activities typed in by hand"), required=False)
    allow_no_gps = forms.BooleanField(label=_("Accept activities without GPS"), required=False)

    SPORT_FIELDS = [
        ("min_pace_s", _("fastest average pace (min:s per km)")),
        ("max_pace_s", _("slowest average pace (min:s per km)")),
        ("fastest_split_s", _("fastest 1 km split (min:s)")),
    ]

    def __init__(self, *args: Any, rules: dict | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = merged_rules(rules)
        self.sports = list(rules["sports"])
        for sport in self.sports:
            sport_label = Sport(sport).label if sport in Sport.values else sport
            for key, label in self.SPORT_FIELDS:
                self.fields[f"{sport}_{key}"] = PaceField(label=f"{sport_label}: {label}")
                self.initial[f"{sport}_{key}"] = _pace_text(rules["sports"][sport].get(key))
        for key in ("min_distance", "max_distance", "daily_cap"):
            metres = rules[f"{key}_m"]
            self.initial[f"{key}_km"] = None if metres is None else Decimal(metres) / 1000
        for key in ("sync_window_hours", "close_grace_hours", "allow_manual", "allow_no_gps"):
            self.initial[key] = rules[key]

    def sport_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (sport, [self[f"{sport}_{key}"] for key, _label in self.SPORT_FIELDS])
            for sport in self.sports
        ]

    def general_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.base_fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("min_distance_km"), data.get("max_distance_km")
        if low is not None and high is not None and high <= low:
            self.add_error("max_distance_km", _("Must be longer than the shortest activity."))
        cap = data.get("daily_cap_km")
        if low is not None and cap is not None and cap < low:
            self.add_error("daily_cap_km", _("Must be at least the shortest activity."))
        for sport in self.sports:
            fastest, slowest, split = (data.get(f"{sport}_{key}") for key, _l in self.SPORT_FIELDS)
            if fastest and slowest and slowest <= fastest:
                self.add_error(
                    f"{sport}_max_pace_s", _("The slowest pace must be slower than the fastest.")
                )
            if fastest and split and split > fastest:
                self.add_error(
                    f"{sport}_fastest_split_s",
                    _("The fastest split cannot be slower than the fastest average pace."),
                )
        return data

    def to_rules(self) -> dict[str, Any]:
        """What the campaign stores: only the values that differ from the defaults."""
        data = self.cleaned_data

        def metres(km: Decimal | None) -> int | None:
            return None if km is None else int(km * 1000)

        full: dict[str, Any] = {
            "min_distance_m": metres(data["min_distance_km"]),
            "max_distance_m": metres(data.get("max_distance_km")),
            "daily_cap_m": metres(data.get("daily_cap_km")),
            "sync_window_hours": data["sync_window_hours"],
            "close_grace_hours": data["close_grace_hours"],
            "allow_manual": data["allow_manual"],
            "allow_no_gps": data["allow_no_gps"],
        }
        stored = {key: value for key, value in full.items() if DEFAULT_RULES.get(key) != value}
        sports: dict[str, dict[str, int | None]] = {}
        for sport in self.sports:
            defaults = DEFAULT_RULES["sports"].get(sport, {})
            changed = {
                key: data.get(f"{sport}_{key}")
                for key, _label in self.SPORT_FIELDS
                if defaults.get(key) != data.get(f"{sport}_{key}")
            }
            if changed:
                sports[sport] = changed
        if sports:
            stored["sports"] = sports
        return stored


class TargetsForm(OrganiserForm, forms.Form):
    """One number per kind of unit ("every school ≥ 10") and, per unit, an
    own target with an optional stretch target."""

    def __init__(self, *args: Any, kinds: list[str], units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds, self.units = kinds, units
        number = {"min_value": 0, "max_value": 1_000_000, "required": False}
        for kind in kinds:
            self.fields[f"kind_{kind}"] = forms.IntegerField(label=UnitKind(kind).label, **number)
        for unit in units:
            self.fields[f"unit_{unit.pk}"] = forms.IntegerField(label=_("Own target"), **number)
            self.fields[f"stretch_{unit.pk}"] = forms.IntegerField(
                label=_("Stretch target"), **number
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for unit in self.units:
            own, stretch = data.get(f"unit_{unit.pk}"), data.get(f"stretch_{unit.pk}")
            if stretch is not None and own is None:
                self.add_error(f"stretch_{unit.pk}", _("Set the target before a stretch target."))
            elif stretch is not None and own is not None and stretch < own:
                self.add_error(
                    f"stretch_{unit.pk}", _("The stretch target cannot be below the target.")
                )
        return data

    def kind_targets(self) -> dict[str, int | None]:
        return {kind: self.cleaned_data.get(f"kind_{kind}") for kind in self.kinds}

    def unit_targets(self) -> dict[Unit, tuple[int | None, int | None]]:
        return {
            unit: (
                self.cleaned_data.get(f"unit_{unit.pk}"),
                self.cleaned_data.get(f"stretch_{unit.pk}"),
            )
            for unit in self.units
        }
