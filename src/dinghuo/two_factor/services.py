"""The writes of two-step sign-in: setting up an authenticator, checking a code, recovery
codes, turning it off, passkeys, and a tenant's rule. Each is one transaction.

A checked code is spent: the authenticator keeps the time step of the last code it accepted
(django-otp's `last_t`) and takes only later ones, and a recovery code is deleted when used.
A passkey's answer is checked by django-otp-webauthn against a challenge used once.
"""

from enum import StrEnum
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.exceptions import OTPWebAuthnApiError
from django_otp_webauthn.models import WebAuthnCredential
from webauthn.helpers.exceptions import WebAuthnException

from dinghuo.audit import services as audit
from dinghuo.two_factor import codes
from dinghuo.two_factor.models import Requirement, SignInPolicy
from dinghuo.two_factor.passkeys import NAME_LENGTH, Helper
from dinghuo.two_factor.queries import has_passkeys, standing, tenants_of

# What a browser's answer that does not verify raises: py_webauthn's and django-otp-webauthn's
# refusals, and malformed JSON (a missing key, a wrong type).
_REFUSED = (WebAuthnException, OTPWebAuthnApiError, KeyError, TypeError, ValueError, AttributeError)

AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"


@transaction.atomic
def begin_enrolment(*, user_id: int) -> TOTPDevice:
    """A new authenticator secret for the person, not yet in use: it counts only once a code
    from it is confirmed (`confirm_enrolment`). A secret set up earlier and never confirmed
    is replaced. Does nothing new for a person already enrolled (returns their device)."""
    devices = TOTPDevice.objects.select_for_update().filter(user_id=user_id)
    confirmed = devices.filter(confirmed=True).first()
    if confirmed is not None:
        return confirmed
    devices.delete()
    return TOTPDevice.objects.create(user_id=user_id, name=AUTHENTICATOR, confirmed=False)


