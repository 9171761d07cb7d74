"""The forms of two-step sign-in: a code, and a tenant's rule."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dinghuo.two_factor.models import Requirement


class CodeForm(forms.Form):
    """A 6-digit code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=pgettext_lazy("sign-in", "Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class RequirementForm(forms.Form):
    """Who of the tenant must sign in in two steps."""

    requires = forms.ChoiceField(
        label=_("Who must use two-step sign-in"),
        choices=Requirement.choices,
        widget=forms.RadioSelect,
    )


class RemovePasskeyForm(forms.Form):
    """Removing one passkey: which, and the person's password to confirm."""

    passkey = forms.IntegerField(widget=forms.HiddenInput)
    password = forms.CharField(
        label=_("Your password"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class NewPasskeyForm(forms.Form):
    """The name of a new passkey (the browser makes the passkey itself)."""

    name = forms.CharField(
        label=_("Name of the passkey"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("For example: work laptop")}),
    )
