"""Reads: whether a person uses two-step sign-in, whether their tenant makes them, and what
the two-step page shows."""

from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from dinghuo.customers.models import CompanyUser
from dinghuo.two_factor.models import Requirement, SignInPolicy

Role = Literal["staff", "buyer"]


@dataclass(frozen=True)
class Standing:
    """A person's two-step sign-in as the doors see it."""

    enrolled: bool
    required_as: Role | None
    """Whose rule makes them use it: their tenant's rule for staff, or for buyers; None when
    nobody's does."""


def _requiring(requires: list[str], members: object) -> Exists:
    return Exists(SignInPolicy.objects.filter(requires__in=requires, tenant_id__in=members))


def standing(user_id: int) -> Standing:
    """Whether the person has an authenticator and whether a tenant's rule makes them have
    one (one query)."""
    users = get_user_model().objects
    # The back office's staff rows are reached through the user's relation, so that this app
    # stays below the page apps.
    staff_tenants = users.filter(pk=user_id, staff_member__is_active=True).values(
        "staff_member__tenant_id"
    )
    # A membership switched off (by the seller or the company's admin) makes no buyer.
    buyer_tenants = CompanyUser.objects.filter(user_id=user_id, is_active=True).values("tenant_id")
    row = (
        users.filter(pk=user_id)
        .annotate(
            app=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)),
            passkey=Exists(
                WebAuthnCredential.objects.filter(user_id=OuterRef("pk"), confirmed=True)
            ),
            as_staff=_requiring([Requirement.STAFF, Requirement.EVERYONE], staff_tenants),
            as_buyer=_requiring([Requirement.EVERYONE], buyer_tenants),
        )
        .values_list("app", "passkey", "as_staff", "as_buyer")
        .first()
    )
    if row is None:
        return Standing(False, None)
    app, passkey, as_staff, as_buyer = row
    required: Role | None = "staff" if as_staff else "buyer" if as_buyer else None
    return Standing(bool(app or passkey), required)


def is_enrolled(user_id: int) -> bool:
    """Whether the person signs in in two steps (has a confirmed authenticator or a passkey)."""
    return has_app(user_id) or has_passkeys(user_id)


def has_app(user_id: int) -> bool:
    """Whether the person has a confirmed authenticator app."""
    return bool(TOTPDevice.objects.filter(user_id=user_id, confirmed=True).exists())


def has_passkeys(user_id: int) -> bool:
    """Whether the person has at least one passkey."""
    return bool(WebAuthnCredential.objects.filter(user_id=user_id, confirmed=True).exists())


def has_recovery_codes(user_id: int) -> bool:
    """Whether the person has a recovery code left."""
    return bool(StaticToken.objects.filter(device__user_id=user_id).exists())


def tenants_of(user_id: int) -> list[int]:
    """The sellers the person works for or buys from (active memberships), in whose audit logs
    their passkeys are recorded."""
    users = get_user_model().objects
    staff = users.filter(pk=user_id, staff_member__is_active=True).values_list(
        "staff_member__tenant_id", flat=True
    )
    buying = CompanyUser.objects.filter(user_id=user_id, is_active=True).values_list(
        "tenant_id", flat=True
    )
    return sorted({int(t) for t in staff} | {int(t) for t in buying})


def requirement(tenant_id: int) -> Requirement:
    """The tenant's rule (nobody, staff or everyone)."""
    found = SignInPolicy.objects.filter(tenant_id=tenant_id).values_list("requires", flat=True)
    return Requirement(found.first() or Requirement.NOBODY)


@dataclass(frozen=True)
class Passkey:
    """One of a person's passkeys as their two-step page lists it."""

    id: int
    name: str
    created_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True)
class Enrolment:
    """What the two-step page shows a person."""

    enrolled: bool
    """Whether they have a confirmed authenticator app."""
    recovery_codes_left: int
    secret: str
    """The base32 secret of an authenticator being set up (empty when none is)."""
    setup_url: str
    """Its otpauth:// address, which the QR code carries (empty when none is)."""
    passkeys: tuple[Passkey, ...] = ()


def passkeys(user_id: int) -> tuple[Passkey, ...]:
    """The person's passkeys, oldest first."""
    rows = (
        WebAuthnCredential.objects.filter(user_id=user_id, confirmed=True)
        .order_by("created_at", "pk")
        .values_list("pk", "name", "created_at", "last_used_at")
    )
    return tuple(Passkey(*row) for row in rows)


def enrolment(user_id: int) -> Enrolment:
    """The person's authenticator, passkeys and recovery codes as their two-step page shows
    them."""
    devices = list(TOTPDevice.objects.filter(user_id=user_id).select_related("user"))
    confirmed = any(d.confirmed for d in devices)
    pending = next((d for d in devices if not d.confirmed), None)
    keys = passkeys(user_id)
    left = StaticToken.objects.filter(device__user_id=user_id).count() if confirmed or keys else 0
    if confirmed or pending is None:
        return Enrolment(confirmed, left, "", "", keys)
    secret = b32encode(pending.bin_key).decode().rstrip("=")
    return Enrolment(False, left, secret, pending.config_url, keys)


def active_user(user_id: int) -> Any:
    """The person's sign-in account if it is active, else None."""
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()
