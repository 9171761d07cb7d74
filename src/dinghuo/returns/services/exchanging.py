"""Exchanges: a return whose buyer asks for replacement goods instead of only a credit.

When asking, the buyer names the replacement (by default the same SKUs and quantities as the
returned lines); only the seller's SKUs are taken, each once. When the return is approved,
the replacement is ordered through `orders.services.place_order` (channel "exchange"), in the
approving transaction, so its stock is reserved then: a SKU that was returned keeps the
returned line's frozen unit price (`QuotedPrices` named after the RMA number), another SKU
takes today's price. Placing refuses with its usual codes (`insufficient_stock`,
`credit_refused`, …) and then the approval is refused and nothing changes.

The replacement order is held (placed, not confirmed, so it does not ship) until the return is
received, then confirmed; unless the seller's return policy says `ship_exchange_at_once`,
when it is confirmed right after placing. An order the seller's own rules hold (credit hold,
approval) follows them; a cancelled one stays cancelled and the return stays valid. The credit
note is still issued when the return is closed, for what was accepted, and the replacement
order is invoiced when it ships: the two net out on the company's statement.
"""

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from dinghuo.catalog.models import Sku
from dinghuo.core.errors import Busy, DomainError, FieldError
from dinghuo.orders import services as orders
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.states import OrderStatus
from dinghuo.returns.models import ReplacementLine, ReturnRequest
from dinghuo.returns.services.shared import return_event, rules_of

MAX_REPLACEMENTS = 500
MAX_UNITS = 1_000_000_000
CHANNEL = "exchange"
LINES = re.compile(r"^lines\[")


@dataclass(frozen=True)
class Replacement:
    """`quantity` units of the SKU `sku` (its code) asked for instead of the returned goods."""

    sku: str
    quantity: int


def same_goods(returned: Sequence[tuple[OrderLine, int]]) -> list[Replacement]:
    """The default replacement: each returned SKU, as many units as go back (lines of one
    SKU added up), in the order's line order."""
    units: dict[str, int] = {}
    for line, quantity in sorted(returned, key=lambda pair: pair[0].line_number):
        units[line.sku_code] = units.get(line.sku_code, 0) + quantity
    return [Replacement(sku, quantity) for sku, quantity in units.items()]


def replacement_problems(
    tenant_id: int, seller_id: int, wanted: Sequence[Replacement]
) -> tuple[list[tuple[Sku, int]], list[FieldError]]:
    """The seller's SKUs of the replacement with their units, and every problem at once:
    none asked, too many lines, an unknown SKU, a SKU twice, a quantity out of range. Whether
    they can be ordered (price, stock, credit) is placing's to say when approved."""
    if not wanted:
        return [], [FieldError("replacements", "replacements_required", "Name the goods")]
    if len(wanted) > MAX_REPLACEMENTS:
        return [], [
            FieldError("replacements", "too_many_replacements", f"At most {MAX_REPLACEMENTS}")
        ]
    skus = {
        sku.code: sku
        for sku in Sku.objects.filter(
            tenant_id=tenant_id, seller_id=seller_id, code__in={w.sku for w in wanted}
        )
    }
    found: list[tuple[Sku, int]] = []
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, item in enumerate(wanted):
        at = f"replacements[{i}]"
        if item.sku not in skus:
            errors.append(FieldError(f"{at}.sku", "unknown_sku", f"No SKU {item.sku}"))
        elif item.sku in seen:
            errors.append(FieldError(f"{at}.sku", "duplicate_sku", "SKU given twice"))
        elif not 1 <= item.quantity <= MAX_UNITS:
            errors.append(FieldError(f"{at}.quantity", "quantity_not_positive", "At least 1"))
        else:
            found.append((skus[item.sku], item.quantity))
        seen.add(item.sku)
    return found, errors


def write_replacements(
    request: ReturnRequest, found: Sequence[tuple[Sku, int]]
) -> list[ReplacementLine]:
    """The replacement lines of a new request, in the order given."""
    return ReplacementLine.objects.bulk_create(
        [
            ReplacementLine(
                tenant_id=request.tenant_id,
                request=request,
                line_number=number,
                sku=sku,
                quantity=quantity,
            )
            for number, (sku, quantity) in enumerate(found, 1)
        ]
    )


def frozen_prices(request: ReturnRequest) -> dict[str, Decimal]:
    """The unit price each returned SKU was sold at (the first returned line's, when a SKU
    was returned from several lines)."""
    prices: dict[str, Decimal] = {}
    for line in request.lines.select_related("order_line").order_by("line_number"):
        prices.setdefault(line.order_line.sku_code, line.order_line.unit_price)
    return prices


def place_exchange(request: ReturnRequest, order: Order) -> Any:
    """Order the replacement of an exchange just approved (the request and its order locked,
    the request numbered), in the caller's transaction; confirmed at once when the seller's
    policy ships exchanges at once. Refused as placing refuses, its problems named after the
    replacement lines (`replacements[i].quantity`); nothing is written then, the caller's
    transaction rolls back. Returns the unsaved `return.exchange_placed`."""
    wanted = list(request.replacements.select_related("sku").order_by("line_number"))
    _, row = rules_of(request.seller_id)
    at_once = bool(row and row.ship_exchange_at_once)
    try:
        placed = orders.place_order(
            tenant_id=request.tenant_id,
            company_id=order.company_id,
            ship_to_id=order.ship_to_id,
            lines=[orders.LineRequest(line.sku.code, line.quantity) for line in wanted],
            currency=order.currency,
            purchase_order_number=order.purchase_order_number,
            notes=f"Exchange for {request.number} (order {order.number})",
            seller_slug=order.seller.slug,
            channel=CHANNEL,
            quoted=orders.QuotedPrices(number=request.number, prices=frozen_prices(request)),
            auto_confirm=at_once,
        )
    except DomainError as error:
        raise _about_replacements(error) from error
    if at_once and placed.status == OrderStatus.PLACED:
        placed = orders.confirm_order(tenant_id=request.tenant_id, order_id=placed.pk)
    request.exchange_order = placed
    request.save(update_fields=["exchange_order"])
    return return_event(
        request,
        order,
        "return.exchange_placed",
        exchange_order_id=placed.pk,
        exchange_order=placed.number,
        exchange_status=placed.status,
        ship_at_once=at_once,
    )


def _about_replacements(error: DomainError) -> DomainError:
    """Placing's refusal (same code and status) about the replacement: its lines are the
    request's replacement lines. A busy answer passes as it is, to be retried."""
    if isinstance(error, Busy):
        return error
    said = copy.copy(error)
    said.detail = f"The replacement goods cannot be ordered. {error.detail}"
    said.args = (said.detail,)
    said.errors = [
        replace(problem, field=LINES.sub("replacements[", problem.field, count=1))
        for problem in error.errors
    ]
    return said


def release_exchange(request: ReturnRequest) -> str | None:
    """On receipt: confirm the held replacement order (placed, not confirmed) so it ships.
    An order held by the seller's own rules, cancelled or confirmed already is left as it
    is. The order's status after, or None without one."""
    if request.exchange_order_id is None:
        return None
    status = Order.objects.values_list("status", flat=True).get(pk=request.exchange_order_id)
    if status != OrderStatus.PLACED:
        return str(status)
    confirmed = orders.confirm_order(
        tenant_id=request.tenant_id, order_id=request.exchange_order_id
    )
    return str(confirmed.status)
