"""Price list writes: create, change, and replace SKUs' tier ladders. Each is one transaction
that records its events; a refusal changes nothing."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from dinghuo.catalog.models import Category, Sku
from dinghuo.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from dinghuo.core.money import format_unit_price, is_currency
from dinghuo.core.queries import seller_for
from dinghuo.core.writes import (
    UNSET,
    Unset,
    code_must_be_free,
    locked_tenant_row,
    refuse,
    saved_or_conflict,
    taken,
)
from dinghuo.customers.models import Company, CustomerGroup
from dinghuo.integrations import events
from dinghuo.pricing.models import (
    Assortment,
    CompanySkuTerms,
    ContractPrice,
    ContractPriceTier,
    PriceList,
    PriceListAssignment,
    PriceTier,
    Promotion,
)
from dinghuo.pricing.queries import ladders
from dinghuo.pricing.tiers import MAX_UNIT_PRICE, tier_problems

Ladder = list[tuple[int, Decimal]]


@dataclass(frozen=True)
class PriceEntry:
    """The complete tier ladder of one SKU (by code) on a price list; empty removes its price."""

    sku: str
    tiers: Ladder


@dataclass(frozen=True)
class PriceChange:
    changed: int
    unchanged: int


def _payload(price_list: PriceList) -> dict[str, Any]:
    return {
        "code": price_list.code,
        "name": price_list.name,
        "currency": price_list.currency,
        "seller": price_list.seller.slug,
        "is_active": price_list.is_active,
    }


def _currency_errors(currency: str) -> list[FieldError]:
    if is_currency(currency):
        return []
    return [FieldError("currency", "invalid_currency", f"{currency} is not an ISO 4217 code")]


@transaction.atomic
def create_price_list(
    *,
    tenant_id: int,
    code: str,
    name: str,
    currency: str,
    is_active: bool = True,
    seller_slug: str | None = None,
) -> PriceList:
    """A price list in one ISO 4217 currency, of the tenant's own store or the named seller."""
    refuse(_currency_errors(currency), "The price list cannot be created; see errors.")
    seller = seller_for(tenant_id, seller_slug)
    if PriceList.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise taken("code", code)
    price_list = PriceList(
        tenant_id=tenant_id,
        seller=seller,
        code=code,
        name=name,
        currency=currency,
        is_active=is_active,
    )
    with code_must_be_free("code"):
        price_list.save()
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


def _locked(tenant_id: int, price_list_id: int) -> PriceList:
    return locked_tenant_row(
        PriceList.objects.select_related("seller"),
        tenant_id,
        price_list_id,
        f"No price list {price_list_id}.",
    )


@transaction.atomic
def update_price_list(
    *,
    tenant_id: int,
    price_list_id: int,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
    currency: str | Unset = UNSET,
    is_active: bool | Unset = UNSET,
) -> PriceList:
    """Change what is given. The currency can change only while the list has no prices,
    because its prices would silently change meaning."""
    price_list = _locked(tenant_id, price_list_id)
    asked: list[tuple[str, Any]] = [
        ("code", code),
        ("name", name),
        ("currency", currency),
        ("is_active", is_active),
    ]
    changed = {
        attr: value
        for attr, value in asked
        if value is not UNSET and getattr(price_list, attr) != value
    }
    if not changed:
        return price_list
    if "currency" in changed:
        refuse(_currency_errors(str(changed["currency"])), "The currency is not valid.")
        if PriceTier.objects.filter(price_list=price_list).exists():
            raise Conflict(
                "The price list has prices in its currency; make a new list instead.",
                code="currency_locked",
                errors=[FieldError("currency", "currency_locked", "The list already has prices")],
            )
    if "code" in changed and PriceList.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise taken("code", str(code))
    for attr, value in changed.items():
        setattr(price_list, attr, value)
    with code_must_be_free("code"):
        price_list.save(update_fields=list(changed))
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
    price_list = _locked(tenant_id, price_list_id)
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


# --- shared by the B2B pricing writes ------------------------------------------------------


def _unknown(field: str, code: str, message: str) -> FieldError:
    return FieldError(field, code, message)


