"""A cXML OrderRequest placed as an order, through the placing service the API uses.

Prices are the seller's prices for the company now, never the document's: a line whose price
in the purchase order is below ours is refused, and with it the whole order (406, each such
line named with both prices), so the buyer's system never gets an order dearer than it
approved; a lower price of ours is charged as it is (the buyer pays less than approved). A
document in another currency than the company's is refused the same way. All or nothing: a
refused purchase order places nothing.

Idempotent twice over: the same payloadID answers what it answered the first time
(`core.idempotency.run_once`, keyed per connection; the same payloadID with another content
is 409), and a purchase order number already placed over this connection answers with the
order it became, whatever the payloadID, creating nothing. Orders of one connection are
placed one at a time (its row is locked), so two copies sent at once place one order.
"""

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from dinghuo.buying import queries as buying_queries
from dinghuo.core import idempotency, money
from dinghuo.core.errors import Busy, DomainError
from dinghuo.core.services import hash_secret
from dinghuo.orders import services as orders
from dinghuo.orders.line_checks import LineRequest
from dinghuo.orders.models import Order, order_number
from dinghuo.punchout import queries
from dinghuo.punchout.cxml import CxmlRefusal, Item, OrderRequest, fingerprint
from dinghuo.punchout.models import Connection, PurchaseOrder

CHANNEL = "punchout"


@dataclass(frozen=True)
class Placed:
    text: str  # the Status text of the 200 answer
    replayed: bool


def _merged(items: list[Item]) -> "OrderedDict[str, int]":
    """The document's lines by SKU, in their order, a SKU named twice counted once."""
    quantities: OrderedDict[str, int] = OrderedDict()
    for item in items:
        quantities[item.sku] = quantities.get(item.sku, 0) + item.quantity
    return quantities


def _refuse_currency(document: OrderRequest, currency: str) -> None:
    """406 when the document is in another currency than the company buys in."""
    if document.currency and document.currency != currency:
        raise CxmlRefusal(
            406,
            f"The order is in {document.currency}; this supplier sells to you in {currency}.",
        )


def _refuse_prices(document: OrderRequest, order: Order) -> None:
    """406 when the document names a price below the one the order was placed at, for any
    line (the caller's transaction then rolls the order back)."""
    charged = {line.sku_code: line.unit_price for line in order.lines.all()}
    reasons = [
        f"line {item.line_number}: SKU {item.sku} costs "
        f"{money.format_unit_price(charged[item.sku], order.currency)} {order.currency}, "
        f"above the order's {item.unit_price}"
        for item in document.items
        if item.unit_price is not None and item.unit_price < charged[item.sku]
    ]
    if reasons:
        raise CxmlRefusal(406, "The order was not placed: " + "; ".join(reasons) + ".")


def _said(error: DomainError, skus: list[str], document: OrderRequest) -> str:
    """A placing refusal as one sentence, lines named by the document's line numbers."""
    numbers = {item.sku: item.line_number for item in document.items}
    unknown, parts = [], []
    for problem in error.errors:
        where = problem.field
        if where.startswith("lines[") and "]" in where:
            index = int(where[6 : where.index("]")])
            sku = skus[index] if index < len(skus) else ""
            if problem.code == "unknown_sku":
                unknown.append(f"line {numbers.get(sku, index + 1)}: SKU {sku} is not sold to you")
                continue
            where = f"line {numbers.get(sku, index + 1)} (SKU {sku})"
        parts.append(f"{where}: {problem.message}.")
    if unknown:
        return "The order was not placed: " + "; ".join(unknown) + "."
    return " ".join([error.detail, *parts])


def _place(connection: Connection, document: OrderRequest) -> tuple[int, dict[str, Any]]:
    # One order of a connection at a time: two copies of a PO sent at once (with their own
    # payloadIDs) would both find no earlier order and both place one.
    Connection.objects.select_for_update().filter(pk=connection.pk).first()
    earlier = (
        PurchaseOrder.objects.filter(connection=connection, order_number=document.order_id)
        .values_list("order_id", flat=True)
        .first()
    )
    if earlier is not None:
        return 200, {
            "text": f"Purchase order {document.order_id} was received already: it is "
            f"order {order_number(earlier)}."
        }
    tenant, company = connection.tenant_id, connection.company_id
    ship_to = queries.ship_to_id(tenant, company, document.ship_to)
    _refuse_currency(document, buying_queries.buyer_company(tenant, company).currency)
    merged = _merged(document.items)
    lines = [LineRequest(sku, quantity) for sku, quantity in merged.items()]
    try:
        order = orders.place_order(
            tenant_id=tenant,
            company_id=company,
            ship_to_id=ship_to,
            lines=lines,
            purchase_order_number=document.order_id,
            notes=document.comments,
            channel=CHANNEL,
            placed_by_id=queries.session_user(connection, document.contact_email).pk,
        )
    except Busy:
        raise
    except DomainError as error:
        raise CxmlRefusal(406, _said(error, list(merged), document)) from None
    # Priced once, by placing: a PO price below ours refuses the order, rolled back whole.
    _refuse_prices(document, order)
    PurchaseOrder.objects.create(
        tenant_id=tenant,
        connection=connection,
        order_number=document.order_id,
        payload_id=document.payload_id,
        order=order,
    )
    number = order_number(order.pk)
    return 200, {"text": f"Purchase order {document.order_id} is order {number} ({order.status})."}


def _try(connection: Connection, document: OrderRequest) -> Placed:
    """A test document (deploymentMode="test"): every check and the placing itself, then
    rolled back, so the buyer's integration is tested against the real rules."""
    with transaction.atomic():
        _place(connection, document)
        transaction.set_rollback(True)
    return Placed(
        f"Test document: purchase order {document.order_id} would be accepted; nothing was placed.",
        replayed=False,
    )


def place_purchase_order(*, connection: Connection, document: OrderRequest) -> Placed:
    """Place an authenticated OrderRequest as an order of the connection's company, once per
    payloadID and once per purchase order number (module docstring); a test document is
    checked and placed, then rolled back. Only new orders: an
    update or delete is refused (406), since changing a placed order by cXML is not offered.
    Refusals raise `CxmlRefusal` and change nothing."""
    if document.order_type != "new":
        raise CxmlRefusal(
            406,
            f"Orders of type '{document.order_type[:20]}' are not accepted: ask the supplier "
            "to change or cancel the order.",
        )
    if document.test:
        return _try(connection, document)
    try:
        outcome = idempotency.run_once(
            tenant_id=connection.tenant_id,
            key=hash_secret(document.payload_id),
            scope=f"punchout-{connection.pk}:",
            method="POST",
            path="/punchout/cxml/order",
            request_body=fingerprint(document),
            create=lambda: _place(connection, document),
        )
    except Busy:
        raise CxmlRefusal(560, "The supplier is busy; send the order again shortly.") from None
    except CxmlRefusal:
        raise
    except DomainError as error:  # the same payloadID with another content
        raise CxmlRefusal(409, f"{error.detail} (payloadID {document.payload_id}).") from None
    return Placed(outcome.body["text"], outcome.replayed)
