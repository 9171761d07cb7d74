"""Setting up a seller (tenant) ready to take orders: the one write of the operators.

Used by `dinghuo tenant create`, the operator console and the self sign-up. The first owner
is made staff of the new tenant's back office here, so this module reaches backoffice's
services (an exception to the domain-not-web contract, named in pyproject.toml): the staff
table lives in the back office.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from dinghuo.accounts import services as accounts
from dinghuo.accounts.models import Invitation
from dinghuo.audit import services as audit
from dinghuo.backoffice.services import add_staff_member, user_for_email
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.core.models import Tenant
from dinghuo.core.permissions import Role
from dinghuo.core.services import create_tenant
from dinghuo.inventory.services import create_warehouse
from dinghuo.pricing.services import create_price_list

# What a new tenant starts with, so that its first company can order at once: one
# warehouse to take stock into and one price list in its base currency to put companies on.
DEFAULT_WAREHOUSE = ("main", "Main warehouse")
DEFAULT_PRICE_LIST = ("standard", "Standard prices")


@dataclass(frozen=True)
class NewTenant:
    tenant: Tenant
    owner: AbstractBaseUser
    owner_is_new: bool  # False when the e-mail already had a user (who keeps their password)


@transaction.atomic
def set_up_tenant(
    *,
    name: str,
    slug: str,
    base_currency: str,
    languages: Sequence[str],
    time_zone: str,
    owner_email: str,
    mail_owner: bool = False,
) -> NewTenant:
    """A new tenant ready to take orders: its primary seller in `base_currency`, a main
    warehouse, a standard price list in that currency, and `owner_email` as its first staff
    member (a new user without a password when the e-mail has none; they set one through the
    link `welcome.set_password_link` makes, or the invitation mailed when `mail_owner`, in
    the tenant's first language). A person already staff of another tenant is refused (409
    `staff_of_other_tenant`); any refusal leaves nothing behind."""
    owner_email = owner_email.strip().lower()
    try:
        validate_email(owner_email)
    except ValidationError as invalid:
        raise ValidationFailed(
            "The owner's e-mail is not valid.",
            errors=[FieldError("owner_email", "invalid_email", "An e-mail address.")],
        ) from invalid
    tenant = create_tenant(
        slug=slug,
        name=name,
        base_currency=base_currency,
        languages=languages,
        time_zone=time_zone,
    )
    code, warehouse_name = DEFAULT_WAREHOUSE
    create_warehouse(tenant_id=tenant.pk, code=code, name=warehouse_name, priority=1)
    code, list_name = DEFAULT_PRICE_LIST
    create_price_list(tenant_id=tenant.pk, code=code, name=list_name, currency=base_currency)
    owner, created = user_for_email(owner_email)
    if created:
        audit.created(owner, tenant_id=tenant.pk)
    add_staff_member(tenant_id=tenant.pk, user_id=owner.pk, role=Role.OWNER.value)
    if mail_owner:
        # The worker mails it once this transaction commits: a refusal mails nothing.
        accounts.invite(
            tenant_id=tenant.pk,
            user_id=owner.pk,
            door=Invitation.Door.BACKOFFICE,
            invited_by="",
            language=(tenant.language_list or ["en"])[0],
        )
    return NewTenant(tenant, owner, created)