def _new_recovery_codes(user_id: int) -> list[str]:
    # The device stays (only its codes change): a session signed in with a recovery code
    # names it, and would otherwise stop counting as signed in with a second step.
    device, _ = StaticDevice.objects.get_or_create(
        user_id=user_id, defaults={"name": RECOVERY, "confirmed": True}
    )
    device.token_set.all().delete()
    fresh = [StaticToken.random_token() for _ in range(codes.RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in fresh)
    return fresh


@transaction.atomic
def confirm_enrolment(*, user_id: int, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Turn two-step sign-in on with the first code of the authenticator being set up:
    returns it and the person's new recovery codes (shown once), or None when the code is not
    the authenticator's (nothing changes) or no setup was begun."""
    device = TOTPDevice.objects.select_for_update().filter(user_id=user_id, confirmed=False).first()
    code = codes.cleaned(code)
    if device is None or not codes.is_authenticator_code(code) or not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, _new_recovery_codes(user_id)


@transaction.atomic
def check_code(*, user_id: int, code: str) -> Device | None:
    """The device that accepts the code the person typed (an authenticator code, or one of
    their recovery codes, which is then used up), or None. An authenticator code is accepted
    one time step (30 s) either side of ours, and never twice."""
    code = codes.cleaned(code)
    device: Device | None
    if codes.is_authenticator_code(code):
        device = (
            TOTPDevice.objects.select_for_update().filter(user_id=user_id, confirmed=True).first()
        )
    elif codes.is_recovery_code(code):
        device = StaticDevice.objects.select_for_update().filter(user_id=user_id).first()
    else:
        return None
    if device is None or not device.verify_token(code):
        return None
    return device


@transaction.atomic
def renew_recovery_codes(*, user_id: int, code: str) -> list[str] | None:
    """New recovery codes for an enrolled person who proves it with a code (the old ones stop
    working), or None when the code is wrong or they are not enrolled (nothing changes)."""
    if check_code(user_id=user_id, code=code) is None:
        return None
    return _new_recovery_codes(user_id)


class TurnOff(StrEnum):
    """How turning two-step sign-in off went."""

    DONE = "done"
    WRONG_CODE = "wrong-code"
    REQUIRED = "required"


@transaction.atomic
def turn_off(*, user_id: int, code: str) -> TurnOff:
    """Stop asking the person for a code: their authenticator and recovery codes are deleted
    (the recovery codes stay while they have passkeys). Refused when the code is wrong, and
    when their tenant's rule requires two-step sign-in and no passkey remains (nothing changes
    then)."""
    if standing(user_id).required_as is not None and not has_passkeys(user_id):
        return TurnOff.REQUIRED
    if check_code(user_id=user_id, code=code) is None:
        return TurnOff.WRONG_CODE
    TOTPDevice.objects.filter(user_id=user_id).delete()
    # Passkeys stay, and so do the recovery codes that stand in for them.
    if not has_passkeys(user_id):
        StaticDevice.objects.filter(user_id=user_id).delete()
    return TurnOff.DONE


@transaction.atomic
def add_passkey(
    *, user_id: int, name: str, helper: Helper, state: dict[str, Any] | None, answer: Any
) -> tuple[WebAuthnCredential, list[str]] | None:
    """Keep the passkey the person's browser just made, named `name`: django-otp-webauthn
    checks the browser's `answer` against the challenge kept in `state`. Returns it, with new
    recovery codes when the person had none (shown once), or None when the answer does not
    verify (nothing is kept). Recorded in the audit log of each of the person's sellers."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not state or not isinstance(answer, dict):
        return None
    try:
        with transaction.atomic():  # a passkey already kept (same id) leaves nothing behind
            device = helper.register_complete(user=user, state=state, data=answer)
    except (*_REFUSED, IntegrityError):
        return None
    device.name = name.strip()[:NAME_LENGTH]
    device.save(update_fields=["name"])
    for tenant_id in tenants_of(user_id):
        audit.created(device, tenant_id=tenant_id)
    had_codes = StaticDevice.objects.filter(user_id=user_id).exists()
    return device, [] if had_codes else _new_recovery_codes(user_id)


@transaction.atomic
def check_passkey(
    *, user_id: int, helper: Helper, state: dict[str, Any] | None, answer: Any
) -> WebAuthnCredential | None:
    """The person's passkey that signed the challenge kept in `state` (its use is noted: the
    date, the signature counter), or None: another person's, a removed one, a wrong answer."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not state or not isinstance(answer, dict):
        return None
    try:
        with transaction.atomic():
            device = helper.authenticate_complete(user=user, state=state, data=answer)
    except _REFUSED:
        return None
    if not device.confirmed or device.user_id != user_id:
        return None
    return device


class RemovePasskey(StrEnum):
    """How removing a passkey went."""

    DONE = "done"
    NOT_FOUND = "not-found"
    WRONG_PASSWORD = "wrong-password"  # noqa: S105 (an outcome, not a password)
    LAST_REQUIRED = "last-required"


@transaction.atomic
def remove_passkey(*, user_id: int, passkey_id: int, password: str) -> RemovePasskey:
    """Remove one of the person's passkeys once they typed their password. Refused when it is
    their last second step and their organisation requires one (nothing changes then)."""
    device = (
        WebAuthnCredential.objects.select_for_update()
        .filter(pk=passkey_id, user_id=user_id)
        .first()
    )
    if device is None:
        return RemovePasskey.NOT_FOUND
    user = get_user_model().objects.get(pk=user_id)
    if not user.check_password(password):
        return RemovePasskey.WRONG_PASSWORD
    others = WebAuthnCredential.objects.filter(user_id=user_id).exclude(pk=passkey_id).exists()
    has_app = TOTPDevice.objects.filter(user_id=user_id, confirmed=True).exists()
    if not others and not has_app and standing(user_id).required_as is not None:
        return RemovePasskey.LAST_REQUIRED
    for tenant_id in tenants_of(user_id):
        audit.deleted(device, tenant_id=tenant_id)
    device.delete()
    if not others and not has_app:
        StaticDevice.objects.filter(user_id=user_id).delete()
    return RemovePasskey.DONE


@transaction.atomic
def set_requirement(*, tenant_id: int, requires: Requirement) -> SignInPolicy:
    """The tenant's rule on who must use two-step sign-in. It applies from their next page:
    people it now covers who have no authenticator are sent to set one up."""
    policy, created = SignInPolicy.objects.select_for_update().get_or_create(tenant_id=tenant_id)
    before = audit.snapshot(policy)
    policy.requires = Requirement(requires)
    policy.save(update_fields=["requires", "changed_at"])
    if created:
        audit.created(policy)
    elif before["requires"] != policy.requires:
        audit.changed(policy, before)
    return policy
