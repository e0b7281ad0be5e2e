from __future__ import annotations

from django import forms

from notifications.kinds import KINDS


class PreferencesForm(forms.Form):
    """Two boxes per kind: ``<kind>-email`` and ``<kind>-in_app``."""

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for choice in choices:
            code = choice.kind.code
            self.fields[f"{code}-email"] = forms.BooleanField(
                required=False, initial=choice.email, label=choice.kind.label
            )
            self.fields[f"{code}-in_app"] = forms.BooleanField(
                required=False, initial=choice.in_app, label=choice.kind.label
            )
            self.rows.append((choice.kind, self[f"{code}-email"], self[f"{code}-in_app"]))

    def chosen(self) -> dict[str, tuple[bool, bool]]:
        return {
            code: (self.cleaned_data[f"{code}-email"], self.cleaned_data[f"{code}-in_app"])
            for code in KINDS
        }
