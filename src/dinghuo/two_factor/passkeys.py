"""Passkeys (WebAuthn) as a second step: where they belong and the ceremonies' options.

The verification itself is django-otp-webauthn's (`WebAuthnHelper`, over py_webauthn): it checks
the browser's signed answer against the challenge kept in the session, the relying party and
the origin. This module only says which relying party and origins: the settings
DINGHUO_WEBAUTHN_RP_ID and DINGHUO_WEBAUTHN_ORIGINS, else the request's own host and origin
(safe for development: Django checks the host against ALLOWED_HOSTS first).
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port
from django_otp_webauthn.helpers import WebAuthnHelper

REGISTERING = "two_factor.passkey_registration"
"""The session key of a registration begun (its challenge), used once."""
SIGNING_IN = "two_factor.passkey_sign_in"
"""The session key of a passkey sign-in begun (its challenge), used once."""
NAME_LENGTH = 60
"""The longest name a person gives a passkey (django-otp's device name holds 64)."""


def relying_party_id(request: HttpRequest) -> str:
    """The domain passkeys belong to: DINGHUO_WEBAUTHN_RP_ID, else this request's host."""
    configured: str = settings.DINGHUO_WEBAUTHN_RP_ID
    if configured:
        return configured
    domain, _port = split_domain_port(request.get_host())
    return domain


class Helper(WebAuthnHelper):  # type: ignore[misc]  # the library has no types
    """django-otp-webauthn's helper, with the relying party and origins of this deployment."""

    def get_allowed_origins(self) -> list[str]:
        configured: list[str] = settings.OTP_WEBAUTHN_ALLOWED_ORIGINS
        if configured:
            return list(configured)
        return [f"{self.request.scheme}://{self.request.get_host()}"]


def helper(request: HttpRequest) -> Helper:
    """The helper for one request (it reads the request's host)."""
    return Helper(request=request)


def registration_options(request: HttpRequest, user: Any) -> dict[str, Any]:
    """The options for the browser to make a passkey for `user`; the challenge is kept in the
    session for `services.add_passkey`."""
    options, state = helper(request).register_begin(user=user)
    request.session[REGISTERING] = state
    return dict(options)


def sign_in_options(request: HttpRequest, user: Any) -> dict[str, Any]:
    """The options for the browser to sign in with one of `user`'s passkeys (only theirs are
    offered); the challenge is kept in the session for `services.check_passkey`."""
    options, state = helper(request).authenticate_begin(user=user, require_user_verification=False)
    request.session[SIGNING_IN] = state
    return dict(options)


def taken_state(request: HttpRequest, key: str) -> dict[str, Any] | None:
    """The ceremony's kept challenge, removed from the session so that it serves once."""
    state = request.session.pop(key, None)
    request.session.save()
    return state if isinstance(state, dict) else None
