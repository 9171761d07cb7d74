"""Contract prices: a tier ladder agreed with one company for one SKU over a period. Each write
is one transaction on the locked company (so that two requests cannot both pass the overlap
check) that records its event on the company; a refusal changes nothing."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Sku
from dinghuo.core.errors import Conflict, FieldError, NotFound
from dinghuo.core.money import format_unit_price
from dinghuo.core.writes import UNSET, Unset, locked_tenant_row, refuse
from dinghuo.customers.models import Company
from dinghuo.integrations import events
from dinghuo.pricing.models import ContractPrice, ContractPriceTier
from dinghuo.pricing.services.shared import Ladder, changed_fields, locked_company
from dinghuo.pricing.tiers import tier_problems


def _contract_payload(contract: ContractPrice, sku_code: str, ladder: Ladder) -> dict[str, Any]:
    currency = contract.company.price_list.currency
    return {
        "contract_id": contract.pk,
        "sku": sku_code,
        "reference": contract.reference,
        "valid_from": contract.valid_from.isoformat(),
        "valid_until": None if contract.valid_until is None else contract.valid_until.isoformat(),
        "currency": currency,
        "tiers": [
            {"min_quantity": m, "unit_price": format_unit_price(Decimal(p), currency)}
            for m, p in ladder
        ],
    }


def _tier_errors(at: str, tiers: Ladder) -> list[FieldError]:
    if not tiers:
        return [FieldError(at, "no_tiers", "Give at least one tier")]
    return [
        FieldError(f"{at}[{p.index}].{p.field}", p.code, p.message) for p in tier_problems(tiers)
    ]


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
    company = locked_company(tenant_id, company_id)
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
    payload = {"company": company.code, **_contract_payload(contract, sku_code, tiers)}
    audit.wrote(contract, "created", after=payload)
    events.record(events.new(tenant_id, "contract_price.created", "company", company.pk, payload))
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
    company = locked_company(tenant_id, company_id)
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
    changed = changed_fields(
        contract, {"valid_from": valid_from, "valid_until": valid_until, "reference": reference}
    )
    ladder_changed = [(m, Decimal(p)) for m, p in new_tiers] != [
        (m, Decimal(p)) for m, p in current
    ]
    if not changed and not ladder_changed:
        return contract
    was = _contract_payload(contract, contract.sku.code, current)
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
    changes = [*changed, *(["tiers"] if ladder_changed else [])]
    payload = {
        "company": company.code,
        **_contract_payload(contract, contract.sku.code, new_tiers),
        "changed": changes,
    }
    audit.wrote(
        contract,
        "changed",
        before=was,
        after=_contract_payload(contract, contract.sku.code, new_tiers),
    )
    events.record(events.new(tenant_id, "contract_price.changed", "company", company.pk, payload))
    return contract


@transaction.atomic
def delete_contract_price(*, tenant_id: int, contract_id: int) -> None:
    """Remove the contract price; orders placed at it keep their prices."""
    company, contract = _locked_contract(tenant_id, contract_id)
    payload = _contract_payload(contract, contract.sku.code, contract_ladder(contract.pk))
    audit.wrote(contract, "deleted", before=payload)
    contract.delete()
    events.record(
        events.new(
            tenant_id,
            "contract_price.deleted",
            "company",
            company.pk,
            {"company": company.code, **payload},
        )
    )
