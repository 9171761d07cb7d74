"""The new owner's way in: a one-time link to set their password, made with Django's
password-reset tokens (the link dies once the password is set, or after
PASSWORD_RESET_TIMEOUT). The invitation service replaces `set_password_link` when it comes:
it is the one place that makes the owner's link."""

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def set_password_link(user: AbstractBaseUser, *, base_url: str) -> str:
    """The absolute link where `user` sets their password, once."""
    path = reverse(
        "operators:set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path
