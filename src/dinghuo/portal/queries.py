"""Reads only the portal's pages need, around the domain's own queries: names in the
reader's language, one SKU of the company's catalogue, a page of the company's orders.

Each is scoped by tenant and company and takes a fixed number of queries.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from modeltranslation.utils import get_language, resolution_order

from dinghuo.buying import queries as buying
from dinghuo.buying.catalogue import CatalogueEntry, buyer_catalogue
from dinghuo.catalog.models import Sku
from dinghuo.catalog.services import column
from dinghuo.customers import queries as customers
from dinghuo.customers.models import Location
from dinghuo.orders import queries as orders
from dinghuo.orders.models import Order
from dinghuo.portal.access import Buyer


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
    rows = Sku.objects.filter(tenant_id=tenant_id, id__in=ids).values(*columns)
    return {row["id"]: entry_name(row) for row in rows}


def catalogue_entry(buyer: Buyer, sku_id: int) -> tuple[str, CatalogueEntry] | None:
    """One SKU as the company's catalogue shows it (its currency and entry), or None when
    the company may not order it: the catalogue's own rule decides, not a copy of it."""
    page = buyer_catalogue(buyer.tenant_id, buyer.company_id, after_id=sku_id - 1, limit=1)
    if not page.entries or page.entries[0].row["id"] != sku_id:
        return None
    return page.currency, page.entries[0]


def cart_size(buyer: Buyer) -> int:
    """How many lines the buyer's cart holds (two queries)."""
    company = buying.buyer_company(buyer.tenant_id, buyer.company_id)
    return len(buying.cart_lines(buyer.tenant_id, company, buyer.company_user_id))


def ship_tos(buyer: Buyer) -> list[Location]:
    """The company's active delivery addresses (two queries)."""
    found = customers.locations(
        buyer.tenant_id, buyer.company_id, kind=Location.Kind.SHIP_TO, is_active=True
    )
    return list(found.order_by("name", "id"))


@dataclass(frozen=True)
class OrdersPage:
    orders: list[Order]
    next_before: int | None


def company_orders(
    buyer: Buyer, *, status: str | None = None, before: int | None = None, limit: int = 25
) -> OrdersPage:
    """A page of the company's orders, newest first (one query), with the cursor of the
    next page."""
    qs: QuerySet[Order] = orders.orders(
        buyer.tenant_id, status=status or None, company_id=buyer.company_id
    )
    if before:
        qs = qs.filter(id__lt=before)
    found = list(qs.order_by("-id")[: limit + 1])
    next_before = found[limit - 1].pk if len(found) > limit else None
    return OrdersPage(found[:limit], next_before)
