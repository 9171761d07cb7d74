"""The forms of the sign-in pages; they only check input (the services write)."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


class CurrentPasswordForm(forms.Form):
    """An invited person who already has an account gives the password they use."""

    password = forms.CharField(
        label=_("Your password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class NewcomerForm(SetPasswordForm):  # type: ignore[type-arg]
    """An invited person whose name nobody gave yet (an owner invited by the command line)
    says it while choosing their password."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True}),
    )
    field_order = ["name", "new_password1", "new_password2"]
