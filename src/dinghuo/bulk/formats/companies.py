"""Buyer companies, their users and their addresses: three kinds of file, one per table, each
keyed by the company's code (users also by email; addresses also by kind and name).

Written through `customers.services` (create, or update what differs: an update that
changes nothing records nothing). A company's parent may be a company of the same file: parents
are saved first. Customer groups are codes separated by commas.
"""

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from dinghuo.bulk.formats.common import Importing, Row, duplicates
from dinghuo.bulk.layout import BOOL, DECIMAL, Column, Layout
from dinghuo.core.errors import FieldError
from dinghuo.core.money import format_amount
from dinghuo.core.writes import UNSET
from dinghuo.customers import queries as customer_queries
from dinghuo.customers import services as customers
from dinghuo.customers.models import Company, CompanyUser, CustomerGroup, Location
from dinghuo.pricing.models import PriceList

COMPANIES = Layout(
    "companies",
    (
        Column("company_code", _("Company code"), required=True, max_length=64),
        Column("name", _("Company name"), max_length=300),
        Column("price_list", _("Price list code"), max_length=64),
        Column("parent", _("Parent company code"), max_length=64),
        Column("groups", _("Customer group codes"), max_length=2000),
        Column("is_active", _("Company active"), BOOL),
    ),
)


def export_companies(
    tenant_id: int, *, is_active: bool | None = None, q: str | None = None
) -> Iterator[list[Any]]:
    """Every company (as the company list filters them), by code."""
    found = (
        customer_queries.companies(tenant_id, is_active=is_active, q=q)
        .select_related("parent")
        .prefetch_related("groups")
        .order_by("code")
    )
    for company in found.iterator(chunk_size=1000):
        yield [
            company.code,
            company.name,
            company.price_list.code,
            company.parent.code if company.parent else None,
            ", ".join(sorted(g.code for g in company.groups.all())) or None,
            company.is_active,
        ]


def _group_ids(work: Importing, number: int, text: str | None) -> list[int] | None:
    codes = [c.strip() for c in (text or "").split(",") if c.strip()]
    found = dict(
        CustomerGroup.objects.filter(tenant_id=work.tenant_id, code__in=codes).values_list(
            "code", "id"
        )
    )
    missing = [c for c in codes if c not in found]
    if missing:
        work.report(number, "groups", "unknown_customer_group")
        return None
    return [found[c] for c in codes]


def _in_parent_order(rows: list[Row]) -> list[Row]:
    """Rows ordered so that a parent of the file comes before its members."""
    codes = {v["company_code"]: (n, v) for n, v in rows}
    done: set[str] = set()
    ordered: list[Row] = []

    def visit(code: str, seen: frozenset[str]) -> None:
        if code in done or code in seen:
            return
        parent = codes[code][1].get("parent")
        if isinstance(parent, str) and parent in codes:
            visit(parent, seen | {code})
        done.add(code)
        ordered.append(codes[code])

    for code in codes:
        visit(code, frozenset())
    return ordered


def import_companies(work: Importing) -> None:
    """Create or update each company by its code."""
    rows = _in_parent_order(duplicates(work, lambda v: v["company_code"], "company_code"))
    lists = dict(PriceList.objects.filter(tenant_id=work.tenant_id).values_list("code", "id"))
    for number, values in rows:
        _save_company(work, number, values, lists)


def _save_company(
    work: Importing, number: int, values: dict[str, Any], lists: dict[str, int]
) -> None:
    tenant = work.tenant_id
    company = Company.objects.filter(tenant_id=tenant, code=values["company_code"]).first()
    price_list = values.get("price_list")
    if price_list is not None and price_list not in lists:
        work.report(number, "price_list", "unknown_price_list")
        return
    parent_id: Any = UNSET
    if work.has("parent"):
        parent_code = values.get("parent")
        parent = Company.objects.filter(tenant_id=tenant, code=parent_code).first()
        if parent_code and parent is None:
            work.report(number, "parent", "unknown_parent")
            return
        parent_id = parent.pk if parent else None
    group_ids: Any = UNSET
    if work.has("groups"):
        group_ids = _group_ids(work, number, values.get("groups"))
        if group_ids is None:
            return

    def place(problem: FieldError) -> tuple[int, str]:
        field = problem.field.split(".")[0].split("[")[0]
        column = {"code": "company_code", "price_list_id": "price_list", "parent_id": "parent",
                  "group_ids": "groups", "name": "name"}.get(field, "")  # fmt: skip
        return number, column

    with work.refusals(place):
        if company is None:
            if not values.get("name") or price_list is None:
                missing = "name" if not values.get("name") else "price_list"
                work.report(number, missing, "value_required")
                return
            company = customers.create_company(
                tenant_id=tenant,
                code=values["company_code"],
                name=values["name"],
                price_list_id=lists[price_list],
                parent_id=None if parent_id is UNSET else parent_id,
                group_ids=[] if group_ids is UNSET else group_ids,
            )
            work.count("companies_created")
        else:
            customers.update_company(
                tenant_id=tenant,
                company_id=company.pk,
                name=values.get("name") or UNSET,
                price_list_id=UNSET if price_list is None else lists[price_list],
                parent_id=parent_id,
                group_ids=group_ids,
            )
            work.count("companies_seen")
        active = values.get("is_active")
        if active is not None and active != company.is_active:
            change = customers.activate_company if active else customers.deactivate_company
            change(tenant_id=tenant, company_id=company.pk)