def _missing_ids(
    model: Any, tenant_id: int, field: str, code: str, ids: Sequence[int], **scope: Any
) -> list[FieldError]:
    noun = model._meta.verbose_name
    """A field error for each id of `ids` that is not a row of the tenant (within `scope`)."""
    if not ids:
        return []
    found = set(
        model.objects.filter(tenant_id=tenant_id, pk__in=set(ids), **scope).values_list(
            "pk", flat=True
        )
    )
    errors = [
        _unknown(f"{field}[{i}]", code, f"No {noun} {value}")
        for i, value in enumerate(ids)
        if value not in found
    ]
    seen: set[int] = set()
    for i, value in enumerate(ids):
        if value in seen:
            errors.append(FieldError(f"{field}[{i}]", "duplicate_id", f"{value} is given twice"))
        seen.add(value)
    return errors


def _tier_errors(at: str, tiers: Ladder) -> list[FieldError]:
    if not tiers:
        return [FieldError(at, "no_tiers", "Give at least one tier")]
    return [
        FieldError(f"{at}[{p.index}].{p.field}", p.code, p.message) for p in tier_problems(tiers)
    ]


def _company_event(company_id: int, tenant_id: int, type: str, payload: dict[str, Any]) -> None:
    events.record(events.new(tenant_id, type, "company", company_id, payload))


def _locked_company(tenant_id: int, company_id: int) -> Company:
    # Serialises every change of the company's contract prices, so that two requests cannot
    # both pass the overlap check; the price list is read, not locked.
    return locked_tenant_row(
        Company.objects.select_related("price_list"),
        tenant_id,
        company_id,
        f"No company {company_id}.",
    )


# --- price list assignments ----------------------------------------------------------------


def _assignment_payload(assignment: PriceListAssignment, price_list: PriceList) -> dict[str, Any]:
    return {
        "price_list": price_list.code,
        "assignment_id": assignment.pk,
        "company_id": assignment.company_id,
        "customer_group_id": assignment.customer_group_id,
        "priority": assignment.priority,
    }


@transaction.atomic
def assign_price_list(
    *,
    tenant_id: int,
    price_list_id: int,
    company_id: int | None = None,
    customer_group_id: int | None = None,
    priority: int = 0,
) -> PriceListAssignment:
    """Offer the list to one company or to every company of a customer group, at `priority`
    (higher first; see `pricing/resolution.py`).

    Exactly one of company and group (`company_or_group`); the company must buy in the list's
    currency (`currency_mismatch`) from its seller (`seller_mismatch`); a list is offered to
    the same company or group once (409 `already_assigned`).
    """
    price_list = _locked(tenant_id, price_list_id)
    if (company_id is None) == (customer_group_id is None):
        raise ValidationFailed(
            "Assign the list to a company or to a customer group.",
            errors=[
                FieldError("company_id", "company_or_group", "Give company_id or customer_group_id")
            ],
        )
    if company_id is not None:
        company = (
            Company.objects.filter(tenant_id=tenant_id, pk=company_id)
            .values_list("price_list__currency", "price_list__seller_id")
            .first()
        )
        if company is None:
            refuse([_unknown("company_id", "unknown_company", f"No company {company_id}")], "")
        assert company is not None
        errors = []
        if company[0] != price_list.currency:
            errors.append(
                FieldError(
                    "company_id",
                    "currency_mismatch",
                    f"The company buys in {company[0]}; the list is in {price_list.currency}",
                )
            )
        if company[1] != price_list.seller_id:
            errors.append(
                FieldError("company_id", "seller_mismatch", "The company buys from another seller")
            )
        refuse(errors, "The list cannot be offered to this company; see errors.")
        taken_by = PriceListAssignment.objects.filter(price_list=price_list, company_id=company_id)
    else:
        group = CustomerGroup.objects.filter(tenant_id=tenant_id, pk=customer_group_id or 0)
        if not group.exists():
            refuse(
                [
                    _unknown(
                        "customer_group_id",
                        "unknown_customer_group",
                        f"No customer group {customer_group_id}",
                    )
                ],
                "Unknown customer group.",
            )
        taken_by = PriceListAssignment.objects.filter(
            price_list=price_list, customer_group_id=customer_group_id
        )
    existing = taken_by.values_list("pk", flat=True).first()
    already = Conflict(
        "The list is already offered to them; change that assignment's priority instead.",
        code="already_assigned",
        errors=[
            FieldError(
                "company_id" if company_id is not None else "customer_group_id",
                "already_assigned",
                f"Assignment {existing} already offers the list",
                {"assignment_id": existing},
            )
        ],
    )
    if existing is not None:
        raise already
    with saved_or_conflict(already):
        assignment = PriceListAssignment.objects.create(
            tenant_id=tenant_id,
            price_list=price_list,
            company_id=company_id,
            customer_group_id=customer_group_id,
            priority=priority,
        )
    events.record(
        events.new(
            price_list.tenant_id,
            "price_list.assigned",
            "price_list",
            price_list.pk,
            _assignment_payload(assignment, price_list),
        )
    )
    return assignment


