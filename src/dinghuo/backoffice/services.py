"""Making people staff of a tenant, inviting them and switching them off (the only writes
of the back office itself)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation

from dinghuo.accounts import services as accounts
from dinghuo.accounts.models import Invitation
from dinghuo.backoffice.models import StaffMember
from dinghuo.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from dinghuo.core.models import Tenant


@transaction.atomic
def add_staff_member(*, tenant_id: int, user_id: int) -> StaffMember:
    """Make a user staff of a tenant (again active if they were before). A person may be
    staff of several tenants, one row each; being staff elsewhere changes nothing here."""
    if not Tenant.objects.filter(pk=tenant_id).exists():
        raise NotFound(f"No tenant {tenant_id}.")
    member = (
        StaffMember.objects.select_for_update().filter(user_id=user_id, tenant_id=tenant_id).first()
    )
    if member is None:
        return StaffMember.objects.create(tenant_id=tenant_id, user_id=user_id)
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


@transaction.atomic
def invite_staff_member(
    *, tenant_id: int, email: str, name: str, invited_by: str, language: str
) -> StaffMember:
    """Make the person with `email` staff of the tenant and mail them an invitation to the
    back office (a new account has no password until they accept it; an existing one keeps
    its own, and the answer is the same). Active staff of this tenant answer 409
    `already_staff`; a staff member who was switched off is back, invited again."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        problem = FieldError("email", "invalid_email", "Not an email address")
        raise ValidationFailed(problem.message, code="invalid_email", errors=[problem]) from None
    person = accounts.person_with_email(email, name.strip())
    if StaffMember.objects.filter(tenant_id=tenant_id, user=person, is_active=True).exists():
        message = "This person is already staff here."
        raise Conflict(
            message, code="already_staff", errors=[FieldError("email", "already_staff", message)]
        )
    member = add_staff_member(tenant_id=tenant_id, user_id=person.pk)
    accounts.invite(
        tenant_id=tenant_id,
        user_id=person.pk,
        door=Invitation.Door.BACKOFFICE,
        invited_by=invited_by,
        language=language,
    )
    return member


@transaction.atomic
def deactivate_staff_member(
    *, tenant_id: int, staff_member_id: int, by_user_id: int
) -> StaffMember:
    """Take back-office access away from a staff member (the row stays, so that what they
    did stays attributable) and withdraw their waiting invitation. Nobody switches
    themselves off (409 `cannot_deactivate_yourself`); another tenant's staff is not found."""
    member = (
        StaffMember.objects.select_for_update()
        .filter(tenant_id=tenant_id, pk=staff_member_id)
        .first()
    )
    if member is None:
        raise NotFound(f"No staff member {staff_member_id}.")
    if member.user_id == by_user_id:
        raise Conflict("You cannot switch yourself off.", code="cannot_deactivate_yourself")
    member.is_active = False
    member.save(update_fields=["is_active"])
    waiting = Invitation.objects.filter(
        tenant_id=tenant_id, user_id=member.user_id, door=Invitation.Door.BACKOFFICE
    ).filter(accepted_at__isnull=True, revoked_at__isnull=True)
    for invitation_id in waiting.values_list("pk", flat=True):
        accounts.revoke_invitation(
            tenant_id=tenant_id, invitation_id=invitation_id, door=Invitation.Door.BACKOFFICE
        )
    return member


@transaction.atomic
def resend_staff_invitation(*, tenant_id: int, staff_member_id: int, invited_by: str) -> None:
    """Mail a staff member who has not joined yet their invitation again, with a new link
    (also after it was revoked); 409 `already_joined` once they have."""
    member = (
        StaffMember.objects.select_related("user")
        .filter(tenant_id=tenant_id, pk=staff_member_id, is_active=True)
        .first()
    )
    if member is None:
        raise NotFound(f"No staff member {staff_member_id}.")
    waiting = Invitation.objects.filter(
        tenant_id=tenant_id, user_id=member.user_id, door=Invitation.Door.BACKOFFICE
    ).filter(accepted_at__isnull=True, revoked_at__isnull=True)
    if not waiting.exists() and member.user.has_usable_password():
        raise Conflict("This user has already joined.", code="already_joined")
    accounts.invite(
        tenant_id=tenant_id,
        user_id=member.user_id,
        door=Invitation.Door.BACKOFFICE,
        invited_by=invited_by,
        language=translation.get_language() or "",
    )
