"""Forms for people's own activities: the upload, a walk or run typed in by
hand, the sport correction and a complaint."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.models import RouteVisibility, Sport
from activities.review import COMPLAINT_MAX_CHARS

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DURATION_RE = re.compile(r"^\s*(?:(\d{1,2}):)?(\d{1,2}):(\d{2})\s*$")

UPLOAD_SPORTS = [
    ("", _("as the file says")),
    (Sport.WALK, pgettext_lazy("sport", "walk")),
    (Sport.RUN, pgettext_lazy("sport", "run")),
]
MANUAL_SPORTS = [
    (Sport.WALK, pgettext_lazy("sport", "walk")),
    (Sport.RUN, pgettext_lazy("sport", "run")),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadForm(forms.Form):
    """The no-script form; the page's script sends each file on its own."""

    files = forms.FileField(
        label=_("Activity files"),
        help_text=_("GPX, TCX, FIT or KML (KMZ), also gzipped (.gz) or several in a ZIP archive."),
        widget=MultipleFileInput(
            attrs={"accept": ".gpx,.tcx,.fit,.kml,.kmz,.gz,.zip", "multiple": True}
        ),
        required=False,
    )
    sport = forms.ChoiceField(label=_("Sport"), choices=UPLOAD_SPORTS, required=False)


def parse_duration(value: str) -> int:
    """'1:05:30', '45:00' → seconds; a ValidationError for anything else."""
    match = DURATION_RE.match(value or "")
    if not match:
        raise forms.ValidationError(
            _("Write the duration as h:mm:ss, for example 0:45:00."), code="invalid"
        )
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    if (hours and minutes >= 60) or seconds >= 60:
        raise forms.ValidationError(
            _("Write the duration as h:mm:ss, for example 0:45:00."), code="invalid"
        )
    return hours * 3600 + minutes * 60 + seconds


class ManualForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Start time (Vietnam time)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    sport = forms.ChoiceField(label=_("Sport"), choices=MANUAL_SPORTS)
    distance_km = forms.DecimalField(
        label=_("Distance (km)"),
        min_value=Decimal("0.01"),
        max_value=Decimal("500"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    duration = forms.CharField(
        label=_("Duration (h:mm:ss)"),
        max_length=9,
        widget=forms.TextInput(attrs={"placeholder": "0:45:00", "inputmode": "numeric"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_duration(self) -> int:
        seconds = parse_duration(self.cleaned_data["duration"])
        if seconds <= 0:
            raise forms.ValidationError(_("Enter a duration above zero."), code="invalid")
        return seconds

    @property
    def started_at(self) -> datetime:
        data = self.cleaned_data
        return datetime.combine(data["date"], data["start_time"], tzinfo=VIETNAM)

    @property
    def distance_m(self) -> int:
        return int(round(self.cleaned_data["distance_km"] * 1000))

    @property
    def ended_at(self) -> datetime:
        return self.started_at + timedelta(seconds=self.cleaned_data["duration"])


class SportForm(forms.Form):
    sport = forms.ChoiceField(label=_("Sport"), choices=Sport.choices)


class ComplaintForm(forms.Form):
    text = forms.CharField(
        label=_("What happened?"),
        max_length=COMPLAINT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RouteVisibilityForm(forms.Form):
    """Who sees an activity's map; the data page uses it for the default of new ones."""

    route_visibility = forms.ChoiceField(
        label=_("Who sees the map"),
        choices=RouteVisibility.choices,
        widget=forms.RadioSelect,
    )
