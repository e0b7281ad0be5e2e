"""Forms of the donations app. Amounts of đồng are read by `core.amounts.VndField`
(whatever a person types, "150.000", "150,000 đ", "150000", goes through
`core.amounts.parse_vnd`), the same field as the campaign form's money fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.amounts import VndField

__all__ = ["DonateForm", "VndField"]


class DonateForm(forms.Form):
    preset = forms.CharField(required=False)
    amount = VndField(label=_("Another amount (đồng)"), required=False)
    donor_name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    is_anonymous = forms.BooleanField(label=_("Give anonymously"), required=False)
    message = forms.CharField(
        label=_("Message"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    email = forms.EmailField(label=_("E-mail for a receipt"), required=False)
    method = forms.ChoiceField(label=_("Pay with"), widget=forms.RadioSelect)

    def __init__(self, *args, methods: list[tuple[str, str]], presets: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.presets = presets
        self.fields["method"].choices = methods
        if len(methods) == 1:
            self.fields["method"].initial = methods[0][0]

    def clean(self) -> dict:
        data = super().clean()
        preset = data.get("preset") or ""
        if data.get("amount") is not None:
            data["amount_value"] = data["amount"]
        elif "amount" in self.errors:
            data["amount_value"] = None
        elif preset.isdigit() and int(preset) in self.presets:
            data["amount_value"] = int(preset)
        else:
            data["amount_value"] = None
            self.add_error("amount", _("Choose or write an amount."))
        return data
