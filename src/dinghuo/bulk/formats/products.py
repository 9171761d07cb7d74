"""Products and their SKUs, one row per SKU, with names in the three languages.

A product without SKUs has one row with the SKU columns empty. The product's columns repeat
on each of its SKUs' rows; on import an empty product cell says nothing (so a new SKU row may
give only the product code), and two different values for one product are a problem.
Natural keys: the seller (empty: the tenant's own store) with the product code, and with the
SKU code. Written through `catalog.services.bulk_upsert`, at most `MAX_BULK_SKUS` SKUs a
call, all calls in the import's one transaction.
"""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from dinghuo.bulk.formats.common import Importing, Row, duplicates, indexes, shared_value, tail
from dinghuo.bulk.layout import BOOL, INT, Column, Layout
from dinghuo.catalog import queries as catalog_queries
from dinghuo.catalog import services as catalog
from dinghuo.catalog.models import Sku
from dinghuo.catalog.services.bulk import MAX_BULK_SKUS
from dinghuo.catalog.texts import column as text_column
from dinghuo.core.errors import FieldError
from dinghuo.core.writes import UNSET

_LANGS = (
    ("en", "en", _("English")),
    ("zh-hant", "zh_hant", _("Traditional Chinese")),
    ("zh-hans", "zh_hans", _("Simplified Chinese")),
)


def _texts(prefix: str, heading: Any, max_length: int) -> tuple[Column, ...]:
    return tuple(
        Column(f"{prefix}_{suffix}", _lazy_pair(heading, name), max_length=max_length)
        for _lang, suffix, name in _LANGS
    )


def _lazy_pair(heading: Any, language: Any) -> Any:
    """ "Product name (English)", said in the language active when it is read."""
    return lazy(lambda: f"{heading} ({language})", str)()


LAYOUT = Layout(
    "products",
    (
        Column("seller", _("Seller"), max_length=50),
        Column("product_code", _("Product code"), required=True, max_length=64),
        *_texts("product_name", _("Product name"), 300),
        *_texts("description", _("Description"), 5000),
        Column("category", _("Category code"), max_length=64),
        Column("tax_category", _("Tax category code"), max_length=64),
        Column("allow_backorder", _("Backorders allowed"), BOOL),
        Column("product_active", _("Product active"), BOOL),
        Column("sku_code", _("SKU code"), max_length=64),
        *_texts("sku_name", _("SKU name"), 300),
        Column("unit", _("Unit"), max_length=16),
        Column("min_order_quantity", _("Minimum order quantity"), INT),
        Column("pack_size", _("Pack size"), INT),
        Column("sku_active", _("SKU active"), BOOL),
    ),
)


def export_rows(tenant_id: int, **filters: Any) -> Iterator[list[Any]]:
    """Every product the filters keep (as the product list), one row per SKU, by seller and
    code; a few queries per thousand products."""
    products = (
        catalog_queries.products(tenant_id, **filters)
        .select_related("category", "tax_category")
        .prefetch_related(Prefetch("skus", queryset=Sku.objects.order_by("code")))
        .order_by("seller__slug", "code")
    )
    for product in products.iterator(chunk_size=1000):
        head = [
            "" if product.seller.is_primary else product.seller.slug,
            product.code,
            *(getattr(product, text_column("name", lang)) for lang, _s, _n in _LANGS),
            *(getattr(product, text_column("description", lang)) for lang, _s, _n in _LANGS),
            product.category.code if product.category else None,
            product.tax_category.code if product.tax_category else None,
            product.allow_backorder,
            product.is_active,
        ]
        skus = list(product.skus.all())
        if not skus:
            yield [*head, *([None] * 8)]
        for sku in skus:
            yield [
                *head,
                sku.code,
                *(getattr(sku, text_column("name", lang)) for lang, _s, _n in _LANGS),
                sku.unit,
                sku.min_order_quantity,
                sku.pack_size,
                sku.is_active,
            ]