def _locked_assignment(
    tenant_id: int, price_list_id: int, assignment_id: int
) -> tuple[PriceList, PriceListAssignment]:
    price_list = _locked(tenant_id, price_list_id)
    assignment = locked_tenant_row(
        PriceListAssignment.objects.filter(price_list=price_list),
        tenant_id,
        assignment_id,
        f"No assignment {assignment_id} of price list {price_list_id}.",
    )
    return price_list, assignment


@transaction.atomic
def change_assignment(
    *, tenant_id: int, price_list_id: int, assignment_id: int, priority: int
) -> PriceListAssignment:
    """Change the priority at which the list is offered; the same priority changes nothing."""
    price_list, assignment = _locked_assignment(tenant_id, price_list_id, assignment_id)
    if assignment.priority != priority:
        assignment.priority = priority
        assignment.save(update_fields=["priority"])
        payload = _assignment_payload(assignment, price_list)
        events.record(
            events.new(
                price_list.tenant_id,
                "price_list.assignment_changed",
                "price_list",
                price_list.pk,
                payload,
            )
        )
    return assignment


@transaction.atomic
def remove_assignment(*, tenant_id: int, price_list_id: int, assignment_id: int) -> None:
    """Stop offering the list to that company or group; orders placed keep their prices."""
    price_list, assignment = _locked_assignment(tenant_id, price_list_id, assignment_id)
    payload = _assignment_payload(assignment, price_list)
    assignment.delete()
    events.record(
        events.new(
            price_list.tenant_id, "price_list.unassigned", "price_list", price_list.pk, payload
        )
    )


# --- contract prices -----------------------------------------------------------------------


def _contract_payload(contract: ContractPrice, sku_code: str, ladder: Ladder) -> dict[str, Any]:
    return {
        "contract_id": contract.pk,
        "sku": sku_code,
        "reference": contract.reference,
        "valid_from": contract.valid_from.isoformat(),
        "valid_until": None if contract.valid_until is None else contract.valid_until.isoformat(),
        "tiers": [{"min_quantity": m, "unit_price": str(p)} for m, p in ladder],
    }


def _check_contract(
    company: Company,
    sku_id: int,
    valid_from: date,
    valid_until: date | None,
    tiers: Ladder,
    *,
    contract_id: int | None = None,
) -> None:
    """Refuse a reversed period or a bad ladder (422), then an overlap (409), in that order."""
    errors = _tier_errors("tiers", tiers)
    if valid_until is not None and valid_until < valid_from:
        errors.append(
            FieldError("valid_until", "period_reversed", "valid_until is before valid_from")
        )
    refuse(errors, "The contract price cannot be saved; see errors.")
    others = ContractPrice.objects.filter(company=company, sku_id=sku_id).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from)
    )
    if valid_until is not None:
        others = others.filter(valid_from__lte=valid_until)
    if contract_id is not None:
        others = others.exclude(pk=contract_id)
    other = others.order_by("valid_from").values_list("pk", "valid_from", "valid_until").first()
    if other is not None:
        until = "open-ended" if other[2] is None else f"until {other[2]}"
        message = f"Contract price {other[0]} ({other[1]}, {until}) covers part of this period"
        raise Conflict(
            message,
            code="contract_period_overlap",
            errors=[
                FieldError(
                    "valid_from", "contract_period_overlap", message, {"contract_id": other[0]}
                )
            ],
        )


def _sku_code(tenant_id: int, company: Company, sku_id: int) -> str:
    """The code of a SKU the company buys (of its seller); 422 `unknown_sku` otherwise."""
    code = (
        Sku.objects.filter(tenant_id=tenant_id, pk=sku_id, seller_id=company.price_list.seller_id)
        .values_list("code", flat=True)
        .first()
    )
    if code is None:
        refuse(
            [FieldError("sku_id", "unknown_sku", f"No SKU {sku_id} of the company's seller")], ""
        )
    return str(code)


