"""The addresses the passkey script calls (two_factor/passkey_views.py), shared by the doors."""

from django.urls import path

from dinghuo.two_factor import passkey_views

app_name = "two_factor"

urlpatterns = [
    path("passkeys/new/options/", passkey_views.registration_options, name="passkey-options"),
    path("passkeys/new/", passkey_views.add, name="passkey-add"),
    path("passkey/options/", passkey_views.sign_in_options, name="passkey-sign-in-options"),
    path("passkey/", passkey_views.sign_in, name="passkey-sign-in"),
]
