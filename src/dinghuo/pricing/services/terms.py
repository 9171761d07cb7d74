"""A company's own SKU terms (minimum order quantity, pack size): the whole set is replaced at
once, in one transaction on the locked company that records its event on the company."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Sku
from dinghuo.core.errors import FieldError
from dinghuo.core.writes import refuse
from dinghuo.customers.models import Company
from dinghuo.integrations import events
from dinghuo.pricing.models import CompanySkuTerms
from dinghuo.pricing.services.shared import locked_company, missing_ids


@dataclass(frozen=True)
class SkuTerms:
    """A company's own minimum order quantity and pack size for a SKU (None: the SKU's)."""

    sku_id: int
    min_order_quantity: int | None
    pack_size: int | None


def _terms_errors(tenant_id: int, company: Company, terms: Sequence[SkuTerms]) -> list[FieldError]:
    """Unknown SKUs (of the company's seller) or SKUs given twice, entries with neither a
    minimum nor a pack size, and quantities below 1."""
    errors = missing_ids(
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
    return errors


def _described(terms: set[tuple[int, int | None, int | None]]) -> list[dict[str, int | None]]:
    return [{"sku_id": s, "min_order_quantity": m, "pack_size": p} for s, m, p in sorted(terms)]


@transaction.atomic
def replace_sku_terms(
    *, tenant_id: int, company_id: int, terms: Sequence[SkuTerms]
) -> list[CompanySkuTerms]:
    """The company's SKU terms become exactly `terms`; an empty list removes them all.

    Each entry names a SKU the company buys once, with a minimum or a pack size (≥ 1) or both.
    All or nothing, every problem reported at once; the same set again records nothing.
    """
    company = locked_company(tenant_id, company_id)
    refuse(_terms_errors(tenant_id, company, terms), "The SKU terms cannot be saved; see errors.")
    current = set(
        CompanySkuTerms.objects.filter(company=company).values_list(
            "sku_id", "min_order_quantity", "pack_size"
        )
    )
    wanted = {(t.sku_id, t.min_order_quantity, t.pack_size) for t in terms}
    if current != wanted:
        audit.wrote(
            company,
            "changed",
            before={"sku_terms": _described(current)},
            after={"sku_terms": _described(wanted)},
        )
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
        payload = {
            "company": company.code,
            "terms": [
                {"sku_id": s, "min_order_quantity": m, "pack_size": p} for s, m, p in sorted(wanted)
            ],
        }
        events.record(
            events.new(tenant_id, "company.sku_terms_changed", "company", company.pk, payload)
        )
    return list(CompanySkuTerms.objects.filter(company=company).order_by("sku_id"))
