"""Earlier lines into a cart at today's prices: reorder an earlier order, add a saved list.

Every line is judged at the quantity the cart would then hold, as placing would judge it;
lines that could not be ordered today are reported with their reasons and not added.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from dinghuo.buying import queries
from dinghuo.buying.models import CartLine, RequisitionList
from dinghuo.buying.models import RequisitionListLine as ListLineRow
from dinghuo.buying.queries import Buyer
from dinghuo.buying.services.locking import cart_for_update
from dinghuo.buying.services.problems import blocking, moved
from dinghuo.core.errors import FieldError
from dinghuo.core.queries import tenant_row
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.queries import check_lines
from dinghuo.orders.services import LineRequest


@dataclass(frozen=True)
class RepricedLine:
    """One line offered to the cart (from an earlier order or a saved list), priced today."""

    sku_id: int | None
    sku: str
    description: str
    quantity: int
    cart_quantity: int  # what the cart holds of the SKU afterwards (would hold, if not added)
    previous_unit_price: Decimal | None
    current_unit_price: Decimal | None
    added: bool
    problems: list[FieldError]


@dataclass(frozen=True)
class Repricing:
    """What adding earlier lines to a cart did, line by line, at today's prices."""

    currency: str
    lines: list[RepricedLine]


@dataclass(frozen=True)
class _Wanted:
    sku_id: int
    sku: str
    quantity: int
    previous_unit_price: Decimal | None
    description: str


def _add_lines(
    tenant_id: int, buyer: Buyer, owner_id: int | None, wanted: list[_Wanted]
) -> Repricing:
    """Add every line that could be ordered at the quantity the cart would then hold; report
    every line, added or not, with today's price. Constant queries whatever the line count."""
    cart = cart_for_update(tenant_id, buyer, owner_id)
    if not wanted:
        return Repricing(buyer.currency, [])
    in_cart = {
        line.sku_id: line
        for line in CartLine.objects.filter(cart=cart, sku_id__in=[w.sku_id for w in wanted])
    }
    totals = [
        w.quantity + (in_cart[w.sku_id].quantity if w.sku_id in in_cart else 0) for w in wanted
    ]
    check = check_lines(
        tenant_id,
        buyer.company_id,
        [LineRequest(w.sku, total) for w, total in zip(wanted, totals, strict=True)],
    )
    report, new, changed = [], [], []
    for w, total, line in zip(wanted, totals, check.lines, strict=True):
        problems = [moved(p, "") for p in line.problems]
        added = not blocking(line.problems)
        if added and w.sku_id in in_cart:
            in_cart[w.sku_id].quantity = total
            changed.append(in_cart[w.sku_id])
        elif added:
            new.append(CartLine(tenant_id=tenant_id, cart=cart, sku_id=w.sku_id, quantity=total))
        report.append(
            RepricedLine(
                sku_id=w.sku_id,
                sku=w.sku,
                description=line.description or w.description,
                quantity=w.quantity,
                cart_quantity=total if added else total - w.quantity,
                previous_unit_price=w.previous_unit_price,
                current_unit_price=line.unit_price,
                added=added,
                problems=problems,
            )
        )
    CartLine.objects.bulk_create(new)
    CartLine.objects.bulk_update(changed, ["quantity"])
    cart.save(update_fields=["updated_at"])
    return Repricing(check.currency, report)


@transaction.atomic
def reorder(
    *, tenant_id: int, order_id: int, company_id: int | None = None, cart_owner_id: int | None
) -> Repricing:
    """Copy an earlier order's lines into a cart at today's prices (`cart_owner_id` None: the
    staff cart of the order's company).

    With `company_id` (a buyer) an order of another company is not found. Lines that could not
    be ordered today are reported with their reasons and not added; the others are added (to
    what the cart already holds) and reported with the price they had and have now."""
    order_company = queries.order_company(tenant_id, order_id, company_id)
    buyer = queries.buyer_company(tenant_id, order_company)
    currency = Order.objects.filter(pk=order_id).values_list("currency", flat=True).get()
    # A price in the currency the company used to buy in says nothing about today's.
    same_currency = currency == buyer.currency
    rows = (
        OrderLine.objects.filter(order_id=order_id)
        .order_by("line_number")
        .values_list("sku_id", "sku__code", "quantity", "unit_price", "description")
    )
    wanted = [
        _Wanted(sku_id, code, quantity, price if same_currency else None, text)
        for sku_id, code, quantity, price, text in rows
    ]
    return _add_lines(tenant_id, buyer, cart_owner_id, wanted)


@transaction.atomic
def add_requisition_list_to_cart(
    *, tenant_id: int, company_id: int, list_id: int, cart_owner_id: int | None
) -> Repricing:
    """Add a list's lines to a cart at today's prices; lines that could not be ordered today
    are reported and not added (see `reorder`). A list of another company is not found."""
    buyer = queries.buyer_company(tenant_id, company_id)
    saved = tenant_row(
        RequisitionList.objects.filter(company_id=company_id),
        tenant_id,
        list_id,
        f"No requisition list {list_id}.",
    )
    rows = (
        ListLineRow.objects.filter(requisition_list=saved)
        .order_by("id")
        .values_list("sku_id", "sku__code", "quantity")
    )
    wanted = [_Wanted(sku_id, code, quantity, None, code) for sku_id, code, quantity in rows]
    return _add_lines(tenant_id, buyer, cart_owner_id, wanted)
