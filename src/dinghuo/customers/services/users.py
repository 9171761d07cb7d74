"""A company's users: people who buy for it, with their roles and spending limits, and the
sign-in (Django's user) each has."""

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import translation

from dinghuo.accounts import services as accounts
from dinghuo.accounts.models import Invitation
from dinghuo.audit import services as audit
from dinghuo.core.errors import Conflict, NotFound
from dinghuo.core.writes import UNSET, Unset, field_conflict, locked_tenant_row, saved_or_conflict
from dinghuo.customers.models import ACTIVE_MEMBERSHIP, Company, CompanyUser
from dinghuo.customers.services.common import (
    amount_errors,
    company_event,
    locked_company,
    money,
    refuse,
    refuse_all,
)
from dinghuo.integrations import events


def _user_payload(member: CompanyUser, company: Company) -> dict[str, Any]:
    return {
        "company": company.code,
        "company_user_id": member.pk,
        "email": member.user.email,
        "name": member.user.first_name,
        "role": member.role,
        "spending_limit": money(member.spending_limit, company.price_list.currency),
        "is_active": member.is_active,
    }


def _normalised_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise refuse("email", "invalid_email", "Not an email address") from None
    return email


def _check_spending_limit(limit: Decimal | None, company: Company) -> None:
    if limit is not None:
        currency = company.price_list.currency
        errors = amount_errors("spending_limit", limit, currency, "spending_limit_negative")
        refuse_all(errors, "The spending limit is not valid.")


def _refuse_a_second_membership(tenant_id: int, company: Company, person_id: int) -> None:
    """One membership per person and tenant: a person already buying here is refused (409),
    and only what this tenant knows is said; an account elsewhere is never mentioned."""
    existing = CompanyUser.objects.filter(tenant_id=tenant_id, user_id=person_id).first()
    if existing is None:
        return
    if existing.company_id == company.pk:
        raise field_conflict("email", "already_a_member", "This person is already a user here.")
    raise field_conflict(
        "email", "member_of_another_company", "This person already buys for another company."
    )


@transaction.atomic
def create_company_user(
    *,
    tenant_id: int,
    company_id: int,
    email: str,
    name: str,
    role: str,
    spending_limit: Decimal | None = None,
    invited_by: str = "",
) -> CompanyUser:
    """A person who buys for the company, invited by mail to sign in (`accounts.invite`).

    Emails are compared without regard to case; one email is one account on the whole
    deployment, with one membership per tenant. A new account's password is unusable until
    the invitation is accepted; an account that exists (of another seller, or staff) gains
    this membership and keeps its password, and the answer is the same as for a new one.
    A person already buying here answers 409 (`already_a_member`, or
    `member_of_another_company`), nothing changed. `spending_limit` (in the company's
    currency; None = no limit) is what their orders may reach without a company approver.
    `invited_by` names the inviter in the mail (empty: the seller).
    """
    company = locked_company(tenant_id, company_id)
    email = _normalised_email(email)
    if role not in CompanyUser.Role.values:
        raise refuse("role", "invalid_role", "Role is buyer, approver or admin")
    _check_spending_limit(spending_limit, company)
    account_is_new = not User.objects.filter(
        Q(username__iexact=email) | Q(email__iexact=email)
    ).exists()
    person = accounts.person_with_email(email, name)
    _refuse_a_second_membership(tenant_id, company, person.pk)
    taken = field_conflict("email", "already_a_member", "This person is already a user here.")
    with saved_or_conflict(taken):
        member = CompanyUser.objects.create(
            tenant_id=tenant_id,
            company=company,
            user=person,
            role=role,
            spending_limit=spending_limit,
        )
    accounts.invite(
        tenant_id=tenant_id,
        user_id=person.pk,
        door=Invitation.Door.PORTAL,
        invited_by=invited_by,
        language=translation.get_language() or "",
    )
    if account_is_new:
        audit.created(person, tenant_id=tenant_id)
    audit.created(member)
    payload = _user_payload(member, company)
    events.record(company_event(company, "company_user.created", payload))
    return member


def _check_an_admin_remains(company: Company, member: CompanyUser, role: str, active: bool) -> None:
    """A company that has an active admin keeps one, so that it never locks itself out of
    managing its own users (the caller holds the company's lock: changes are serialised)."""
    if member.role != CompanyUser.Role.ADMIN or not member.may_sign_in:
        return
    if role == CompanyUser.Role.ADMIN and active:
        return
    others = CompanyUser.objects.filter(
        ACTIVE_MEMBERSHIP, company=company, role=CompanyUser.Role.ADMIN
    ).exclude(pk=member.pk)
    if not others.exists():
        raise Conflict(
            "This is the company's last active admin; make another user admin first.",
            code="last_company_admin",
        )


