"""Stock levels per warehouse: one row per warehouse and SKU, with what is on hand.

Imported, the file is a stock count: each level whose count differs from what is on hand
gets a ledger adjustment by the difference, with the reason "stock count import" and the
file's name as reference (`inventory.services.adjust_many`, at most `MAX_STOCK_LINES` lines
a call, all in the import's one transaction). A count equal to what is on hand writes
nothing. Reserved and available are exported for people and not imported; a count below
what orders reserved is refused by the service, at its row.
"""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from dinghuo.bulk.formats.common import Importing, Row, chunks, duplicates, indexes, tail
from dinghuo.bulk.layout import INT, Column, Layout
from dinghuo.core.errors import FieldError
from dinghuo.inventory import queries as stock_queries
from dinghuo.inventory import services as inventory
from dinghuo.inventory.models import StockLevel

STOCK_COUNT_REASON = "stock count import"

LAYOUT = Layout(
    "stock",
    (
        Column("seller", _("Seller"), max_length=50),
        Column("warehouse", _("Warehouse code"), required=True, max_length=32),
        Column("sku_code", _("SKU code"), required=True, max_length=64),
        Column("on_hand", _("On hand (counted)"), INT, required=True),
        Column("reserved", _("Reserved for orders"), INT, read_only=True),
        Column("available", _("Available"), INT, read_only=True),
    ),
)


def export_rows(
    tenant_id: int, *, sku_code: str | None = None, warehouse_code: str | None = None
) -> Iterator[list[Any]]:
    """Every stock level (as the stock list filters them), by warehouse and SKU code."""
    levels = stock_queries.stock_levels(
        tenant_id, sku_code=sku_code, warehouse_code=warehouse_code
    ).order_by("warehouse__code", "sku__code")
    rows = levels.values_list(
        "sku__seller__is_primary",
        "sku__seller__slug",
        "warehouse__code",
        "sku__code",
        "on_hand",
        "reserved",
    )
    for primary, seller, warehouse, sku, on_hand, reserved in rows.iterator(chunk_size=2000):
        yield ["" if primary else seller, warehouse, sku, on_hand, reserved, on_hand - reserved]


def import_rows(work: Importing) -> None:
    """Adjust each level counted to its count, seller by seller."""
    rows = duplicates(
        work, lambda v: (v.get("seller") or "", v["warehouse"], v["sku_code"]), "sku_code"
    )
    by_seller: dict[str, list[Row]] = defaultdict(list)
    for number, values in rows:
        if values["on_hand"] < 0:
            work.report(number, "on_hand", "negative_count")
            continue
        by_seller[values.get("seller") or ""].append((number, values))
    for seller, its_rows in by_seller.items():
        _count(work, seller or None, its_rows)


def _count(work: Importing, seller: str | None, rows: list[Row]) -> None:
    on_hand = _on_hand(work.tenant_id, seller, rows)
    moves = [
        (number, values["on_hand"] - on_hand.get((values["warehouse"], values["sku_code"]), 0))
        for number, values in rows
    ]
    changed = [(number, delta) for number, delta in moves if delta]
    work.count("levels_unchanged", len(moves) - len(changed))
    values_of = dict(rows)
    reference = work.file_name[-64:]
    for part in chunks(changed, inventory.MAX_STOCK_LINES):
        lines = [
            inventory.StockLine(
                sku=values_of[number]["sku_code"],
                warehouse=values_of[number]["warehouse"],
                quantity=delta,
                reason=STOCK_COUNT_REASON,
                reference=reference,
            )
            for number, delta in part
        ]

        def place(problem: FieldError, part: Any = part) -> tuple[int, str]:
            at = indexes(problem.field)
            if not at:
                return 0, "seller" if problem.code == "unknown_seller" else ""
            column = {"sku": "sku_code", "warehouse": "warehouse"}.get(tail(problem.field))
            return part[at[0]][0], column or "on_hand"

        with work.refusals(place):
            inventory.adjust_many(tenant_id=work.tenant_id, lines=lines, seller_slug=seller)
            work.count("levels_adjusted", len(lines))


def _on_hand(tenant_id: int, seller: str | None, rows: list[Row]) -> dict[tuple[str, str], int]:
    """What is on hand now at each (warehouse, SKU of the seller) the rows name (one query)."""
    found = StockLevel.objects.filter(
        tenant_id=tenant_id,
        sku__code__in={v["sku_code"] for _n, v in rows},
        warehouse__code__in={v["warehouse"] for _n, v in rows},
    )
    if seller:
        found = found.filter(sku__seller__slug=seller)
    else:
        found = found.filter(sku__seller__is_primary=True)
    return {(w, s): n for w, s, n in found.values_list("warehouse__code", "sku__code", "on_hand")}
