"""Forms of the donations app that read amounts of đồng, with `VndField`:
whatever a person types ("150.000", "150,000 đ", "150000") is read by
`donations.amounts.parse_vnd`, so every form reads an amount the same way."""

from __future__ import annotations

from django import forms
from django.core import validators
from django.utils.translation import gettext_lazy as _

from core.formatting import digits as group_digits
from donations.amounts import MAX_LENGTH, AmountError, parse_vnd


class VndField(forms.Field):
    """Whole đồng as people write them; cleaned to an int (None when empty)."""

    widget = forms.TextInput

    def __init__(self, *, min_value: int | None = None, max_value: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if min_value is not None:
            self.validators.append(validators.MinValueValidator(min_value))
        if max_value is not None:
            self.validators.append(validators.MaxValueValidator(max_value))

    def widget_attrs(self, widget) -> dict:
        attrs = super().widget_attrs(widget)
        return {**attrs, "inputmode": "numeric", "autocomplete": "off", "maxlength": MAX_LENGTH}

    def to_python(self, value) -> int | None:
        if isinstance(value, int):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return parse_vnd(text)
        except AmountError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def prepare_value(self, value):
        # An amount the form was given (not typed) shows grouped, as the site writes it.
        return group_digits(value) if isinstance(value, int) else value


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