@transaction.atomic
def update_company_user(
    *,
    tenant_id: int,
    company_id: int,
    company_user_id: int,
    name: str | Unset = UNSET,
    role: str | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    spending_limit: Decimal | Unset | None = UNSET,
) -> CompanyUser:
    """Change a company user's name, role, spending limit (None = no limit) or whether they
    may work as a buyer of this company (`is_active`: this membership only; the person's
    sign-in and their other sellers stay as they are). UNSET leaves a field as it is.

    The last active admin of a company can neither lose the role nor be switched off
    (409 `last_company_admin`), whoever asks: staff or the company's own admin.
    """
    company = locked_company(tenant_id, company_id)
    member = locked_tenant_row(
        CompanyUser.objects.select_related("user").filter(company=company),
        tenant_id,
        company_user_id,
        f"No user {company_user_id} at company {company_id}.",
    )
    if role is not UNSET and role not in CompanyUser.Role.values:
        raise refuse("role", "invalid_role", "Role is buyer, approver or admin")
    if spending_limit is not UNSET:
        _check_spending_limit(spending_limit, company)
    _check_an_admin_remains(
        company,
        member,
        member.role if role is UNSET else role,
        member.is_active if is_active is UNSET else is_active,
    )
    before = audit.snapshot(member), audit.snapshot(member.user)
    changed = []
    member_fields = []
    if role is not UNSET and role != member.role:
        member.role = role
        member_fields.append("role")
        changed.append("role")
    if spending_limit is not UNSET and spending_limit != member.spending_limit:
        member.spending_limit = spending_limit
        member_fields.append("spending_limit")
        changed.append("spending_limit")
    if is_active is not UNSET and is_active != member.is_active:
        member.is_active = is_active
        member_fields.append("is_active")
        changed.append("is_active")
    if member_fields:
        member.save(update_fields=member_fields)
    user_fields = []
    if name is not UNSET and name != member.user.first_name:
        member.user.first_name = name
        user_fields.append("first_name")
        changed.append("name")
    if user_fields:
        member.user.save(update_fields=user_fields)
    audit.changed(member, before[0])
    audit.changed(member.user, before[1], tenant_id=tenant_id)
    if changed:
        payload = {**_user_payload(member, company), "changed": changed}
        events.record(company_event(company, "company_user.updated", payload))
    return member


def _member(tenant_id: int, company_id: int, company_user_id: int) -> CompanyUser:
    return locked_tenant_row(
        CompanyUser.objects.select_related("user").filter(company_id=company_id),
        tenant_id,
        company_user_id,
        f"No user {company_user_id} at company {company_id}.",
    )


def _open_invitations(member: CompanyUser) -> Any:
    return Invitation.objects.filter(
        tenant_id=member.tenant_id,
        user_id=member.user_id,
        door=Invitation.Door.PORTAL,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    )


@transaction.atomic
def resend_company_user_invitation(
    *, tenant_id: int, company_id: int, company_user_id: int, invited_by: str = ""
) -> None:
    """Mail a company user their invitation again, with a new link (an earlier link stops
    working); also after it was revoked. A user who has joined (a password, no invitation
    waiting) answers 409 `already_joined`; one switched off here 409 `company_user_inactive`
    (the link would open onto nothing)."""
    member = _member(tenant_id, company_id, company_user_id)
    waiting = _open_invitations(member).exists()
    if not waiting and member.user.has_usable_password():
        raise Conflict("This user has already joined.", code="already_joined")
    if not member.is_active:
        raise Conflict(
            "The user is switched off; allow them to sign in first.",
            code="company_user_inactive",
        )
    accounts.invite(
        tenant_id=tenant_id,
        user_id=member.user_id,
        door=Invitation.Door.PORTAL,
        invited_by=invited_by,
        language=translation.get_language() or "",
    )


@transaction.atomic
def revoke_company_user_invitation(
    *, tenant_id: int, company_id: int, company_user_id: int
) -> None:
    """Withdraw a company user's waiting invitation: its link no longer works (sending it
    again makes a new one); 404 `invitation_not_found` when none is waiting."""
    member = _member(tenant_id, company_id, company_user_id)
    invitation_id = _open_invitations(member).values_list("pk", flat=True).first()
    if invitation_id is None:
        raise NotFound("This user has no invitation waiting.", code="invitation_not_found")
    accounts.revoke_invitation(
        tenant_id=tenant_id, invitation_id=invitation_id, door=Invitation.Door.PORTAL
    )
