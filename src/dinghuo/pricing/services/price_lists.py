"""Price list writes: create, change, and replace SKUs' tier ladders. Each is one transaction
that records its events; a refusal changes nothing."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Sku
from dinghuo.core.errors import Conflict, FieldError
from dinghuo.core.money import format_unit_price
from dinghuo.core.queries import seller_for
from dinghuo.core.writes import UNSET, Unset, code_must_be_free, refuse, taken
from dinghuo.integrations import events
from dinghuo.pricing.models import PriceList, PriceTier
from dinghuo.pricing.queries.listings import ladders
from dinghuo.pricing.services.shared import (
    Ladder,
    changed_fields,
    currency_errors,
    locked_price_list,
)
from dinghuo.pricing.tiers import tier_problems


@dataclass(frozen=True)
class PriceEntry:
    """The complete tier ladder of one SKU (by code) on a price list; empty removes its price."""

    sku: str
    tiers: Ladder


@dataclass(frozen=True)
class PriceChange:
    """How many of the SKUs named had their ladder replaced, and how many had it already."""

    changed: int
    unchanged: int


def _payload(price_list: PriceList) -> dict[str, Any]:
    return {
        "code": price_list.code,
        "name": price_list.name,
        "currency": price_list.currency,
        "prices_include_tax": price_list.prices_include_tax,
        "seller": price_list.seller.slug,
        "is_active": price_list.is_active,
    }


@transaction.atomic
def create_price_list(
    *,
    tenant_id: int,
    code: str,
    name: str,
    currency: str,
    is_active: bool = True,
    seller_slug: str | None = None,
    prices_include_tax: bool = False,
) -> PriceList:
    """A price list in one ISO 4217 currency, of the tenant's own store or the named seller."""
    refuse(currency_errors(currency), "The price list cannot be created; see errors.")
    seller = seller_for(tenant_id, seller_slug)
    if PriceList.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise taken("code", code)
    price_list = PriceList(
        tenant_id=tenant_id,
        seller=seller,
        code=code,
        name=name,
        currency=currency,
        prices_include_tax=prices_include_tax,
        is_active=is_active,
    )
    with code_must_be_free("code"):
        price_list.save()
    audit.created(price_list)
    events.record(
        events.new(
            price_list.tenant_id,
            "price_list.created",
            "price_list",
            price_list.pk,
            _payload(price_list),
        )
    )
    return price_list


@transaction.atomic
def update_price_list(
    *,
    tenant_id: int,
    price_list_id: int,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
    currency: str | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    prices_include_tax: bool | Unset = UNSET,
) -> PriceList:
    """Change what is given. The currency can change only while the list has no prices,
    because its prices would silently change meaning. Whether prices include tax changes
    orders placed from then on (placed orders keep theirs)."""
    price_list = locked_price_list(tenant_id, price_list_id)
    wanted = {"code": code, "name": name, "currency": currency, "is_active": is_active}
    changed = changed_fields(price_list, {**wanted, "prices_include_tax": prices_include_tax})
    if not changed:
        return price_list
    if "currency" in changed:
        refuse(currency_errors(str(changed["currency"])), "The currency is not valid.")
        if PriceTier.objects.filter(price_list=price_list).exists():
            raise Conflict(
                "The price list has prices in its currency; make a new list instead.",
                code="currency_locked",
                errors=[FieldError("currency", "currency_locked", "The list already has prices")],
            )
    if "code" in changed and PriceList.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise taken("code", str(code))
    before = audit.snapshot(price_list)
    for attr, value in changed.items():
        setattr(price_list, attr, value)
    with code_must_be_free("code"):
        price_list.save(update_fields=list(changed))
    audit.changed(price_list, before)
    events.record(
        events.new(
            price_list.tenant_id,
            "price_list.updated",
            "price_list",
            price_list.pk,
            {**_payload(price_list), "changed": list(changed)},
        )
    )
    return price_list


def _entry_errors(entries: Sequence[PriceEntry], sku_ids: dict[str, int]) -> list[FieldError]:
    seen = Counter(entry.sku for entry in entries)
    errors = []
    for i, entry in enumerate(entries):
        if seen[entry.sku] > 1:
            errors.append(
                FieldError(f"entries[{i}].sku", "duplicate_sku", f"{entry.sku} is given twice")
            )
        if entry.sku not in sku_ids:
            errors.append(FieldError(f"entries[{i}].sku", "unknown_sku", f"No SKU {entry.sku}"))
        # `invalid_tiers` is what clients of this route already know; `reason` says which.
        errors += [
            FieldError(
                f"entries[{i}].tiers",
                "invalid_tiers",
                f"tiers[{p.index}]: {p.message}",
                {"reason": p.code, "tier": p.index},
            )
            for p in tier_problems(entry.tiers)
        ]
    return errors


def ladder_out(ladder: Ladder, currency: str) -> list[dict[str, Any]]:
    """A tier ladder as the API and events show it: prices as decimal strings."""
    return [
        {"min_quantity": min_quantity, "unit_price": format_unit_price(price, currency)}
        for min_quantity, price in ladder
    ]


@transaction.atomic
def replace_prices(
    *, tenant_id: int, price_list_id: int, entries: Sequence[PriceEntry]
) -> PriceChange:
    """Replace the tier ladder of each named SKU (of the list's seller); others stay as they are.

    All or nothing, every problem reported at once. A constant number of queries whatever
    the number of entries (on SQLite the insert is split into batches of 999 parameters).
    Only ladders that differ are written; one `prices.changed` event lists them.
    """
    price_list = locked_price_list(tenant_id, price_list_id)
    sku_ids = dict(
        Sku.objects.filter(
            tenant_id=tenant_id,
            seller_id=price_list.seller_id,
            code__in={entry.sku for entry in entries},
        ).values_list("code", "id")
    )
    refuse(_entry_errors(entries, sku_ids), "The prices cannot be changed; see errors.")
    current = ladders(price_list.pk, sku_ids.values())
    changed = [e for e in entries if current.get(sku_ids[e.sku], []) != e.tiers]
    if changed:
        PriceTier.objects.filter(
            price_list=price_list, sku_id__in=[sku_ids[e.sku] for e in changed]
        ).delete()
        PriceTier.objects.bulk_create(
            PriceTier(
                tenant_id=tenant_id,
                price_list=price_list,
                sku_id=sku_ids[entry.sku],
                min_quantity=min_quantity,
                unit_price=unit_price,
            )
            for entry in changed
            for min_quantity, unit_price in entry.tiers
        )
        prices = [
            {"sku": e.sku, "tiers": ladder_out(e.tiers, price_list.currency)} for e in changed
        ]
        audit.wrote(
            price_list,
            "changed",
            before={
                e.sku: ladder_out(current.get(sku_ids[e.sku], []), price_list.currency)
                for e in changed
            },
            after={e.sku: ladder_out(e.tiers, price_list.currency) for e in changed},
        )
        events.record(
            events.new(
                price_list.tenant_id,
                "prices.changed",
                "price_list",
                price_list.pk,
                {"price_list": price_list.code, "currency": price_list.currency, "prices": prices},
            )
        )
    return PriceChange(changed=len(changed), unchanged=len(entries) - len(changed))
