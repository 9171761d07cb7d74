"""Reads only the portal's pages need, around the domain's own queries: one SKU of the
company's catalogue, the size of the cart, the delivery addresses, a page of the company's
orders, the orders waiting for the company's approval (SKU names in the reader's language are
`dinghuo.pages.skus`).

Each is scoped by tenant and company and takes a fixed number of queries.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from dinghuo.buying import queries as buying
from dinghuo.buying.catalogue import CatalogueEntry, buyer_catalogue
from dinghuo.customers import queries as customers
from dinghuo.customers.models import Location
from dinghuo.orders import queries as orders
from dinghuo.orders.models import Approver, Order, OrderApproval, OrderLine
from dinghuo.portal.access import Buyer


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


def cart_summary(buyer: Buyer) -> dict[str, Any]:
    """What the cart summary shows (`cart_size`, `cart_total`, `cart_currency`): the lines,
    and their total before tax priced now (two queries for an empty cart, those of
    `buying.queries.cart` otherwise)."""
    priced = buying.cart(buyer.tenant_id, buyer.company_id, buyer.company_user_id)
    total = priced.check.subtotal if priced.check is not None else None
    return {"cart_size": len(priced.lines), "cart_total": total, "cart_currency": priced.currency}


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
    search = orders.OrderSearch(statuses=(status,) if status else (), company_id=buyer.company_id)
    qs: QuerySet[Order] = orders.orders(buyer.tenant_id, search=search)
    if before:
        qs = qs.filter(id__lt=before)
    found = list(qs.order_by("-id")[: limit + 1])
    next_before = found[limit - 1].pk if len(found) > limit else None
    return OrdersPage(found[:limit], next_before)


def awaiting_approval(
    buyer: Buyer, *, after: int | None = None, order_id: int | None = None, limit: int = 25
) -> list[Order]:
    """Orders of the company whose current level waits for it, oldest first, with who placed
    them, their pending company steps (`pending_steps`) and their lines in order (three
    queries whatever the number of orders and lines)."""
    qs = orders.awaiting_company_approval(buyer.tenant_id, buyer.company_id)
    if after:
        qs = qs.filter(id__gt=after)
    if order_id is not None:
        qs = qs.filter(id=order_id)
    pending = OrderApproval.objects.filter(
        approver=Approver.COMPANY, status=OrderApproval.Status.PENDING
    )
    return list(
        qs.select_related("placed_by__user")
        .prefetch_related(
            Prefetch("approvals", queryset=pending, to_attr="pending_steps"),
            Prefetch("lines", queryset=OrderLine.objects.order_by("line_number")),
        )
        .order_by("id")[:limit]
    )
