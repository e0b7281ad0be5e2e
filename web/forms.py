"""Forms of the data page: the default for new maps and the deletion's confirmation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from activities.forms import RouteVisibilityForm


class RouteDefaultForm(RouteVisibilityForm):
    apply_to_existing = forms.BooleanField(
        label=_("Also for the activities I already have"), required=False
    )


class DeleteAccountForm(forms.Form):
    """Deleting cannot be undone: the person types their address to confirm."""

    confirm_email = forms.CharField(
        label=_("Type your e-mail address to confirm"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_confirm_email(self) -> str:
        typed = self.cleaned_data["confirm_email"].strip()
        if typed.lower() != self.user.email.lower():
            raise forms.ValidationError(
                _("This is not your e-mail address; nothing was deleted."), code="mismatch"
            )
        return typed
