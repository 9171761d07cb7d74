"""Making people staff of a tenant (the only writes of the back office itself)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from dinghuo.backoffice.models import StaffMember
from dinghuo.core.errors import Conflict, NotFound
from dinghuo.core.models import Tenant


@transaction.atomic
def add_staff_member(*, tenant_id: int, user_id: int) -> StaffMember:
    """Make a user staff of a tenant (again active if they were before). A person is staff
    of one tenant: staff of another tenant is refused (409 `staff_of_other_tenant`)."""
    if not Tenant.objects.filter(pk=tenant_id).exists():
        raise NotFound(f"No tenant {tenant_id}.")
    member = StaffMember.objects.select_for_update().filter(user_id=user_id).first()
    if member is None:
        return StaffMember.objects.create(tenant_id=tenant_id, user_id=user_id)
    if member.tenant_id != tenant_id:
        raise Conflict("This person is staff of another tenant.", code="staff_of_other_tenant")
    if not member.is_active:
        member.is_active = True
        member.save(update_fields=["is_active"])
    return member


@transaction.atomic
def remove_staff_member(*, tenant_id: int, email: str) -> StaffMember:
    """Take back-office access away from the staff member with `email` (the row is kept,
    inactive, so that what they did stays attributable)."""
    member = (
        StaffMember.objects.select_for_update()
        .filter(tenant_id=tenant_id, user__email__iexact=email)
        .first()
    )
    if member is None:
        raise NotFound(f"No staff member {email}.")
    member.is_active = False
    member.save(update_fields=["is_active"])
    return member


def user_for_email(
    email: str, *, first_name: str = "", last_name: str = ""
) -> tuple[AbstractBaseUser, bool]:
    """The user with `email` (as username or email, in any case), or a new one named by the
    email with no usable password yet; and whether it was created."""
    users = get_user_model().objects
    found = users.filter(username__iexact=email).first()
    if found is None:
        matches = list(users.filter(email__iexact=email)[:2])
        found = matches[0] if len(matches) == 1 else None
    if found is not None:
        return found, False
    user = users.create_user(
        username=email, email=email, first_name=first_name, last_name=last_name
    )
    return user, True
