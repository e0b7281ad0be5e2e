from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User
from accounts.provinces import ProvinceField
from accounts.validators import normalise_vn_phone
from orgs.models import Unit


class ProfileForm(forms.ModelForm):
    """The profile page's form; the API's PATCH /me goes through it too."""

    # The tree holds thousands of units, so the unit is entered by its code
    # (a search box next to it fills the code in).
    home_unit = forms.ModelChoiceField(
        label=_("Home organisation unit (code)"),
        queryset=Unit.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "invalid_choice": _("No unit has this code. Search by name to find it."),
        },
    )

    class Meta:
        model = User
        fields = [
            "full_name",
            "gender",
            "birth_year",
            "phone",
            "province",
            "district",
            "home_unit",
            "preferred_language",
        ]
        widgets = {
            "birth_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"] = ProvinceField(keep=self.instance.province)
        if self.instance.home_unit_id and not self.is_bound:
            self.initial["home_unit"] = self.instance.home_unit.code

    def clean_phone(self) -> str:
        # Stored in one notation; the model's validator then checks the result.
        return normalise_vn_phone(self.cleaned_data["phone"])

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("Where you will use it, e.g. “Phone app”."),
    )
