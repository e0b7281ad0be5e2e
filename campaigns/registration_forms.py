"""Forms of the registration page: the profile fields a person still lacks, and
the registration itself (category, home unit, rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Gender, User
from accounts.provinces import ProvinceField
from accounts.validators import normalise_vn_phone
from campaigns import services
from campaigns.models import Campaign
from orgs.models import Unit

# Profile fields this page may ask for; the home unit is chosen with the
# registration itself, so it is not among them.
PROFILE_FIELDS = ("full_name", "gender", "birth_year", "phone", "province")


class MissingProfileForm(forms.ModelForm):
    """Only the profile fields that are still empty, each required. The model's
    validators (phone, birth year) run on save as usual."""

    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, widget=forms.RadioSelect)

    class Meta:
        model = User
        fields = list(PROFILE_FIELDS)
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "birth_year": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1900}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args, missing: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"] = ProvinceField()
        for name in list(self.fields):
            if name not in missing:
                del self.fields[name]
            else:
                self.fields[name].required = True

    def clean_phone(self) -> str:
        return normalise_vn_phone(self.cleaned_data["phone"])

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


def missing_profile_fields(user: User) -> list[str]:
    return [name for name in user.missing_profile_fields() if name in PROFILE_FIELDS]


class UnitChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, base_depth: int = 1, **kwargs) -> None:
        self.base_depth = base_depth
        super().__init__(*args, **kwargs)

    def label_from_instance(self, unit: Unit) -> str:
        # Indent by depth below the organiser unit so the select reads as a tree.
        return "\u2003" * (unit.depth - self.base_depth) + unit.name


class RegistrationForm(forms.Form):
    """The registration choices. ``fixed_unit`` (from a unit's invite link)
    replaces the unit field; above ``services.UNIT_SELECT_LIMIT`` units the unit
    is picked from search results rather than a select."""

    category = forms.ModelChoiceField(
        label=_("Distance category"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose a distance category.")},
    )
    unit = UnitChoiceField(
        label=_("Your unit"),
        queryset=None,
        to_field_name="code",
        help_text=_("The Red Cross chapter you walk and run for."),
        error_messages={
            "required": _("Choose the unit you walk and run for."),
            "invalid_choice": _("Choose a unit of this campaign."),
        },
    )
    accept_rules = forms.BooleanField(
        label=_("I have read the campaign rules and accept them."),
        error_messages={"required": _("Please read and accept the campaign rules.")},
    )

    def __init__(
        self,
        *args,
        campaign: Campaign,
        fixed_unit: Unit | None = None,
        initial_unit: Unit | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fixed_unit = fixed_unit
        categories = campaign.categories.all()
        if categories:
            self.fields["category"].queryset = categories
            if len(categories) == 1:
                self.initial.setdefault("category", categories[0].pk)
        else:
            del self.fields["category"]
        if fixed_unit is not None:
            del self.fields["unit"]
            self.unit_search = False
            return
        units = services.campaign_units(campaign)
        field = self.fields["unit"]
        field.queryset = units
        field.base_depth = campaign.organiser_unit.depth
        # A large subtree is searched (the template draws the results as radios).
        self.unit_search = units.count() >= services.UNIT_SELECT_LIMIT
        if initial_unit is not None and units.filter(pk=initial_unit.pk).exists():
            self.initial.setdefault("unit", initial_unit.code)

    def chosen_unit(self) -> Unit | None:
        return self.fixed_unit or self.cleaned_data.get("unit")

    def shown_unit(self) -> Unit | None:
        """The unit the search widget shows as chosen (the posted one, else the profile's)."""
        if not self.unit_search:
            return None
        code = self.data.get("unit") if self.is_bound else self.initial.get("unit")
        if not code:
            return None
        return services.campaign_units(self.campaign).filter(code=code).first()
