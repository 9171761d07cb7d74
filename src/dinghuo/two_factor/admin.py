"""django-otp registers admin pages of its devices; they leave the admin again: an
authenticator or recovery code made by hand there would skip the services (a confirmed device
without a code ever checked, recovery codes that were never shown), and the secrets would show
on the page."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