def _write_contract_tiers(tenant_id: int, contract: ContractPrice, tiers: Ladder) -> None:
    ContractPriceTier.objects.bulk_create(
        ContractPriceTier(tenant_id=tenant_id, contract=contract, min_quantity=m, unit_price=p)
        for m, p in tiers
    )


@transaction.atomic
def create_contract_price(
    *,
    tenant_id: int,
    company_id: int,
    sku_id: int,
    valid_from: date,
    valid_until: date | None,
    tiers: Ladder,
    reference: str = "",
) -> ContractPrice:
    """A price agreed with the company for a SKU from `valid_from` to `valid_until`
    (inclusive; None: open-ended), as a tier ladder.

    Periods of one company and SKU never overlap (409 `contract_period_overlap`, naming the
    other contract): the company row is locked first, so two requests cannot both pass.
    """
    company = _locked_company(tenant_id, company_id)
    sku_code = _sku_code(tenant_id, company, sku_id)
    _check_contract(company, sku_id, valid_from, valid_until, tiers)
    contract = ContractPrice.objects.create(
        tenant_id=tenant_id,
        company=company,
        sku_id=sku_id,
        valid_from=valid_from,
        valid_until=valid_until,
        reference=reference,
    )
    _write_contract_tiers(tenant_id, contract, tiers)
    _company_event(
        company.pk,
        tenant_id,
        "contract_price.created",
        {"company": company.code, **_contract_payload(contract, sku_code, tiers)},
    )
    return contract


def _locked_contract(tenant_id: int, contract_id: int) -> tuple[Company, ContractPrice]:
    """The company (locked first, the fixed order) and its contract (locked)."""
    company_id = (
        ContractPrice.objects.filter(tenant_id=tenant_id, pk=contract_id)
        .values_list("company_id", flat=True)
        .first()
    )
    missing = f"No contract price {contract_id}."
    if company_id is None:
        raise NotFound(missing)
    company = _locked_company(tenant_id, company_id)
    contract = locked_tenant_row(
        ContractPrice.objects.filter(company=company).select_related("sku"),
        tenant_id,
        contract_id,
        missing,
    )
    return company, contract


def contract_ladder(contract_id: int) -> Ladder:
    """The contract's tiers, lowest minimum first (one query)."""
    return list(
        ContractPriceTier.objects.filter(contract_id=contract_id)
        .order_by("min_quantity")
        .values_list("min_quantity", "unit_price")
    )


@transaction.atomic
def update_contract_price(
    *,
    tenant_id: int,
    contract_id: int,
    valid_from: date | Unset = UNSET,
    valid_until: date | Unset | None = UNSET,
    reference: str | Unset = UNSET,
    tiers: Ladder | Unset = UNSET,
) -> ContractPrice:
    """Change what is given; `tiers` replaces the whole ladder. The same checks as creating
    one hold for the result; changing nothing records nothing."""
    company, contract = _locked_contract(tenant_id, contract_id)
    current = contract_ladder(contract.pk)
    new_tiers = current if isinstance(tiers, Unset) else list(tiers)
    wanted: dict[str, Any] = {
        "valid_from": valid_from,
        "valid_until": valid_until,
        "reference": reference,
    }
    changed = {k: v for k, v in wanted.items() if v is not UNSET and getattr(contract, k) != v}
    ladder_changed = [(m, Decimal(p)) for m, p in new_tiers] != [
        (m, Decimal(p)) for m, p in current
    ]
    if not changed and not ladder_changed:
        return contract
    for attr, value in changed.items():
        setattr(contract, attr, value)
    _check_contract(
        company,
        contract.sku_id,
        contract.valid_from,
        contract.valid_until,
        new_tiers,
        contract_id=contract.pk,
    )
    if changed:
        contract.save(update_fields=list(changed))
    if ladder_changed:
        ContractPriceTier.objects.filter(contract=contract).delete()
        _write_contract_tiers(tenant_id, contract, new_tiers)
    payload = _contract_payload(contract, contract.sku.code, new_tiers)
    changes = [*changed, *(["tiers"] if ladder_changed else [])]
    _company_event(
        company.pk,
        tenant_id,
        "contract_price.changed",
        {"company": company.code, **payload, "changed": changes},
    )
    return contract


