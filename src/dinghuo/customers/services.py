"""Customer writes: customer groups, buyer companies, their locations and users, buyer API
keys, credit lines and payment terms.

Each service is one transaction and records its events on the company (aggregate "company"),
so one company's history reads from the event feed in order; a customer group's events are
on the group (aggregate "customer_group").
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q

from dinghuo.core import clock
from dinghuo.core.db import select_rows, to_date, to_decimal
from dinghuo.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from dinghuo.core.models import ApiKey
from dinghuo.core.money import format_amount, minor_units, round_money
from dinghuo.core.queries import tenant_row
from dinghuo.core.services import IssuedApiKey, create_api_key, revoke_api_key
from dinghuo.core.writes import (
    UNSET,
    Unset,
    field_conflict,
    locked_tenant_row,
    saved_or_conflict,
)
from dinghuo.customers import credit
from dinghuo.customers.models import Company, CompanyUser, CreditLine, CustomerGroup, Location
from dinghuo.integrations import events
from dinghuo.pricing.models import PriceList

# CLDR territories minus its regions, groupings and ISO's "exceptionally reserved" codes:
# what is left is exactly the 249 officially assigned ISO 3166-1 alpha-2 codes.
_NOT_ISO_COUNTRIES = {
    *("AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC"),
    *("QO", "TA", "UN", "XA", "XB", "XK", "ZZ"),
}
COUNTRIES = frozenset(
    code
    for code in map(str, Locale("en").territories)
    if len(code) == 2 and code.isalpha() and code not in _NOT_ISO_COUNTRIES
)
MAX_TERMS_DAYS = 365


def _refuse(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, errors=[FieldError(field, code, message)])


def _refuse_all(errors: list[FieldError], detail: str) -> None:
    """Raise 422 naming every problem; its code is the first problem's, so that a client
    that looks only at `code` still learns what is wrong."""
    if errors:
        raise ValidationFailed(detail, code=errors[0].code, errors=errors)


def _amount_errors(field: str, amount: Decimal, currency: str, negative: str) -> list[FieldError]:
    """A limit or balance in the company's currency: not negative, no finer than its cents."""
    if amount < 0:
        return [FieldError(field, negative, f"{field} cannot be negative")]
    if round_money(amount, currency) != amount:
        places = minor_units(currency)
        return [
            FieldError(field, "too_many_decimals", f"{currency} amounts have {places} decimals")
        ]
    return []


