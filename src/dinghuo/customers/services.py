"""Customer writes: buyer companies, their locations and their users.

Each service is one transaction and records its events on the company (aggregate "company"),
so one company's history reads from the event feed in order.
"""

from typing import Any

from babel import Locale
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.core.writes import field_conflict, locked_tenant_row, saved_or_conflict
from dinghuo.customers.models import Company, CompanyUser, Location
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


def _refuse(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, errors=[FieldError(field, code, message)])


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


def _company_payload(company: Company) -> dict[str, Any]:
    return {
        "company": company.code,
        "name": company.name,
        "price_list": company.price_list.code,
        "is_active": company.is_active,
    }


def _company_event(company: Company, type: str, payload: dict[str, Any]) -> None:
    events.record(company.tenant_id, type, "company", company.pk, payload)


@transaction.atomic
def create_company(*, tenant_id: int, code: str, name: str, price_list_id: int) -> Company:
    """A new buyer company that buys on `price_list_id`; its code is unique in the tenant."""
    price_list = _price_list(tenant_id, price_list_id)
    _check_company_code_free(tenant_id, code)
    with saved_or_conflict(_code_taken(code)):
        company = Company.objects.create(
            tenant_id=tenant_id, code=code, name=name, price_list=price_list
        )
    _company_event(company, "company.created", _company_payload(company))
    return company


@transaction.atomic
def update_company(
    *,
    tenant_id: int,
    company_id: int,
    code: str | None = None,
    name: str | None = None,
    price_list_id: int | None = None,
) -> Company:
    """Change what is given (None leaves a field as it is); records which fields changed."""
    company = _locked_company(tenant_id, company_id)
    changed = []
    if price_list_id is not None and price_list_id != company.price_list_id:
        company.price_list = _price_list(tenant_id, price_list_id)
        changed.append("price_list")
    if code is not None and code != company.code:
        _check_company_code_free(tenant_id, code, company.pk)
        company.code = code
        changed.append("code")
    if name is not None and name != company.name:
        company.name = name
        changed.append("name")
    if changed:
        with saved_or_conflict(_code_taken(company.code)):
            company.save(update_fields=changed)
        _company_event(
            company, "company.updated", {**_company_payload(company), "changed": changed}
        )
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


def _user_payload(member: CompanyUser, company: Company) -> dict[str, Any]:
    return {
        "company": company.code,
        "company_user_id": member.pk,
        "email": member.user.email,
        "name": member.user.first_name,
        "role": member.role,
        "is_active": member.user.is_active,
    }


def _normalised_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise _refuse("email", "invalid_email", "Not an email address") from None
    return email


@transaction.atomic
def create_company_user(
    *, tenant_id: int, company_id: int, email: str, name: str, role: str
) -> CompanyUser:
    """A person who buys for the company, with a sign-in named by their email.

    The password is unusable until they set one. Emails are compared without regard to case,
    and one email signs in to one account on the whole deployment.
    """
    company = _locked_company(tenant_id, company_id)
    email = _normalised_email(email)
    if role not in CompanyUser.Role.values:
        raise _refuse("role", "invalid_role", "Role is buyer, approver or admin")
    User = get_user_model()
    taken = field_conflict("email", "email_taken", "This email already has an account")
    if User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
        raise taken
    with saved_or_conflict(taken):
        user = User.objects.create_user(username=email, email=email, password=None, first_name=name)
    member = CompanyUser.objects.create(tenant_id=tenant_id, company=company, user=user, role=role)
    _company_event(company, "company_user.created", _user_payload(member, company))
    return member


@transaction.atomic
def update_company_user(
    *,
    tenant_id: int,
    company_id: int,
    company_user_id: int,
    name: str | None = None,
    role: str | None = None,
    is_active: bool | None = None,
) -> CompanyUser:
    """Change a company user's name, role or whether they may sign in (None leaves it)."""
    company = _locked_company(tenant_id, company_id)
    member = locked_tenant_row(
        CompanyUser.objects.select_related("user").filter(company=company),
        tenant_id,
        company_user_id,
        f"No user {company_user_id} at company {company_id}.",
    )
    if role is not None and role not in CompanyUser.Role.values:
        raise _refuse("role", "invalid_role", "Role is buyer, approver or admin")
    changed = []
    if role is not None and role != member.role:
        member.role = role
        member.save(update_fields=["role"])
        changed.append("role")
    user_fields = []
    if name is not None and name != member.user.first_name:
        member.user.first_name = name
        user_fields.append("first_name")
        changed.append("name")
    if is_active is not None and is_active != member.user.is_active:
        member.user.is_active = is_active
        user_fields.append("is_active")
        changed.append("is_active")
    if user_fields:
        member.user.save(update_fields=user_fields)
    if changed:
        payload = {**_user_payload(member, company), "changed": changed}
        _company_event(company, "company_user.updated", payload)
    return member
