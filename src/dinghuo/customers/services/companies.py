"""Buyer companies: their code, name and base price list, the parent company whose group
they belong to (集團), their customer groups, and whether they may order."""

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from django.db import transaction
from django.db.models import Model

from dinghuo.audit import services as audit
from dinghuo.core.errors import Conflict, FieldError
from dinghuo.core.writes import UNSET, Unset, field_conflict, saved_or_conflict
from dinghuo.customers.models import Company, CreditLine, CustomerGroup
from dinghuo.customers.services.common import company_event, locked_company, refuse, refuse_all
from dinghuo.integrations import events


def _code_taken(code: str) -> Conflict:
    return field_conflict("code", "company_code_taken", f"Another company has code {code}")


def _price_list(tenant_id: int, price_list_id: int) -> Any:
    """The tenant's price list with this id (422 `unknown_price_list` when it has none)."""
    # Through the FK: customers only points at pricing's table; pricing is above customers.
    price_lists = cast(type[Model], Company._meta.get_field("price_list").related_model)
    price_list = price_lists._default_manager.filter(tenant_id=tenant_id, pk=price_list_id).first()
    if price_list is None:
        raise refuse("price_list_id", "unknown_price_list", f"No price list {price_list_id}")
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
        raise refuse("parent_id", "unknown_company", f"No company {parent_id}")
    if company_id is None:
        return parent
    seen: set[int] = set()
    ancestor: int | None = parent.pk
    while ancestor is not None and ancestor not in seen:
        if ancestor == company_id:
            raise refuse(
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
    refuse_all(errors, "Unknown customer groups.")
    return [found[gid] for gid in wanted]


def _company_payload(company: Company) -> dict[str, Any]:
    return {
        "company": company.code,
        "name": company.name,
        "price_list": company.price_list.code,
        "is_active": company.is_active,
    }


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
    audit.created(company)
    payload = {
        **_company_payload(company),
        "parent": parent.code if parent else None,
        "groups": [g.code for g in groups],
    }
    events.record(company_event(company, "company.created", payload))
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
    company = locked_company(tenant_id, company_id)
    before = audit.snapshot(company)
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
        audit.changed(company, before)
    if groups_changed:
        changed.append("groups")
    if changed:
        payload = {**_company_payload(company), **extra, "changed": changed}
        events.record(company_event(company, "company.updated", payload))
    return company


@transaction.atomic
def set_tax_exemption(
    *, tenant_id: int, company_id: int, certificate: str, expires_on: date | None = None
) -> Company:
    """Record the company's tax exemption certificate and its last valid day (None: no
    expiry); an empty certificate ends the exemption (and takes no expiry, 422
    `expiry_without_certificate`). Orders placed while it is valid carry no tax."""
    company = locked_company(tenant_id, company_id)
    if not certificate and expires_on is not None:
        raise refuse(
            "expires_on", "expiry_without_certificate", "An expiry needs a certificate number"
        )
    wanted = {"tax_exemption_certificate": certificate, "tax_exemption_expires_on": expires_on}
    changed = [f for f, v in wanted.items() if getattr(company, f) != v]
    if changed:
        before = audit.snapshot(company)
        for field in changed:
            setattr(company, field, wanted[field])
        company.save(update_fields=changed)
        audit.changed(company, before)
        payload = {
            **_company_payload(company),
            "tax_exemption_certificate": certificate,
            "tax_exemption_expires_on": expires_on.isoformat() if expires_on else None,
        }
        events.record(company_event(company, "company.tax_exemption_changed", payload))
    return company


def _set_company_active(tenant_id: int, company_id: int, active: bool) -> Company:
    company = locked_company(tenant_id, company_id)
    if company.is_active != active:
        before = audit.snapshot(company)
        company.is_active = active
        company.save(update_fields=["is_active"])
        audit.changed(company, before)
        kind = "company.activated" if active else "company.deactivated"
        events.record(company_event(company, kind, _company_payload(company)))
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