@transaction.atomic
def delete_contract_price(*, tenant_id: int, contract_id: int) -> None:
    """Remove the contract price; orders placed at it keep their prices."""
    company, contract = _locked_contract(tenant_id, contract_id)
    payload = _contract_payload(contract, contract.sku.code, contract_ladder(contract.pk))
    contract.delete()
    _company_event(
        company.pk, tenant_id, "contract_price.deleted", {"company": company.code, **payload}
    )


# --- promotions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PromotionTargets:
    """What a promotion takes off and for whom: categories (with those below), SKUs, groups."""

    category_ids: list[int]
    sku_ids: list[int]
    customer_group_ids: list[int]


def _promotion_errors(
    kind: str, value: Decimal, currency: str, starts_at: datetime, ends_at: datetime
) -> list[FieldError]:
    errors = []
    if kind not in Promotion.Kind.values:
        errors.append(FieldError("kind", "invalid_kind", "Kind is percent or amount"))
    if value <= 0:
        errors.append(FieldError("value", "value_not_positive", "The value must be above 0"))
    elif kind == Promotion.Kind.PERCENT and value > 100:
        errors.append(FieldError("value", "percent_above_100", "At most 100 percent off"))
    elif value >= MAX_UNIT_PRICE:
        errors.append(FieldError("value", "value_too_large", "The value is too large"))
    if kind == Promotion.Kind.AMOUNT and not currency:
        errors.append(FieldError("currency", "currency_required", "An amount needs a currency"))
    elif kind == Promotion.Kind.PERCENT and currency:
        errors.append(
            FieldError("currency", "currency_not_allowed", "A percentage has no currency")
        )
    elif currency:
        errors += _currency_errors(currency)
    if ends_at <= starts_at:
        errors.append(FieldError("ends_at", "period_reversed", "ends_at is not after starts_at"))
    return errors


def _target_errors(tenant_id: int, seller_id: int, targets: PromotionTargets) -> list[FieldError]:
    errors = _missing_ids(
        Category, tenant_id, "category_ids", "unknown_category", targets.category_ids
    )
    errors += _missing_ids(
        Sku, tenant_id, "sku_ids", "unknown_sku", targets.sku_ids, seller_id=seller_id
    )
    errors += _missing_ids(
        CustomerGroup,
        tenant_id,
        "customer_group_ids",
        "unknown_customer_group",
        targets.customer_group_ids,
    )
    return errors


def promotion_payload(promotion: Promotion, targets: PromotionTargets) -> dict[str, Any]:
    """A promotion as its events carry it."""
    return {
        "code": promotion.code,
        "name": promotion.name,
        "kind": promotion.kind,
        "value": str(promotion.value),
        "currency": promotion.currency,
        "starts_at": promotion.starts_at.isoformat(),
        "ends_at": promotion.ends_at.isoformat(),
        "applies_to_contract_prices": promotion.applies_to_contract_prices,
        "is_active": promotion.is_active,
        "category_ids": sorted(targets.category_ids),
        "sku_ids": sorted(targets.sku_ids),
        "customer_group_ids": sorted(targets.customer_group_ids),
    }


def promotion_targets(promotion: Promotion) -> PromotionTargets:
    """The promotion's targets and audience (three queries)."""
    return PromotionTargets(
        category_ids=sorted(promotion.categories.values_list("pk", flat=True)),
        sku_ids=sorted(promotion.skus.values_list("pk", flat=True)),
        customer_group_ids=sorted(promotion.customer_groups.values_list("pk", flat=True)),
    )


def _set_targets(promotion: Promotion | Assortment, **ids: list[int]) -> None:
    for name, values in ids.items():
        getattr(promotion, name).set(values)


