"""Reads: whether a person uses two-step sign-in, whether their tenant makes them, and what
the two-step page shows."""

from base64 import b32encode
from dataclasses import dataclass
from typing import Literal

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

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
    buyer_tenants = CompanyUser.objects.filter(user_id=user_id).values("tenant_id")
    row = (
        users.filter(pk=user_id)
        .annotate(
            enrolled=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)),
            as_staff=_requiring([Requirement.STAFF, Requirement.EVERYONE], staff_tenants),
            as_buyer=_requiring([Requirement.EVERYONE], buyer_tenants),
        )
        .values_list("enrolled", "as_staff", "as_buyer")
        .first()
    )
    if row is None:
        return Standing(False, None)
    enrolled, as_staff, as_buyer = row
    required: Role | None = "staff" if as_staff else "buyer" if as_buyer else None
    return Standing(bool(enrolled), required)


def is_enrolled(user_id: int) -> bool:
    """Whether the person signs in in two steps (has a confirmed authenticator)."""
    return bool(TOTPDevice.objects.filter(user_id=user_id, confirmed=True).exists())


def requirement(tenant_id: int) -> Requirement:
    """The tenant's rule (nobody, staff or everyone)."""
    found = SignInPolicy.objects.filter(tenant_id=tenant_id).values_list("requires", flat=True)
    return Requirement(found.first() or Requirement.NOBODY)


@dataclass(frozen=True)
class Enrolment:
    """What the two-step page shows a person."""

    enrolled: bool
    recovery_codes_left: int
    secret: str
    """The base32 secret of an authenticator being set up (empty when none is)."""
    setup_url: str
    """Its otpauth:// address, which the QR code carries (empty when none is)."""


def enrolment(user_id: int) -> Enrolment:
    """The person's authenticator and recovery codes as their two-step page shows them."""
    devices = list(TOTPDevice.objects.filter(user_id=user_id).select_related("user"))
    confirmed = any(d.confirmed for d in devices)
    pending = next((d for d in devices if not d.confirmed), None)
    left = StaticToken.objects.filter(device__user_id=user_id).count() if confirmed else 0
    if confirmed or pending is None:
        return Enrolment(confirmed, left, "", "")
    secret = b32encode(pending.bin_key).decode().rstrip("=")
    return Enrolment(False, 0, secret, pending.config_url)
