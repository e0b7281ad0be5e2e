from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Gender
from campaigns.models import Campaign
from orgs.models import UnitKind
from results.models import Award, AwardKind


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do the results change?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the results page beside the date of the correction."),
    )


class AwardForm(forms.ModelForm):
    class Meta:
        model = Award
        fields = ["kind", "name", "count", "category", "gender", "unit_kind"]

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = campaign.categories.all()
        self.fields["category"].required = False
        self.fields["category"].empty_label = _("Every category")
        self.fields["gender"] = forms.ChoiceField(
            label=_("Gender"), choices=[("", _("Everyone")), *Gender.choices], required=False
        )
        self.fields["unit_kind"] = forms.ChoiceField(
            label=_("Kind of unit"),
            choices=[("", _("Every kind")), *UnitKind.choices],
            required=False,
        )
        self.fields["count"].help_text = _(
            "How many places win; for units over their target, 0 lists them all."
        )

    def clean(self):
        data = super().clean()
        if data.get("kind") == AwardKind.TOP_UNITS and not data.get("unit_kind"):
            self.add_error("unit_kind", _("Choose the kind of unit the award is for."))
        if data.get("kind") != AwardKind.OVER_TARGET and not data.get("count"):
            self.add_error("count", _("At least one place wins."))
        return data
