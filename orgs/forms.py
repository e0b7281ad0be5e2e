from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.importing import READERS, file_format
from orgs.models import Role, UnitKind

MAX_UPLOAD = 10 * 1024 * 1024


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or code"), max_length=100, required=False)


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)


class ChildUnitForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8) or Excel .xlsx with the columns code, name, kind, parent_code."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if file_format(upload.name) not in READERS:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class RoleForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.STAFF)
