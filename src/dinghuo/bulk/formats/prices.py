"""Prices on price lists with their quantity tiers: one row per price list, SKU and tier.

A SKU's rows on one list are its whole ladder: importing replaces the ladder of each SKU the
file names (through `pricing.services.replace_prices`, one call per list); SKUs the file
does not name keep their prices. Natural key: price list code, SKU code, from quantity.
The currency is the list's: exported for people, not imported.
"""

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from dinghuo.bulk.formats.common import Importing, Row, duplicates, indexes
from dinghuo.bulk.layout import DECIMAL, INT, Column, Layout
from dinghuo.core.errors import FieldError
from dinghuo.core.money import format_unit_price
from dinghuo.pricing import services as pricing
from dinghuo.pricing.models import PriceList, PriceTier

LAYOUT = Layout(
    "prices",
    (
        Column("price_list", _("Price list code"), required=True, max_length=64),
        Column("currency", _("Currency"), read_only=True),
        Column("sku_code", _("SKU code"), required=True, max_length=64),
        Column("min_quantity", _("From quantity"), INT, required=True),
        Column("unit_price", _("Unit price"), DECIMAL, required=True),
    ),
)


def export_rows(tenant_id: int, *, price_list_id: int | None = None) -> Iterator[list[Any]]:
    """Every tier of every price list (or of one), by list code, SKU code and quantity."""
    tiers = PriceTier.objects.filter(tenant_id=tenant_id)
    if price_list_id is not None:
        tiers = tiers.filter(price_list_id=price_list_id)
    rows = tiers.order_by("price_list__code", "sku__code", "min_quantity").values_list(
        "price_list__code", "price_list__currency", "sku__code", "min_quantity", "unit_price"
    )
    for code, currency, sku, min_quantity, price in rows.iterator(chunk_size=2000):
        yield [code, currency, sku, min_quantity, Decimal(format_unit_price(price, currency))]


def import_rows(work: Importing) -> None:
    """Replace the ladder of each SKU named, list by list."""
    rows = duplicates(
        work, lambda v: (v["price_list"], v["sku_code"], v["min_quantity"]), "min_quantity"
    )
    lists = dict(
        PriceList.objects.filter(
            tenant_id=work.tenant_id, code__in={v["price_list"] for _n, v in rows}
        ).values_list("code", "id")
    )
    by_list: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for number, values in rows:
        if values["price_list"] not in lists:
            work.report(number, "price_list", "unknown_price_list")
            continue
        by_list[values["price_list"]][values["sku_code"]].append((number, values))
    for code, by_sku in by_list.items():
        _replace(work, lists[code], list(by_sku.values()))


def _replace(work: Importing, price_list_id: int, ladders: list[list[Row]]) -> None:
    entries = [
        pricing.PriceEntry(
            rows[0][1]["sku_code"],
            sorted((v["min_quantity"], v["unit_price"]) for _n, v in rows),
        )
        for rows in ladders
    ]

    def place(problem: FieldError) -> tuple[int, str]:
        at = indexes(problem.field)
        if not at:
            return 0, ""
        column = "sku_code" if problem.field.endswith(".sku") else "unit_price"
        return ladders[at[0]][0][0], column

    with work.refusals(place):
        changed = pricing.replace_prices(
            tenant_id=work.tenant_id, price_list_id=price_list_id, entries=entries
        )
        work.count("ladders_changed", changed.changed)
        work.count("ladders_unchanged", changed.unchanged)
