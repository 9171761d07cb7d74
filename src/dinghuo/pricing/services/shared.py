"""What several pricing writes share: the rows they lock, the checks of ids and currencies, and
how a partial update finds what it changes."""

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Model

from dinghuo.core.errors import FieldError
from dinghuo.core.money import is_currency
from dinghuo.core.writes import UNSET, locked_tenant_row
from dinghuo.customers.models import Company
from dinghuo.pricing.models import Assortment, PriceList, Promotion

Ladder = list[tuple[int, Decimal]]


def locked_price_list(tenant_id: int, price_list_id: int) -> PriceList:
    """The tenant's price list (with its seller), locked until the transaction ends; else 404."""
    return locked_tenant_row(
        PriceList.objects.select_related("seller"),
        tenant_id,
        price_list_id,
        f"No price list {price_list_id}.",
    )


def locked_company(tenant_id: int, company_id: int) -> Company:
    """The tenant's company (with its price list), locked until the transaction ends; else 404."""
    # Serialises every change of the company's contract prices, so that two requests cannot
    # both pass the overlap check; the price list is read, not locked.
    return locked_tenant_row(
        Company.objects.select_related("price_list"),
        tenant_id,
        company_id,
        f"No company {company_id}.",
    )


def currency_errors(currency: str) -> list[FieldError]:
    """`invalid_currency` on `currency` unless it is an ISO 4217 code."""
    if is_currency(currency):
        return []
    return [FieldError("currency", "invalid_currency", f"{currency} is not an ISO 4217 code")]


def missing_ids(
    model: Any, tenant_id: int, field: str, code: str, ids: Sequence[int], **scope: Any
) -> list[FieldError]:
    """A field error for each id of `ids` that is not a row of the tenant (within `scope`),
    and `duplicate_id` for each id given again."""
    if not ids:
        return []
    noun = model._meta.verbose_name
    found = set(
        model.objects.filter(tenant_id=tenant_id, pk__in=set(ids), **scope).values_list(
            "pk", flat=True
        )
    )
    errors = [
        FieldError(f"{field}[{i}]", code, f"No {noun} {value}")
        for i, value in enumerate(ids)
        if value not in found
    ]
    seen: set[int] = set()
    for i, value in enumerate(ids):
        if value in seen:
            errors.append(FieldError(f"{field}[{i}]", "duplicate_id", f"{value} is given twice"))
        seen.add(value)
    return errors


def changed_fields(row: Model, asked: Mapping[str, Any]) -> dict[str, Any]:
    """The values given (not UNSET) that differ from the row's, by field name."""
    return {
        attr: value
        for attr, value in asked.items()
        if value is not UNSET and getattr(row, attr) != value
    }


def changed_sets(before: object, after: object, names: Iterable[str]) -> list[str]:
    """The sets of ids (attributes `names`) that `after` replaces: different, or with an id
    given twice (so that the checks report it). `before` holds sorted lists."""
    return [
        name
        for name in names
        if sorted(getattr(after, name)) != getattr(before, name)
        or len(set(getattr(after, name))) != len(getattr(after, name))
    ]


def set_members(row: Promotion | Assortment, **ids: list[int]) -> None:
    """Replace each named many-to-many set of the row (`skus=[…]`) with the given ids."""
    for name, values in ids.items():
        getattr(row, name).set(values)
