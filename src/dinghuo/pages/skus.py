"""SKU names in the reader's language, for every page that lists SKUs (catalogue, cart,
orders, pick lists, stock, price lists)."""

from collections.abc import Iterable
from typing import Any

from modeltranslation.utils import get_language, resolution_order

from dinghuo.catalog import queries as catalog
from dinghuo.catalog.texts import column


def entry_name(row: dict[str, Any]) -> str:
    """What a catalogue row is called in the reader's language: the SKU's own name, else its
    product's; the language comes first, so a Chinese product name is preferred to an English
    SKU name. Its code when nothing is named."""
    for lang in resolution_order(get_language()):
        text = row.get(column("name", lang)) or row.get(f"product__{column('name', lang)}")
        if text:
            return str(text)
    return str(row["code"])


def sku_names(tenant_id: int, sku_ids: Iterable[int]) -> dict[int, str]:
    """The names of some SKUs in the active language (one query; none without SKUs)."""
    ids = sorted({i for i in sku_ids if i is not None})
    if not ids:
        return {}
    names = [column("name", lang) for lang in resolution_order(get_language())]
    columns = ["id", "code", *names, *(f"product__{name}" for name in names)]
    rows = catalog.skus(tenant_id).filter(id__in=ids).values(*columns)
    return {row["id"]: entry_name(row) for row in rows}