def _money(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else format_amount(amount, currency)


# Customer groups


def _group_code_taken(code: str) -> Conflict:
    return field_conflict(
        "code", "customer_group_code_taken", f"Another customer group has code {code}"
    )


def _group_event(group: CustomerGroup, type: str, payload: dict[str, Any]) -> None:
    events.record(events.new(group.tenant_id, type, "customer_group", group.pk, payload))


@transaction.atomic
def create_customer_group(*, tenant_id: int, code: str, name: str) -> CustomerGroup:
    """A segment of companies (dealers, key accounts…) that price lists and rules address.

    The code is unique in the tenant (409 `customer_group_code_taken`)."""
    if CustomerGroup.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise _group_code_taken(code)
    with saved_or_conflict(_group_code_taken(code)):
        group = CustomerGroup.objects.create(tenant_id=tenant_id, code=code, name=name)
    _group_event(group, "customer_group.created", {"code": group.code, "name": group.name})
    return group


@transaction.atomic
def update_customer_group(
    *,
    tenant_id: int,
    group_id: int,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
) -> CustomerGroup:
    """Change the code or the name of a group (UNSET leaves it); its members stay."""
    group = locked_tenant_row(
        CustomerGroup.objects.all(), tenant_id, group_id, f"No customer group {group_id}."
    )
    wanted: dict[str, Any] = {"code": code, "name": name}
    changed = [f for f, v in wanted.items() if v is not UNSET and v != getattr(group, f)]
    if not changed:
        return group
    for field in changed:
        setattr(group, field, wanted[field])
    if (
        "code" in changed
        and CustomerGroup.objects.filter(tenant_id=tenant_id, code=group.code).exists()
    ):
        raise _group_code_taken(group.code)
    with saved_or_conflict(_group_code_taken(group.code)):
        group.save(update_fields=changed)
    payload = {"code": group.code, "name": group.name, "changed": changed}
    _group_event(group, "customer_group.updated", payload)
    return group


# Companies


def _code_taken(code: str) -> Conflict:
    return field_conflict("code", "company_code_taken", f"Another company has code {code}")


def _locked_company(tenant_id: int, company_id: int) -> Company:
    # Only the company row is locked, not its price list (see locked_tenant_row).
    return locked_tenant_row(
        Company.objects.select_related("price_list"),
        tenant_id,
        company_id,
        f"No company {company_id}.",
    )


def _price_list(tenant_id: int, price_list_id: int) -> PriceList:
    price_list = PriceList.objects.filter(tenant_id=tenant_id, pk=price_list_id).first()
    if price_list is None:
        raise _refuse("price_list_id", "unknown_price_list", f"No price list {price_list_id}")
    return price_list


def _check_company_code_free(tenant_id: int, code: str, company_id: int | None = None) -> None:
    taken = Company.objects.filter(tenant_id=tenant_id, code=code)
    if company_id is not None:
        taken = taken.exclude(pk=company_id)
    if taken.exists():
        raise _code_taken(code)


def _parent(tenant_id: int, parent_id: int, company_id: int | None = None) -> Company:
    """The parent a company is to have: the tenant's (active or not), and not the company
    itself nor one of its members at any depth (422 `parent_cycle`).

    The chain of ancestors is locked while it is walked, so two requests that would each
    close half of a cycle are judged one after the other (the second sees the first)."""
    parent = Company.objects.select_for_update().filter(tenant_id=tenant_id, pk=parent_id).first()
    if parent is None:
        raise _refuse("parent_id", "unknown_company", f"No company {parent_id}")
    if company_id is None:
        return parent
    seen: set[int] = set()
    ancestor: int | None = parent.pk
    while ancestor is not None and ancestor not in seen:
        if ancestor == company_id:
            raise _refuse(
                "parent_id", "parent_cycle", "A company cannot belong to itself or its members"
            )
        seen.add(ancestor)
        ancestor = (
            Company.objects.select_for_update()
            .filter(pk=ancestor)
            .values_list("parent_id", flat=True)
            .first()
        )
    return parent


def _groups(tenant_id: int, group_ids: Sequence[int]) -> list[CustomerGroup]:
    """The tenant's groups with these ids; 422 `unknown_customer_group` naming each unknown."""
    wanted = list(dict.fromkeys(group_ids))
    found = {g.pk: g for g in CustomerGroup.objects.filter(tenant_id=tenant_id, pk__in=wanted)}
    errors = [
        FieldError(f"group_ids[{i}]", "unknown_customer_group", f"No customer group {gid}")
        for i, gid in enumerate(group_ids)
        if gid not in found
    ]
    _refuse_all(errors, "Unknown customer groups.")
    return [found[gid] for gid in wanted]


def _company_payload(company: Company) -> dict[str, Any]:
    return {
        "company": company.code,
        "name": company.name,
        "price_list": company.price_list.code,
        "is_active": company.is_active,
    }


def _company_event(company: Company, type: str, payload: dict[str, Any]) -> None:
    events.record(events.new(company.tenant_id, type, "company", company.pk, payload))


@transaction.atomic
def create_company(
    *,
    tenant_id: int,
    code: str,
    name: str,
    price_list_id: int,
    parent_id: int | None = None,
    group_ids: Sequence[int] = (),
) -> Company:
    """A new buyer company that buys on `price_list_id`; its code is unique in the tenant.

    It may belong to a parent company (its group, 集團) and to customer groups. Its credit
    line starts with the defaults: net 30, no limit."""
    price_list = _price_list(tenant_id, price_list_id)
    parent = _parent(tenant_id, parent_id) if parent_id is not None else None
    groups = _groups(tenant_id, group_ids)
    _check_company_code_free(tenant_id, code)
    with saved_or_conflict(_code_taken(code)):
        company = Company.objects.create(
            tenant_id=tenant_id, code=code, name=name, price_list=price_list, parent=parent
        )
    company.groups.set(groups)
    CreditLine.objects.create(tenant_id=tenant_id, company=company)
    payload = {
        **_company_payload(company),
        "parent": parent.code if parent else None,
        "groups": [g.code for g in groups],
    }
    _company_event(company, "company.created", payload)
    return company


@transaction.atomic
def update_company(
    *,
    tenant_id: int,
    company_id: int,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
    price_list_id: int | Unset = UNSET,
    parent_id: int | Unset | None = UNSET,
    group_ids: Sequence[int] | Unset = UNSET,
) -> Company:
    """Change what is given (UNSET leaves a field as it is; `parent_id=None` takes the company
    out of its group; `group_ids` replaces its customer groups); records which fields changed."""
    company = _locked_company(tenant_id, company_id)
    changed = []
    extra: dict[str, Any] = {}
    if price_list_id is not UNSET and price_list_id != company.price_list_id:
        company.price_list = _price_list(tenant_id, price_list_id)
        changed.append("price_list")
    if parent_id is not UNSET and parent_id != company.parent_id:
        parent = _parent(tenant_id, parent_id, company.pk) if parent_id is not None else None
        company.parent = parent
        changed.append("parent")
        extra["parent"] = parent.code if parent else None
    if code is not UNSET and code != company.code:
        _check_company_code_free(tenant_id, code, company.pk)
        company.code = code
        changed.append("code")
    if name is not UNSET and name != company.name:
        company.name = name
        changed.append("name")
    groups_changed = False
    if group_ids is not UNSET:
        groups = _groups(tenant_id, group_ids)
        if {g.pk for g in groups} != set(company.groups.values_list("id", flat=True)):
            company.groups.set(groups)
            groups_changed = True
            extra["groups"] = [g.code for g in groups]
    if changed:
        with saved_or_conflict(_code_taken(company.code)):
            company.save(update_fields=changed)
    if groups_changed:
        changed.append("groups")
    if changed:
        payload = {**_company_payload(company), **extra, "changed": changed}
        _company_event(company, "company.updated", payload)
    return company


def _set_company_active(tenant_id: int, company_id: int, active: bool) -> Company:
    company = _locked_company(tenant_id, company_id)
    if company.is_active != active:
        company.is_active = active
        company.save(update_fields=["is_active"])
        kind = "company.activated" if active else "company.deactivated"
        _company_event(company, kind, _company_payload(company))
    return company


@transaction.atomic
def deactivate_company(*, tenant_id: int, company_id: int) -> Company:
    """The company can no longer order; its users, locations and orders stay as they are.

    Deactivating an inactive company changes nothing and records nothing.
    """
    return _set_company_active(tenant_id, company_id, False)


@transaction.atomic
def activate_company(*, tenant_id: int, company_id: int) -> Company:
    """The company may order again. Activating an active company changes nothing."""
    return _set_company_active(tenant_id, company_id, True)


def _check_country(country: str) -> None:
    if country not in COUNTRIES:
        raise _refuse(
            "country", "invalid_country", f"{country!r} is not an ISO 3166-1 alpha-2 code (e.g. HK)"
        )


def _location_payload(location: Location, company: Company) -> dict[str, Any]:
    return {
        "company": company.code,
        "location_id": location.pk,
        "kind": location.kind,
        "name": location.name,
        "line1": location.line1,
        "line2": location.line2,
        "city": location.city,
        "postal_code": location.postal_code,
        "country": location.country,
        "is_active": location.is_active,
    }


@transaction.atomic
def create_location(
    *,
    tenant_id: int,
    company_id: int,
    kind: str,
    name: str,
    line1: str,
    city: str,
    country: str,
    line2: str = "",
    postal_code: str = "",
) -> Location:
    """A new ship-to or bill-to address of the company."""
    company = _locked_company(tenant_id, company_id)
    if kind not in Location.Kind.values:
        raise _refuse("kind", "invalid_kind", "Kind is ship_to or bill_to")
    _check_country(country)
    location = Location.objects.create(
        tenant_id=tenant_id,
        company=company,
        kind=kind,
        name=name,
        line1=line1,
        line2=line2,
        city=city,
        postal_code=postal_code,
        country=country,
    )
    _company_event(company, "location.created", _location_payload(location, company))
    return location


@transaction.atomic
def update_location(
    *,
    tenant_id: int,
    company_id: int,
    location_id: int,
    kind: str | None = None,
    name: str | None = None,
    line1: str | None = None,
    line2: str | None = None,
    city: str | None = None,
    postal_code: str | None = None,
    country: str | None = None,
    is_active: bool | None = None,
) -> Location:
    """Change what is given of one of the company's locations (None leaves a field as it is).

    A location of another company is not found. Orders keep pointing at the location they
    were placed with; an inactive ship-to only stops new orders.
    """
    company = _locked_company(tenant_id, company_id)
    location = locked_tenant_row(
        Location.objects.filter(company=company),
        tenant_id,
        location_id,
        f"No location {location_id} at company {company_id}.",
    )
    if kind is not None and kind not in Location.Kind.values:
        raise _refuse("kind", "invalid_kind", "Kind is ship_to or bill_to")
    if country is not None:
        _check_country(country)
    wanted = {
        "kind": kind,
        "name": name,
        "line1": line1,
        "line2": line2,
        "city": city,
        "postal_code": postal_code,
        "country": country,
        "is_active": is_active,
    }
    changed = [f for f, v in wanted.items() if v is not None and v != getattr(location, f)]
    if changed:
        for field in changed:
            setattr(location, field, wanted[field])
        location.save(update_fields=changed)
        payload = {**_location_payload(location, company), "changed": changed}
        _company_event(company, "location.updated", payload)
    return location


# Company users


def _user_payload(member: CompanyUser, company: Company) -> dict[str, Any]:
    return {
        "company": company.code,
        "company_user_id": member.pk,
        "email": member.user.email,
        "name": member.user.first_name,
        "role": member.role,
        "spending_limit": _money(member.spending_limit, company.price_list.currency),
        "is_active": member.user.is_active,
    }


def _normalised_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise _refuse("email", "invalid_email", "Not an email address") from None
    return email


def _check_spending_limit(limit: Decimal | None, company: Company) -> None:
    if limit is not None:
        currency = company.price_list.currency
        errors = _amount_errors("spending_limit", limit, currency, "spending_limit_negative")
        _refuse_all(errors, "The spending limit is not valid.")


@transaction.atomic
def create_company_user(
    *,
    tenant_id: int,
    company_id: int,
    email: str,
    name: str,
    role: str,
    spending_limit: Decimal | None = None,
) -> CompanyUser:
    """A person who buys for the company, with a sign-in named by their email.

    The password is unusable until they set one. Emails are compared without regard to case,
    and one email signs in to one account on the whole deployment. `spending_limit` (in the
    company's currency; None = no limit) is what their orders may reach without a company
    approver.
    """
    company = _locked_company(tenant_id, company_id)
    email = _normalised_email(email)
    if role not in CompanyUser.Role.values:
        raise _refuse("role", "invalid_role", "Role is buyer, approver or admin")
    _check_spending_limit(spending_limit, company)
    User = get_user_model()
    taken = field_conflict("email", "email_taken", "This email already has an account")
    if User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
        raise taken
    with saved_or_conflict(taken):
        user = User.objects.create_user(username=email, email=email, password=None, first_name=name)
    member = CompanyUser.objects.create(
        tenant_id=tenant_id, company=company, user=user, role=role, spending_limit=spending_limit
    )
    _company_event(company, "company_user.created", _user_payload(member, company))
    return member


def _check_an_admin_remains(company: Company, member: CompanyUser, role: str, active: bool) -> None:
    """A company that has an active admin keeps one, so that it never locks itself out of
    managing its own users (the caller holds the company's lock: changes are serialised)."""
    if member.role != CompanyUser.Role.ADMIN or not member.user.is_active:
        return
    if role == CompanyUser.Role.ADMIN and active:
        return
    others = CompanyUser.objects.filter(
        company=company, role=CompanyUser.Role.ADMIN, user__is_active=True
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
    may sign in (UNSET leaves a field as it is).

    The last active admin of a company can neither lose the role nor be switched off
    (409 `last_company_admin`), whoever asks: staff or the company's own admin.
    """
    company = _locked_company(tenant_id, company_id)
    member = locked_tenant_row(
        CompanyUser.objects.select_related("user").filter(company=company),
        tenant_id,
        company_user_id,
        f"No user {company_user_id} at company {company_id}.",
    )
    if role is not UNSET and role not in CompanyUser.Role.values:
        raise _refuse("role", "invalid_role", "Role is buyer, approver or admin")
    if spending_limit is not UNSET:
        _check_spending_limit(spending_limit, company)
    _check_an_admin_remains(
        company,
        member,
        member.role if role is UNSET else role,
        member.user.is_active if is_active is UNSET else is_active,
    )
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
    if member_fields:
        member.save(update_fields=member_fields)
    user_fields = []
    if name is not UNSET and name != member.user.first_name:
        member.user.first_name = name
        user_fields.append("first_name")
        changed.append("name")
    if is_active is not UNSET and is_active != member.user.is_active:
        member.user.is_active = is_active
        user_fields.append("is_active")
        changed.append("is_active")
    if user_fields:
        member.user.save(update_fields=user_fields)
    if changed:
        payload = {**_user_payload(member, company), "changed": changed}
        _company_event(company, "company_user.updated", payload)
    return member


# Buyer API keys


def _company_user(company: Company, company_user_id: int) -> CompanyUser:
    return tenant_row(
        CompanyUser.objects.select_related("user").filter(company=company),
        company.tenant_id,
        company_user_id,
        f"No user {company_user_id} at company {company.pk}.",
    )


def _key_payload(key: ApiKey, member: CompanyUser, company: Company) -> dict[str, Any]:
    return {
        "company": company.code,
        "company_user_id": member.pk,
        "prefix": key.prefix,
        "name": key.name,
        "scopes": sorted(key.scope_set),
    }


@transaction.atomic
def issue_buyer_api_key(
    *, tenant_id: int, company_id: int, company_user_id: int, name: str, scopes: set[str]
) -> IssuedApiKey:
    """A key that acts as this company user on the buyer routes (/api/v1/my/…) only.

    The secret is in the answer once and stored only hashed. A user who may not sign in gets
    no key (409 `company_user_inactive`): their keys would not work."""
    company = locked_tenant_row(
        Company.objects.select_related("tenant"), tenant_id, company_id, f"No company {company_id}."
    )
    member = _company_user(company, company_user_id)
    if not member.user.is_active:
        raise Conflict(
            "The user is switched off; activate them before issuing a key.",
            code="company_user_inactive",
        )
    issued = create_api_key(
        tenant=company.tenant, name=name, scopes=scopes, company_user_id=member.pk
    )
    _company_event(
        company, "company_user.api_key_issued", _key_payload(issued.key, member, company)
    )
    return issued


@transaction.atomic
def revoke_buyer_api_key(
    *, tenant_id: int, company_id: int, company_user_id: int, prefix: str
) -> ApiKey:
    """Revoke one of the user's keys at once. A key of anyone else is not found; revoking a
    revoked key changes nothing and records nothing."""
    company = locked_tenant_row(
        Company.objects.all(), tenant_id, company_id, f"No company {company_id}."
    )
    member = _company_user(company, company_user_id)
    key = ApiKey.objects.filter(tenant_id=tenant_id, company_user=member, prefix=prefix).first()
    if key is None:
        raise NotFound(f"No API key {prefix} of user {company_user_id}.")
    if key.revoked_at is not None:
        return key
    key = revoke_api_key(prefix=prefix)
    _company_event(company, "company_user.api_key_revoked", _key_payload(key, member, company))
    return key


# Credit lines and payment terms


def _credit_payload(line: CreditLine, company: Company) -> dict[str, Any]:
    currency = company.price_list.currency
    return {
        "company": company.code,
        "currency": currency,
        "credit_limit": _money(line.credit_limit, currency),
        "terms": line.terms,
        "terms_days": line.terms_days,
        "invoice_exposure": _money(line.invoice_exposure, currency),
        "oldest_unpaid_due_on": (
            line.oldest_unpaid_due_on.isoformat() if line.oldest_unpaid_due_on else None
        ),
    }


def _locked_credit_line(tenant_id: int, company_id: int) -> tuple[Company, CreditLine]:
    """The company (not locked) and its credit line, locked; a missing line is made with the
    defaults first, as the order path does."""
    company = tenant_row(
        Company.objects.select_related("price_list"),
        tenant_id,
        company_id,
        f"No company {company_id}.",
    )
    locked = lock_credit_line(tenant_id=tenant_id, company_id=company.pk)
    return company, CreditLine.objects.get(pk=locked.id)


def credit_terms_errors(
    *, terms: str, terms_days: int, credit_limit: Decimal | None, currency: str
) -> list[FieldError]:
    """What is wrong with credit terms as a whole (shared with the admin's form).

    Prepaid companies have no days to pay: prepaid with days is refused rather than silently
    changed, so that what was asked is what is stored."""
    errors = []
    if credit_limit is not None:
        errors += _amount_errors("credit_limit", credit_limit, currency, "credit_limit_negative")
    if terms not in CreditLine.Terms.values:
        errors.append(FieldError("terms", "invalid_terms", "Terms are prepaid, net or eom"))
    if not 0 <= terms_days <= MAX_TERMS_DAYS:
        errors.append(
            FieldError(
                "terms_days",
                "terms_days_out_of_range",
                f"Days are 0 to {MAX_TERMS_DAYS}",
                {"max": MAX_TERMS_DAYS},
            )
        )
    elif terms == CreditLine.Terms.PREPAID and terms_days:
        errors.append(
            FieldError("terms_days", "prepaid_has_no_days", "Prepaid terms take no days (0)")
        )
    return errors


@transaction.atomic
def update_credit_line(
    *,
    tenant_id: int,
    company_id: int,
    credit_limit: Decimal | Unset | None = UNSET,
    terms: str | Unset = UNSET,
    terms_days: int | Unset = UNSET,
) -> CreditLine:
    """Change the company's credit limit (None = no limit; in the company's currency) and
    payment terms; UNSET leaves a field as it is.

    Setting prepaid without days sets the days to 0; prepaid with days is refused
    (422 `prepaid_has_no_days`). The line is locked, so that no order is judged against a
    half-changed line. Records `company.credit_changed`."""
    company, line = _locked_credit_line(tenant_id, company_id)
    if terms == CreditLine.Terms.PREPAID and terms_days is UNSET:
        terms_days = 0
    wanted: dict[str, Any] = {
        "credit_limit": credit_limit,
        "terms": terms,
        "terms_days": terms_days,
    }
    after = {f: getattr(line, f) if v is UNSET else v for f, v in wanted.items()}
    _refuse_all(
        credit_terms_errors(currency=company.price_list.currency, **after),
        "The credit terms are not valid.",
    )
    changed = [f for f, v in after.items() if v != getattr(line, f)]
    if changed:
        for field in changed:
            setattr(line, field, after[field])
        line.save(update_fields=[*changed, "updated_at"])
        payload = {**_credit_payload(line, company), "changed": changed}
        _company_event(company, "company.credit_changed", payload)
    return line


@transaction.atomic
def sync_receivables(
    *,
    tenant_id: int,
    company_id: int,
    unpaid_amount: Decimal,
    oldest_unpaid_due_on: date | None,
) -> CreditLine:
    """Set what the company owes on invoices: the unpaid total (the invoice exposure) and the
    due date of the oldest unpaid invoice, from which overdue days are counted.

    Called with the seller's accounting system's figures today (PUT /receivables) and by
    billing once invoices live here. The two must agree: a date is required when something is
    unpaid and refused when nothing is. The line is locked; a sync that changes nothing
    records nothing, otherwise `company.receivables_synced`."""
    company, line = _locked_credit_line(tenant_id, company_id)
    currency = company.price_list.currency
    errors = _amount_errors("unpaid_amount", unpaid_amount, currency, "unpaid_amount_negative")
    if unpaid_amount > 0 and oldest_unpaid_due_on is None:
        errors.append(
            FieldError(
                "oldest_unpaid_due_on",
                "oldest_unpaid_due_on_required",
                "Give the due date of the oldest unpaid invoice",
            )
        )
    if unpaid_amount == 0 and oldest_unpaid_due_on is not None:
        errors.append(
            FieldError(
                "oldest_unpaid_due_on",
                "oldest_unpaid_due_on_unexpected",
                "Nothing is unpaid, so there is no oldest unpaid invoice",
            )
        )
    _refuse_all(errors, "The receivables are not consistent.")
    if (line.invoice_exposure, line.oldest_unpaid_due_on) != (unpaid_amount, oldest_unpaid_due_on):
        line.invoice_exposure = unpaid_amount
        line.oldest_unpaid_due_on = oldest_unpaid_due_on
        line.save(update_fields=["invoice_exposure", "oldest_unpaid_due_on", "updated_at"])
        _company_event(company, "company.receivables_synced", _credit_payload(line, company))
    return line


# --- Credit on the order path -------------------------------------------------------------
# These two run inside the caller's transaction (placing, releasing or cancelling an order).
# Lock order across the system: order row, then credit line, then stock levels.

_CREDIT_COLUMNS = (
    "id", "credit_limit", "order_exposure", "invoice_exposure", "oldest_unpaid_due_on", "terms",
)  # fmt: skip
# Raise and read in one statement: the row is locked from here to the end of the transaction.
_TAKE_CREDIT = """
UPDATE customers_creditline SET order_exposure = order_exposure + %s, updated_at = %s
WHERE tenant_id = %s AND company_id = %s
RETURNING id, credit_limit, order_exposure, invoice_exposure, oldest_unpaid_due_on, terms
"""


@dataclass(frozen=True)
class LockedCredit:
    """A company's credit line, locked until the transaction ends."""

    id: int
    state: credit.CreditState


def _ensure_credit_line(tenant_id: int, company_id: int) -> None:
    # Companies made before credit lines existed, or outside the services, get one now.
    CreditLine.objects.bulk_create(
        [CreditLine(tenant_id=tenant_id, company_id=company_id)], ignore_conflicts=True
    )


def lock_credit_line(*, tenant_id: int, company_id: int) -> LockedCredit:
    """Lock the company's credit line (creating it with the defaults if it has none yet)."""
    rows = CreditLine.objects.select_for_update().filter(tenant_id=tenant_id, company_id=company_id)
    row = rows.values_list(*_CREDIT_COLUMNS).first()
    if row is None:
        _ensure_credit_line(tenant_id, company_id)
        row = rows.values_list(*_CREDIT_COLUMNS).get()
    return LockedCredit(row[0], credit.CreditState(row[1], row[2], row[3], row[4], row[5]))


def take_credit(*, tenant_id: int, company_id: int, amount: Decimal) -> LockedCredit:
    """Lock the company's credit line and add `amount` to its open-order exposure at once,
    returning the state from before; a caller whose credit check fails gives the amount back
    with `change_order_exposure` (most orders pass, so most pay one statement).

    Every credit decision reads this row under its lock, so two orders of one company are
    judged one after the other and can never both pass a limit only one of them fits."""
    params = [amount, clock.now(), tenant_id, company_id]
    rows = select_rows(_TAKE_CREDIT, params)
    if not rows:
        _ensure_credit_line(tenant_id, company_id)
        rows = select_rows(_TAKE_CREDIT, params)
    line_id, limit, exposure, invoices, due, terms = rows[0]
    before = credit.CreditState(
        to_decimal(limit),
        (to_decimal(exposure) or Decimal(0)) - amount,
        to_decimal(invoices) or Decimal(0),
        to_date(due),
        terms,
    )
    return LockedCredit(line_id, before)


def change_order_exposure(*, credit_line_id: int, amount: Decimal) -> None:
    """Add `amount` (negative to release) to the open-order exposure of a locked credit line."""
    CreditLine.objects.filter(pk=credit_line_id).update(
        order_exposure=F("order_exposure") + amount, updated_at=clock.now()
    )
