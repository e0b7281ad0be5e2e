from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts import names
from accounts.consent import PURPOSE
from accounts.models import ApiToken, PublicName, User
from accounts.provinces import ProvinceField
from accounts.services import record_consent
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


class PublicNameForm(forms.ModelForm):
    """How the person appears on public pages. Each choice shows what it looks like
    with their own name; a minor's full name is never public, so that choice is
    refused with the reason."""

    class Meta:
        model = User
        fields = ["public_name_choice"]
        widgets = {"public_name_choice": forms.RadioSelect}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        user = self.instance
        examples = {
            PublicName.FULL: user.full_name,
            PublicName.SHORT: names.short_name(user.full_name),
            PublicName.ANONYMOUS: names.anonymous_label(user.pk),
        }
        self.minor = names.is_minor(user)
        choices = []
        for value, label in PublicName.choices:
            example = examples.get(value, "") or names.public_name(
                _Preview(user, value)  # what "auto" gives today
            )
            choices.append((value, f"{label} — {example}" if example else label))
        field = self.fields["public_name_choice"]
        field.choices = choices
        field.label = _("How your name appears on public pages")
        field.help_text = (
            _(
                "Boards, team pages, donor lists and the API show this. Until the year"
                " after you turn 18, your full name is never shown there."
            )
            if self.minor
            else _("Boards, team pages, donor lists and the API show this.")
        )

    def clean_public_name_choice(self) -> str:
        choice = self.cleaned_data["public_name_choice"]
        if choice == PublicName.FULL and self.minor:
            raise forms.ValidationError(
                _(
                    "Your full name cannot be public until the year after you turn 18."
                    " Choose your short name or anonymous."
                ),
                code="minor_full_name",
            )
        return choice


class _Preview:
    """The user with another public-name choice, to show what it gives."""

    def __init__(self, user: User, choice: str) -> None:
        self.pk = user.pk
        self.full_name = user.full_name
        self.birth_year = user.birth_year
        self.public_name_choice = choice


class SignupForm(forms.Form):
    """What sign-up asks besides allauth's own fields (e-mail and password, or the
    social account): consent to the stated purpose, recorded with its version."""

    # allauth orders its sign-up fields by this: the consent comes last, by the button.
    field_order = ["email", "password1", "password2", "consent"]

    consent = forms.BooleanField(
        label=_("I agree that KindSteps keeps and uses my data for this purpose."),
        required=True,
        error_messages={
            "required": _("To take part, agree to the purpose, or leave without an account.")
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].help_text = format_html(
            '{purpose} <a href="{url}" target="_blank">{more}</a>',
            purpose=PURPOSE,
            url=reverse("privacy"),
            more=_("What we keep and your rights"),
        )

    def signup(self, request, user) -> None:
        """Called by allauth once the new user is saved."""
        record_consent(user, language=get_language() or settings.LANGUAGE_CODE)
