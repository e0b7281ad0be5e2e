"""Forms of the team pages. They only collect input; the rules live in
teams.services, whose errors the views add to these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Registration
from campaigns.services import UNIT_SELECT_LIMIT, campaign_units
from orgs.models import Unit
from teams.models import Team


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class TeamForm(forms.Form):
    """Name and an optional unit: a select while the organiser's subtree is
    small, a code field once a select would be too long to use."""

    name = forms.CharField(
        label=_("Team name"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, campaign: Campaign, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        units = campaign_units(campaign)
        if units.count() <= UNIT_SELECT_LIMIT:
            self.fields["unit"] = UnitChoiceField(
                units,
                required=False,
                label=_("Unit (optional)"),
                empty_label=_("No unit"),
                help_text=_("The chapter, school or office the team belongs to, if any."),
            )
        else:
            self.fields["unit_code"] = forms.CharField(
                required=False,
                max_length=64,
                label=_("Unit code (optional)"),
                help_text=_("The code of the chapter, school or office, e.g. LA-CD-LTR."),
            )

    def clean_unit_code(self) -> Unit | None:
        code = self.cleaned_data.get("unit_code", "").strip()
        if not code:
            return None
        unit = campaign_units(self.campaign).filter(code__iexact=code).first()
        if unit is None:
            raise forms.ValidationError(_("No unit of this campaign has that code."))
        return unit

    def chosen_unit(self) -> Unit | None:
        return self.cleaned_data.get("unit") or self.cleaned_data.get("unit_code")


class JoinByCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Team invite code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("8 letters and digits, from the team's captain or members."),
    )


class RenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=80)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Registration) -> str:
        return f"#{obj.bib} {obj.user.full_name or _('Participant')}"


NO_TEAM = "none"


class MoveForm(forms.Form):
    """An organiser moves a member of ``team`` to another team or out of any;
    "no team" is a choice of its own, never what an untouched field means."""

    member = MemberChoiceField(Registration.objects.none(), label=_("Member"))
    to = forms.ChoiceField(label=_("Move to"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Kept in the log with your name."),
    )

    def __init__(self, *args, team: Team, members: list[Registration], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = team.registrations.filter(
            pk__in=[m.pk for m in members]
        ).select_related("user")
        self.teams = {
            str(other.pk): other
            for other in Team.objects.filter(campaign_id=team.campaign_id).exclude(pk=team.pk)
        }
        self.fields["to"].choices = [
            ("", "---------"),
            (NO_TEAM, _("No team")),
            *((pk, other.name) for pk, other in self.teams.items()),
        ]

    def clean_to(self) -> Team | None:
        value = self.cleaned_data["to"]
        return None if value == NO_TEAM else self.teams[value]
