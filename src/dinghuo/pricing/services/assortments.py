"""Assortments: the SKUs some companies may see and buy. Each write is one transaction that
records its event on the assortment; a refusal changes nothing."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Category, Sku
from dinghuo.core.errors import FieldError
from dinghuo.core.queries import seller_for
from dinghuo.core.writes import UNSET, Unset, code_must_be_free, locked_tenant_row, refuse, taken
from dinghuo.customers.models import Company, CustomerGroup
from dinghuo.integrations import events
from dinghuo.pricing.models import Assortment
from dinghuo.pricing.services.shared import changed_fields, changed_sets, missing_ids, set_members


@dataclass(frozen=True)
class AssortmentMembers:
    """What an assortment holds (categories with those below, SKUs) and who sees it."""

    category_ids: list[int]
    sku_ids: list[int]
    company_ids: list[int]
    customer_group_ids: list[int]


# Each set of ids of `AssortmentMembers` and the assortment's relation that holds it.
_ASSORTMENT_SETS = {
    "category_ids": "categories",
    "sku_ids": "skus",
    "company_ids": "companies",
    "customer_group_ids": "customer_groups",
}


def assortment_members(assortment: Assortment) -> AssortmentMembers:
    """The assortment's members (four queries)."""
    return AssortmentMembers(
        **{
            field: sorted(getattr(assortment, rel).values_list("pk", flat=True))
            for field, rel in _ASSORTMENT_SETS.items()
        }
    )


def _member_errors(tenant_id: int, seller_id: int, members: AssortmentMembers) -> list[FieldError]:
    errors = missing_ids(
        Category, tenant_id, "category_ids", "unknown_category", members.category_ids
    )
    errors += missing_ids(
        Sku, tenant_id, "sku_ids", "unknown_sku", members.sku_ids, seller_id=seller_id
    )
    errors += missing_ids(Company, tenant_id, "company_ids", "unknown_company", members.company_ids)
    errors += missing_ids(
        CustomerGroup,
        tenant_id,
        "customer_group_ids",
        "unknown_customer_group",
        members.customer_group_ids,
    )
    return errors


def _assortment_payload(assortment: Assortment, members: AssortmentMembers) -> dict[str, Any]:
    return {
        "code": assortment.code,
        "name": assortment.name,
        **{field: sorted(getattr(members, field)) for field in _ASSORTMENT_SETS},
    }


@transaction.atomic
def create_assortment(
    *,
    tenant_id: int,
    code: str,
    name: str,
    members: AssortmentMembers,
    seller_slug: str | None = None,
) -> Assortment:
    """The SKUs some companies may see and buy: whole categories (with the categories below)
    and single SKUs, for the listed companies and the companies of the listed groups. A
    company in no assortment sees the whole catalogue."""
    seller = seller_for(tenant_id, seller_slug)
    refuse(_member_errors(tenant_id, seller.pk, members), "The assortment cannot be created.")
    if Assortment.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise taken("code", code)
    assortment = Assortment(tenant_id=tenant_id, seller=seller, code=code, name=name)
    with code_must_be_free("code"):
        assortment.save()
    set_members(assortment, **{rel: getattr(members, f) for f, rel in _ASSORTMENT_SETS.items()})
    payload = _assortment_payload(assortment, members)
    audit.wrote(assortment, "created", after=payload)
    events.record(events.new(tenant_id, "assortment.created", "assortment", assortment.pk, payload))
    return assortment


@transaction.atomic
def update_assortment(
    *,
    tenant_id: int,
    assortment_id: int,
    name: str | Unset = UNSET,
    code: str | Unset = UNSET,
    category_ids: list[int] | Unset = UNSET,
    sku_ids: list[int] | Unset = UNSET,
    company_ids: list[int] | Unset = UNSET,
    customer_group_ids: list[int] | Unset = UNSET,
) -> Assortment:
    """Change what is given (a list of ids replaces that set); changing nothing records
    nothing."""
    assortment = locked_tenant_row(
        Assortment.objects.all(), tenant_id, assortment_id, f"No assortment {assortment_id}."
    )
    before = assortment_members(assortment)
    given_sets = {
        "category_ids": category_ids,
        "sku_ids": sku_ids,
        "company_ids": company_ids,
        "customer_group_ids": customer_group_ids,
    }
    after = AssortmentMembers(
        **{
            f: getattr(before, f) if isinstance(v, Unset) else list(v)
            for f, v in given_sets.items()
        }
    )
    set_changes = changed_sets(before, after, _ASSORTMENT_SETS)
    changed = changed_fields(assortment, {"name": name, "code": code})
    if not changed and not set_changes:
        return assortment
    refuse(_member_errors(tenant_id, assortment.seller_id, after), "The assortment is not valid.")
    if "code" in changed and Assortment.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise taken("code", str(code))
    was = _assortment_payload(assortment, before)
    for attr, value in changed.items():
        setattr(assortment, attr, value)
    if changed:
        with code_must_be_free("code"):
            assortment.save(update_fields=list(changed))
    set_members(assortment, **{_ASSORTMENT_SETS[f]: getattr(after, f) for f in set_changes})
    audit.wrote(assortment, "changed", before=was, after=_assortment_payload(assortment, after))
    payload = {**_assortment_payload(assortment, after), "changed": [*changed, *set_changes]}
    events.record(events.new(tenant_id, "assortment.changed", "assortment", assortment.pk, payload))
    return assortment
