"""Making people staff of a tenant, inviting them and switching them off (the only writes
of the back office itself)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import translation

from dinghuo.accounts import services as accounts
from dinghuo.accounts.models import Invitation
from dinghuo.audit import services as audit
from dinghuo.backoffice.models import StaffMember
from dinghuo.core import permissions
from dinghuo.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from dinghuo.core.models import Tenant
from dinghuo.core.permissions import Role


@transaction.atomic
def add_staff_member(*, tenant_id: int, user_id: int, role: str) -> StaffMember:
    """Make a user staff of a tenant with `role` (again active if they were before; a
    returning member keeps the role they had). A person may be staff of several tenants,
    one row each; being staff elsewhere changes nothing here."""
    _check_role(role)
    if not Tenant.objects.filter(pk=tenant_id).exists():
        raise NotFound(f"No tenant {tenant_id}.")
    member = (
        StaffMember.objects.select_for_update().filter(user_id=user_id, tenant_id=tenant_id).first()
    )
    if member is None:
        member = StaffMember.objects.create(tenant_id=tenant_id, user_id=user_id, role=role)
        audit.created(member)
        return member
    if not member.is_active:
        with audit.watching(member):
            member.is_active = True
            member.save(update_fields=["is_active"])
    return member


@transaction.atomic
def change_staff_role(*, tenant_id: int, by_user_id: int, member_id: int, role: str) -> StaffMember:
    """Give the tenant's staff member `member_id` the `role`, as the active staff member
    signed in as `by_user_id` decides.

    Refused, changing nothing: a role that is not one (422 `invalid_role`); a member not of
    this tenant (404); a decider without `staff.manage`, or giving a role that may do more
    than their own, or changing someone whose role may do more (403 `role_above_own`: a
    manager cannot make an owner, nor demote one); the tenant's last active owner made
    anything else (409 `last_owner`)."""
    _check_role(role)
    # The owners first, always in the same order: two owners demoting each other at once
    # wait for one another instead of deadlocking or leaving no owner.
    owners = list(
        StaffMember.objects.select_for_update()
        .filter(tenant_id=tenant_id, role=Role.OWNER, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    target = StaffMember.objects.select_for_update().filter(tenant_id=tenant_id, pk=member_id)
    member = target.first()
    if member is None:
        raise NotFound(f"No staff member {member_id}.")
    decider = StaffMember.objects.filter(
        tenant_id=tenant_id, user_id=by_user_id, is_active=True
    ).first()
    if decider is None or not permissions.may_grant(decider.role, role, replacing=member.role):
        raise PermissionDenied(
            "You cannot give a role that may do more than yours, nor change such a person.",
            code="role_above_own",
        )
    if role != Role.OWNER and owners == [member.pk]:
        raise Conflict("The tenant's last owner stays an owner.", code="last_owner")
    if member.role != role:
        with audit.watching(member):
            member.role = role
            member.save(update_fields=["role"])
    return member


def _check_role(role: str) -> None:
    if role not in permissions.ROLES:
        raise ValidationFailed(
            "Not a staff role.",
            errors=[FieldError("role", "invalid_role", f"One of {', '.join(permissions.ROLES)}.")],
        )


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
    with audit.watching(member):
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
    *,
    tenant_id: int,
    email: str,
    name: str,
    invited_by: str,
    language: str,
    role: str = permissions.Role.READ_ONLY.value,
    by_role: str = permissions.Role.OWNER.value,
) -> StaffMember:
    """Make the person with `email` staff of the tenant with `role` and mail them an
    invitation to the back office (a new account has no password until they accept it; an
    existing one keeps its own, and the answer is the same). Active staff of this tenant
    answer 409 `already_staff`; a staff member who was switched off is back, invited again.
    A role above the inviter's own (`by_role`) is refused (403 `role_above_own`)."""
    _check_role(role)
    if not permissions.may_grant(by_role, role):
        raise PermissionDenied(
            "You cannot give a role that may do more than your own.", code="role_above_own"
        )
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        problem = FieldError("email", "invalid_email", "Not an email address")
        raise ValidationFailed(problem.message, code="invalid_email", errors=[problem]) from None
    account_is_new = (
        not get_user_model()
        .objects.filter(Q(username__iexact=email) | Q(email__iexact=email))
        .exists()
    )
    person = accounts.person_with_email(email, name.strip())
    if account_is_new:
        audit.created(person, tenant_id=tenant_id)
    if StaffMember.objects.filter(tenant_id=tenant_id, user=person, is_active=True).exists():
        message = "This person is already staff here."
        raise Conflict(
            message, code="already_staff", errors=[FieldError("email", "already_staff", message)]
        )
    member = add_staff_member(tenant_id=tenant_id, user_id=person.pk, role=role)
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
    themselves off (409 `cannot_deactivate_yourself`), nor someone whose role may do more
    than their own (403 `role_above_own`: a manager cannot switch an owner off, so the last
    owner is never switched off either); another tenant's staff is not found."""
    member = _member_to_switch(tenant_id, staff_member_id, by_user_id)
    if member.user_id == by_user_id:
        raise Conflict("You cannot switch yourself off.", code="cannot_deactivate_yourself")
    with audit.watching(member):
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
def reactivate_staff_member(
    *, tenant_id: int, staff_member_id: int, by_user_id: int
) -> StaffMember:
    """Give a switched-off staff member their back-office access back, with the role they
    had (someone who never joined is invited again from the People page). The same refusals
    as switching off: another tenant's staff is not found, a role above the decider's own is
    403 `role_above_own`. Switching on someone active changes nothing."""
    member = _member_to_switch(tenant_id, staff_member_id, by_user_id)
    if not member.is_active:
        with audit.watching(member):
            member.is_active = True
            member.save(update_fields=["is_active"])
    return member


def _member_to_switch(tenant_id: int, staff_member_id: int, by_user_id: int) -> StaffMember:
    """The staff member, locked, once the decider (active staff here) may change their role."""
    member = (
        StaffMember.objects.select_for_update()
        .filter(tenant_id=tenant_id, pk=staff_member_id)
        .first()
    )
    if member is None:
        raise NotFound(f"No staff member {staff_member_id}.")
    decider = StaffMember.objects.filter(
        tenant_id=tenant_id, user_id=by_user_id, is_active=True
    ).first()
    if decider is None or not permissions.may_grant(decider.role, member.role):
        raise PermissionDenied(
            "You cannot change someone whose role may do more than yours.",
            code="role_above_own",
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