USERS = Layout(
    "company-users",
    (
        Column("company_code", _("Company code"), required=True, max_length=64),
        Column("email", _("Email"), required=True, max_length=254),
        Column("name", _("Name"), max_length=150),
        Column("role", _("Role (buyer, approver, admin)"), max_length=8),
        Column("spending_limit", _("Spending limit"), DECIMAL),
        Column("is_active", _("May sign in"), BOOL),
    ),
)


def export_users(tenant_id: int, *, company_id: int | None = None) -> Iterator[list[Any]]:
    """Every company user (or one company's), by company code and email."""
    found = CompanyUser.objects.filter(tenant_id=tenant_id).select_related(
        "company__price_list", "user"
    )
    if company_id is not None:
        found = found.filter(company_id=company_id)
    for member in found.order_by("company__code", "user__username").iterator(chunk_size=1000):
        limit = member.spending_limit
        currency = member.company.price_list.currency
        yield [
            member.company.code,
            member.user.username,
            member.user.first_name,
            member.role,
            None if limit is None else format_amount(limit, currency),
            member.is_active,
        ]


def import_users(work: Importing) -> None:
    """Create or update each user by email, at their company."""
    rows = duplicates(work, lambda v: v["email"].strip().lower(), "email")
    for number, values in rows:
        _save_user(work, number, values)


def _save_user(work: Importing, number: int, values: dict[str, Any]) -> None:
    tenant = work.tenant_id
    company = Company.objects.filter(tenant_id=tenant, code=values["company_code"]).first()
    if company is None:
        work.report(number, "company_code", "unknown_company")
        return
    email = values["email"].strip().lower()
    member = CompanyUser.objects.filter(tenant_id=tenant, user__username__iexact=email).first()
    if member is not None and member.company_id != company.pk:
        work.report(number, "email", "user_of_other_company")
        return

    def place(problem: FieldError) -> tuple[int, str]:
        return number, problem.field if problem.field in dict(values) else ""

    limit = values.get("spending_limit") if work.has("spending_limit") else UNSET
    with work.refusals(place):
        if member is None:
            member = customers.create_company_user(
                tenant_id=tenant,
                company_id=company.pk,
                email=email,
                name=values.get("name") or "",
                role=values.get("role") or CompanyUser.Role.BUYER,
                spending_limit=None if limit is UNSET else limit,
            )
            work.count("users_created")
            if values.get("is_active") is False:
                customers.update_company_user(
                    tenant_id=tenant, company_id=company.pk, company_user_id=member.pk,
                    is_active=False,
                )  # fmt: skip
            return
        customers.update_company_user(
            tenant_id=tenant,
            company_id=company.pk,
            company_user_id=member.pk,
            name=values.get("name") or UNSET,
            role=values.get("role") or UNSET,
            is_active=UNSET if values.get("is_active") is None else values["is_active"],
            spending_limit=limit,
        )
        work.count("users_seen")


ADDRESSES = Layout(
    "company-addresses",
    (
        Column("company_code", _("Company code"), required=True, max_length=64),
        Column("kind", _("Kind (ship_to, bill_to)"), required=True, max_length=8),
        Column("name", _("Address name"), required=True, max_length=200),
        Column("line1", _("Address line 1"), max_length=200),
        Column("line2", _("Address line 2"), max_length=200),
        Column("city", _("City"), max_length=100),
        Column("postal_code", _("Postal code"), max_length=20),
        Column("country", _("Country (ISO code)"), max_length=2),
        Column("region", _("Region (ISO 3166-2)"), max_length=3),
        Column("is_active", _("Address active"), BOOL),
    ),
)
_ADDRESS_FIELDS = ("line1", "line2", "city", "postal_code", "country", "region")


def export_addresses(tenant_id: int, *, company_id: int | None = None) -> Iterator[list[Any]]:
    """Every address (or one company's), by company code, kind and name."""
    found = Location.objects.filter(tenant_id=tenant_id).select_related("company")
    if company_id is not None:
        found = found.filter(company_id=company_id)
    for place in found.order_by("company__code", "kind", "name", "id").iterator(chunk_size=1000):
        yield [
            place.company.code,
            place.kind,
            place.name,
            *(getattr(place, f) or None for f in _ADDRESS_FIELDS),
            place.is_active,
        ]


def import_addresses(work: Importing) -> None:
    """Create or update each address by company, kind and name."""
    rows = duplicates(work, lambda v: (v["company_code"], v["kind"], v["name"].casefold()), "name")
    for number, values in rows:
        _save_address(work, number, values)


def _save_address(work: Importing, number: int, values: dict[str, Any]) -> None:
    tenant = work.tenant_id
    company = Company.objects.filter(tenant_id=tenant, code=values["company_code"]).first()
    if company is None:
        work.report(number, "company_code", "unknown_company")
        return
    found = Location.objects.filter(
        company=company, kind=values["kind"], name__iexact=values["name"]
    ).first()
    given: dict[str, Any] = {f: values.get(f) or "" for f in _ADDRESS_FIELDS if work.has(f)}

    def place(problem: FieldError) -> tuple[int, str]:
        return number, problem.field if problem.field in values else ""

    with work.refusals(place):
        if found is None:
            for required in ("line1", "city", "country"):
                if not given.get(required):
                    work.report(number, required, "value_required")
                    return
            found = customers.create_location(
                tenant_id=tenant, company_id=company.pk, kind=values["kind"],
                name=values["name"], **given,
            )  # fmt: skip
            work.count("addresses_created")
        else:
            customers.update_location(
                tenant_id=tenant, company_id=company.pk, location_id=found.pk, **given
            )
            work.count("addresses_seen")
        active = values.get("is_active")
        if active is not None and active != found.is_active:
            customers.update_location(
                tenant_id=tenant, company_id=company.pk, location_id=found.pk, is_active=active
            )