def _given(work: Importing, values: dict[str, Any], key: str) -> Any:
    """A SKU row's value: UNSET when the file has no such column or the cell is empty."""
    if not work.has(key) or values.get(key) is None:
        return UNSET
    return values[key]


def _product_row(work: Importing, code: str, rows: list[Row]) -> catalog.ProductRow:
    def texts(prefix: str) -> dict[str, str | None]:
        return {
            lang: shared_value(work, rows, f"{prefix}_{suffix}")
            for lang, suffix, _n in _LANGS
            if work.has(f"{prefix}_{suffix}")
        }

    def one(key: str) -> Any:
        return shared_value(work, rows, key) if work.has(key) else UNSET

    backorder, active = one("allow_backorder"), one("product_active")
    return catalog.ProductRow(
        code=code,
        name=texts("product_name"),
        description=texts("description"),
        category=one("category"),
        tax_category=one("tax_category"),
        allow_backorder=UNSET if backorder is None else backorder,
        is_active=UNSET if active is None else active,
        skus=[
            catalog.SkuRow(
                code=values["sku_code"],
                name={
                    lang: values.get(f"sku_name_{suffix}")
                    for lang, suffix, _n in _LANGS
                    if work.has(f"sku_name_{suffix}")
                },
                unit=_given(work, values, "unit"),
                min_order_quantity=_given(work, values, "min_order_quantity"),
                pack_size=_given(work, values, "pack_size"),
                is_active=_given(work, values, "sku_active"),
            )
            for _number, values in rows
            if values.get("sku_code")
        ],
    )


_PRODUCT_FIELDS = {
    "code": "product_code",
    "name.en": "product_name_en",
    "category": "category",
    "tax_category": "tax_category",
}
_SKU_FIELDS = {
    "code": "sku_code",
    "name.en": "sku_name_en",
    "min_order_quantity": "min_order_quantity",
    "pack_size": "pack_size",
}


def import_rows(work: Importing) -> None:
    """Create or update the products and SKUs of the rows, by seller and code."""
    rows = duplicates(
        work,
        lambda v: (v.get("seller") or "", v["sku_code"]) if v.get("sku_code") else object(),
        "sku_code",
    )
    by_seller: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for number, values in rows:
        by_seller[values.get("seller") or ""][values["product_code"]].append((number, values))
    for seller, products in by_seller.items():
        _import_seller(work, seller or None, products)


def _import_seller(work: Importing, seller: str | None, products: dict[str, list[Row]]) -> None:
    batch: list[tuple[catalog.ProductRow, list[Row]]] = []
    size = 0
    for code, rows in products.items():
        item = _product_row(work, code, rows)
        if batch and size + len(item.skus) > MAX_BULK_SKUS:
            _upsert(work, seller, batch)
            batch, size = [], 0
        batch.append((item, rows))
        size += len(item.skus)
    if batch:
        _upsert(work, seller, batch)


def _upsert(
    work: Importing, seller: str | None, batch: list[tuple[catalog.ProductRow, list[Row]]]
) -> None:
    """One call of the catalogue's bulk upsert; its problems placed at their rows."""
    sku_rows = [[n for n, v in rows if v.get("sku_code")] for _item, rows in batch]

    def place(problem: FieldError) -> tuple[int, str]:
        at = indexes(problem.field)
        if not at:
            return (0, "seller") if problem.code == "unknown_seller" else (0, "")
        field = tail(problem.field)
        if len(at) == 1:
            return batch[at[0]][1][0][0], _PRODUCT_FIELDS.get(field, "")
        return sku_rows[at[0]][at[1]], _SKU_FIELDS.get(field, "")

    with work.refusals(place):
        result = catalog.bulk_upsert(
            tenant_id=work.tenant_id,
            items=[item for item, _rows in batch],
            seller_slug=seller,
            check_only=not work.applying,
        )
        for name, counts in (("products", result.products), ("skus", result.skus)):
            work.count(f"{name}_created", counts.created)
            work.count(f"{name}_updated", counts.updated)
            work.count(f"{name}_unchanged", counts.unchanged)