@transaction.atomic
def create_promotion(
    *,
    tenant_id: int,
    code: str,
    name: str,
    kind: str,
    value: Decimal,
    starts_at: datetime,
    ends_at: datetime,
    targets: PromotionTargets,
    currency: str = "",
    applies_to_contract_prices: bool = False,
    is_active: bool = True,
    seller_slug: str | None = None,
) -> Promotion:
    """A percent or an amount off each unit of the targeted SKUs and categories (with the
    categories below), from `starts_at` until before `ends_at`, for the listed customer
    groups (none: every company). It lowers list prices, and contract prices only when
    `applies_to_contract_prices`; promotions never stack (see `pricing/resolution.py`)."""
    seller = seller_for(tenant_id, seller_slug)
    errors = _promotion_errors(kind, value, currency, starts_at, ends_at)
    if not targets.category_ids and not targets.sku_ids:
        errors.append(FieldError("sku_ids", "no_targets", "Target categories or SKUs"))
    errors += _target_errors(tenant_id, seller.pk, targets)
    refuse(errors, "The promotion cannot be created; see errors.")
    if Promotion.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise taken("code", code)
    promotion = Promotion(
        tenant_id=tenant_id,
        seller=seller,
        code=code,
        name=name,
        kind=kind,
        value=value,
        currency=currency,
        starts_at=starts_at,
        ends_at=ends_at,
        applies_to_contract_prices=applies_to_contract_prices,
        is_active=is_active,
    )
    with code_must_be_free("code"):
        promotion.save()
    _set_targets(
        promotion,
        categories=targets.category_ids,
        skus=targets.sku_ids,
        customer_groups=targets.customer_group_ids,
    )
    payload = promotion_payload(promotion, targets)
    events.record(events.new(tenant_id, "promotion.created", "promotion", promotion.pk, payload))
    return promotion


@transaction.atomic
def update_promotion(
    *,
    tenant_id: int,
    promotion_id: int,
    name: str | Unset = UNSET,
    value: Decimal | Unset = UNSET,
    currency: str | Unset = UNSET,
    starts_at: datetime | Unset = UNSET,
    ends_at: datetime | Unset = UNSET,
    applies_to_contract_prices: bool | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    category_ids: list[int] | Unset = UNSET,
    sku_ids: list[int] | Unset = UNSET,
    customer_group_ids: list[int] | Unset = UNSET,
) -> Promotion:
    """Change what is given (a list of ids replaces that set); the result must pass the
    checks of a new promotion. Changing nothing records nothing."""
    promotion = locked_tenant_row(
        Promotion.objects.all(), tenant_id, promotion_id, f"No promotion {promotion_id}."
    )
    before = promotion_targets(promotion)
    fields: dict[str, Any] = {
        "name": name,
        "value": value,
        "currency": currency,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "applies_to_contract_prices": applies_to_contract_prices,
        "is_active": is_active,
    }
    changed = {k: v for k, v in fields.items() if v is not UNSET and getattr(promotion, k) != v}
    after = PromotionTargets(
        category_ids=before.category_ids if isinstance(category_ids, Unset) else category_ids,
        sku_ids=before.sku_ids if isinstance(sku_ids, Unset) else sku_ids,
        customer_group_ids=before.customer_group_ids
        if isinstance(customer_group_ids, Unset)
        else customer_group_ids,
    )
    target_changes = [
        name
        for name in ("category_ids", "sku_ids", "customer_group_ids")
        if sorted(getattr(after, name)) != getattr(before, name)
        or len(set(getattr(after, name))) != len(getattr(after, name))
    ]
    if not changed and not target_changes:
        return promotion
    for attr, new in changed.items():
        setattr(promotion, attr, new)
    errors = _promotion_errors(
        promotion.kind, promotion.value, promotion.currency, promotion.starts_at, promotion.ends_at
    )
    if not after.category_ids and not after.sku_ids:
        errors.append(FieldError("sku_ids", "no_targets", "Target categories or SKUs"))
    errors += _target_errors(tenant_id, promotion.seller_id, after)
    refuse(errors, "The promotion cannot be changed; see errors.")
    if changed:
        promotion.save(update_fields=list(changed))
    _set_targets(
        promotion,
        **{
            {"category_ids": "categories", "sku_ids": "skus"}.get(n, "customer_groups"): getattr(
                after, n
            )
            for n in target_changes
        },
    )
    payload = {**promotion_payload(promotion, after), "changed": [*changed, *target_changes]}
    events.record(events.new(tenant_id, "promotion.changed", "promotion", promotion.pk, payload))
    return promotion


# --- company SKU terms ---------------------------------------------------------------------


@dataclass(frozen=True)
class SkuTerms:
    """A company's own minimum order quantity and pack size for a SKU (None: the SKU's)."""

    sku_id: int
    min_order_quantity: int | None
    pack_size: int | None


