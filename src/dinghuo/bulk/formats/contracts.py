"""Contract prices: one row per company, SKU, start of the period and tier.

The rows of one contract (company code, SKU code, valid from) give its whole ladder; its end
and reference repeat on each row (an empty cell says nothing, two values are a problem).
A contract found by its key is changed (`pricing.services.update_contract_price`, which
changes nothing when nothing differs), else created; overlapping periods are refused by
the service, each at its row.
"""

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from dinghuo.bulk.formats.common import Importing, Row, duplicates, shared_value
from dinghuo.bulk.layout import DATE, DECIMAL, INT, Column, Layout
from dinghuo.catalog.models import Sku
from dinghuo.core.errors import FieldError
from dinghuo.core.money import format_unit_price
from dinghuo.core.writes import UNSET
from dinghuo.customers.models import Company
from dinghuo.pricing import services as pricing
from dinghuo.pricing.models import ContractPrice, ContractPriceTier

LAYOUT = Layout(
    "contract-prices",
    (
        Column("company_code", _("Company code"), required=True, max_length=64),
        Column("sku_code", _("SKU code"), required=True, max_length=64),
        Column("valid_from", _("Valid from"), DATE, required=True),
        Column("valid_until", _("Valid until"), DATE),
        Column("reference", _("Contract reference"), max_length=64),
        Column("currency", _("Currency"), read_only=True),
        Column("min_quantity", _("From quantity"), INT, required=True),
        Column("unit_price", _("Unit price"), DECIMAL, required=True),
    ),
)


def export_rows(tenant_id: int, *, company_id: int | None = None) -> Iterator[list[Any]]:
    """Every tier of every contract price (or one company's), by company, SKU and period."""
    tiers = ContractPriceTier.objects.filter(tenant_id=tenant_id)
    if company_id is not None:
        tiers = tiers.filter(contract__company_id=company_id)
    rows = tiers.order_by(
        "contract__company__code", "contract__sku__code", "contract__valid_from", "min_quantity"
    ).values_list(
        "contract__company__code",
        "contract__sku__code",
        "contract__valid_from",
        "contract__valid_until",
        "contract__reference",
        "contract__company__price_list__currency",
        "min_quantity",
        "unit_price",
    )
    for *head, currency, min_quantity, price in rows.iterator(chunk_size=2000):
        yield [*head, currency, min_quantity, Decimal(format_unit_price(price, currency))]


def _key(values: dict[str, Any]) -> tuple[str, str, Any]:
    return values["company_code"], values["sku_code"], values["valid_from"]


def import_rows(work: Importing) -> None:
    """Create or change each contract the rows give, by company, SKU and start."""
    rows = duplicates(work, lambda v: (*_key(v), v["min_quantity"]), "min_quantity")
    companies = {
        c.code: c
        for c in Company.objects.filter(
            tenant_id=work.tenant_id, code__in={v["company_code"] for _n, v in rows}
        ).select_related("price_list")
    }
    skus = {
        (s.seller_id, s.code): s.pk
        for s in Sku.objects.filter(
            tenant_id=work.tenant_id, code__in={v["sku_code"] for _n, v in rows}
        )
    }
    contracts: dict[tuple[str, str, Any], list[Row]] = defaultdict(list)
    for number, values in rows:
        company = companies.get(values["company_code"])
        if company is None:
            work.report(number, "company_code", "unknown_company")
        elif (company.price_list.seller_id, values["sku_code"]) not in skus:
            work.report(number, "sku_code", "unknown_sku")
        else:
            contracts[_key(values)].append((number, values))
    existing = _existing(work.tenant_id, [companies[k[0]].pk for k in contracts])
    for key, its_rows in contracts.items():
        company = companies[key[0]]
        sku_id = skus[(company.price_list.seller_id, key[1])]
        _save(work, company.pk, sku_id, existing.get((company.pk, sku_id, key[2])), its_rows)


def _existing(tenant_id: int, company_ids: list[int]) -> dict[tuple[int, int, Any], int]:
    return {
        (c, s, v): pk
        for pk, c, s, v in ContractPrice.objects.filter(
            tenant_id=tenant_id, company_id__in=set(company_ids)
        ).values_list("pk", "company_id", "sku_id", "valid_from")
    }


def _save(
    work: Importing, company_id: int, sku_id: int, contract_id: int | None, rows: list[Row]
) -> None:
    first = rows[0][0]
    tiers = sorted((v["min_quantity"], v["unit_price"]) for _n, v in rows)
    until = shared_value(work, rows, "valid_until") if work.has("valid_until") else UNSET
    reference = shared_value(work, rows, "reference") if work.has("reference") else UNSET

    def place(problem: FieldError) -> tuple[int, str]:
        column = problem.field.split("[")[0].split(".")[0]
        if column == "tiers":
            return first, "unit_price"
        return first, column if column in ("valid_from", "valid_until") else ""

    with work.refusals(place):
        if contract_id is None:
            pricing.create_contract_price(
                tenant_id=work.tenant_id,
                company_id=company_id,
                sku_id=sku_id,
                valid_from=rows[0][1]["valid_from"],
                valid_until=None if until is UNSET else until,
                tiers=tiers,
                reference="" if reference is UNSET else reference or "",
            )
            work.count("contracts_created")
        else:
            pricing.update_contract_price(
                tenant_id=work.tenant_id,
                contract_id=contract_id,
                valid_until=until,
                reference=reference if reference is UNSET else reference or "",
                tiers=tiers,
            )
            work.count("contracts_seen")
