"""The organiser's task form: local date and time in the campaign's zone."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from campaigns.display import join_local
from campaigns.forms import DateInput, LocalTimeField, OrganiserForm
from campaigns.models import Campaign
from orgs.models import Unit, UnitKind
from outreach.services import MAX_REMINDER_DAYS, MAX_WANTED


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class TaskForm(OrganiserForm, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What to send, sizes, wording, where to hang the banner…"),
    )
    from_unit = UnitChoiceField(
        label=_("Addressed to the units below"), queryset=Unit.objects.none(), empty_label=None
    )
    unit_kinds = forms.MultipleChoiceField(
        label=_("Kinds of unit"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every unit below."),
    )
    deadline_date = forms.DateField(label=_("Deadline"), widget=DateInput())
    deadline_time = LocalTimeField(label=_("at"), initial="24:00")
    wants_images = forms.IntegerField(
        label=_("Images wanted (at least)"), min_value=0, max_value=MAX_WANTED, initial=1
    )
    wants_files = forms.IntegerField(
        label=_("Documents wanted (at least)"),
        min_value=0,
        max_value=MAX_WANTED,
        initial=0,
        help_text=_("PDF, Word (.docx) or Excel (.xlsx)."),
    )
    reminder_days_before = forms.IntegerField(
        label=_("Reminder, days before the deadline"),
        min_value=0,
        max_value=MAX_REMINDER_DAYS,
        initial=2,
        help_text=_("0: no reminder."),
    )

    def __init__(
        self, *args: Any, campaign: Campaign, units: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["from_unit"].queryset = units
        below = set(
            Unit.objects.filter(
                campaign.organiser_unit.subtree_q(), depth__gt=campaign.organiser_unit.depth
            ).values_list("kind", flat=True)
        )
        self.fields["unit_kinds"].choices = [
            (kind, label) for kind, label in UnitKind.choices if kind in below
        ]

    def deadline(self):
        data = self.cleaned_data
        return join_local(data["deadline_date"], data["deadline_time"], self.campaign.tz)