@transaction.atomic
def replace_sku_terms(
    *, tenant_id: int, company_id: int, terms: Sequence[SkuTerms]
) -> list[CompanySkuTerms]:
    """The company's SKU terms become exactly `terms`; an empty list removes them all.

    Each entry names a SKU the company buys once, with a minimum or a pack size (≥ 1) or both.
    All or nothing, every problem reported at once; the same set again records nothing.
    """
    company = _locked_company(tenant_id, company_id)
    errors = _missing_ids(
        Sku,
        tenant_id,
        "terms",
        "unknown_sku",
        [t.sku_id for t in terms],
        seller_id=company.price_list.seller_id,
    )
    errors = [
        FieldError(e.field + ".sku_id", e.code, e.message, e.extra) for e in errors
    ]  # terms[i].sku_id
    for i, entry in enumerate(terms):
        if entry.min_order_quantity is None and entry.pack_size is None:
            errors.append(FieldError(f"terms[{i}]", "no_terms", "Give a minimum or a pack size"))
        for field in ("min_order_quantity", "pack_size"):
            value = getattr(entry, field)
            if value is not None and value < 1:
                errors.append(
                    FieldError(f"terms[{i}].{field}", "quantity_not_positive", "At least 1")
                )
    refuse(errors, "The SKU terms cannot be saved; see errors.")
    current = set(
        CompanySkuTerms.objects.filter(company=company).values_list(
            "sku_id", "min_order_quantity", "pack_size"
        )
    )
    wanted = {(t.sku_id, t.min_order_quantity, t.pack_size) for t in terms}
    if current != wanted:
        CompanySkuTerms.objects.filter(company=company).delete()
        CompanySkuTerms.objects.bulk_create(
            CompanySkuTerms(
                tenant_id=tenant_id,
                company=company,
                sku_id=sku_id,
                min_order_quantity=moq,
                pack_size=pack,
            )
            for sku_id, moq, pack in sorted(wanted)
        )
        _company_event(
            company.pk,
            tenant_id,
            "company.sku_terms_changed",
            {
                "company": company.code,
                "terms": [
                    {"sku_id": s, "min_order_quantity": m, "pack_size": p}
                    for s, m, p in sorted(wanted)
                ],
            },
        )
    return list(CompanySkuTerms.objects.filter(company=company).order_by("sku_id"))


# --- assortments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AssortmentMembers:
    """What an assortment holds (categories with those below, SKUs) and who sees it."""

    category_ids: list[int]
    sku_ids: list[int]
    company_ids: list[int]
    customer_group_ids: list[int]


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
    errors = _missing_ids(
        Category, tenant_id, "category_ids", "unknown_category", members.category_ids
    )
    errors += _missing_ids(
        Sku, tenant_id, "sku_ids", "unknown_sku", members.sku_ids, seller_id=seller_id
    )
    errors += _missing_ids(
        Company, tenant_id, "company_ids", "unknown_company", members.company_ids
    )
    errors += _missing_ids(
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
    _set_targets(assortment, **{rel: getattr(members, f) for f, rel in _ASSORTMENT_SETS.items()})
    payload = _assortment_payload(assortment, members)
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
    set_changes = [
        f
        for f in _ASSORTMENT_SETS
        if sorted(getattr(after, f)) != getattr(before, f)
        or len(set(getattr(after, f))) != len(getattr(after, f))
    ]
    changed = {
        k: v
        for k, v in (("name", name), ("code", code))
        if v is not UNSET and getattr(assortment, k) != v
    }
    if not changed and not set_changes:
        return assortment
    refuse(_member_errors(tenant_id, assortment.seller_id, after), "The assortment is not valid.")
    if "code" in changed and Assortment.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise taken("code", str(code))
    for attr, value in changed.items():
        setattr(assortment, attr, value)
    if changed:
        with code_must_be_free("code"):
            assortment.save(update_fields=list(changed))
    _set_targets(assortment, **{_ASSORTMENT_SETS[f]: getattr(after, f) for f in set_changes})
    payload = {**_assortment_payload(assortment, after), "changed": [*changed, *set_changes]}
    events.record(events.new(tenant_id, "assortment.changed", "assortment", assortment.pk, payload))
    return assortment
