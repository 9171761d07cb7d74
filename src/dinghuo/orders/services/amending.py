"""Amending an order after it was placed: its lines (quantities, new lines, removed lines),
its ship-to, requested delivery date and PO number. Who may amend when, and what a change
does to each line, are `orders/amendment_rules.py`; this module applies the rules of placing
to the difference, in one transaction, all or nothing:

- **validation** of every new or changed line as placing checks it (a smaller line only for
  its quantity rules: a SKU no longer sold can still be reduced);
- **prices**: existing lines keep their frozen prices (and tax, unless the ship-to changes:
  then every line takes the new destination's rate); new lines get today's; staff may
  `reprice` the lines nothing has shipped of at today's prices;
- **stock** reserved or released for the difference only: a smaller line drops its
  backordered units first, then releases reserved ones (from the warehouse it would ship
  from last); a bigger or new line is allocated as placing allocates (backordered where the
  product allows it, else 409 `insufficient_stock`);
- **credit and approval**: an amendment that makes the order bigger (or adds a SKU) is judged
  as a new order of the amended total would be, the order's own hold on the credit line set
  aside: refused (409 `credit_refused`) or put on credit hold as the seller's policy says,
  and sent back to approval when an approval rule applies (its approvals start again). A
  smaller one is never judged: it releases its share of credit and goes on.

Each amendment makes the order's next version (`Order.version`, an `OrderAmendment` row
saying what changed) and records one `order.amended` event on its timeline. Locks, as
everywhere: the order row, the credit line, the stock levels (the SKUs to reserve and to
release in one ordered statement). Shipping locks the order row first too, so a shipment
either sees the order before the amendment or after it, never half of it.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from dinghuo.core import clock
from dinghuo.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from dinghuo.customers import credit
from dinghuo.customers import services as customers
from dinghuo.orders import amendment_rules as rules
from dinghuo.orders import approval_rules, judging, line_checks
from dinghuo.orders.line_checks import MAX_AMOUNT, LineRequest, LineResult, Parties
from dinghuo.orders.models import Order, OrderAmendment, OrderLine, OrderPolicy
from dinghuo.orders.services.amending_lines import price_lines
from dinghuo.orders.services.amending_writes import Author, Outcome, write_amendment
from dinghuo.orders.services.approvals import Actor
from dinghuo.orders.services.locking import locked_order
from dinghuo.orders.services.placing import credit_refusal
from dinghuo.orders.states import OrderStatus

# Plain SQL: the ORM's statement building costs more than this read on the hot path.
_LINES = "SELECT * FROM {table} WHERE order_id = %s ORDER BY line_number"
MAX_NOTE = 200
MAX_PO_NUMBER = 64
# Problems a smaller line is still checked for: its quantity rules, not whether it is sold.
_QUANTITY_CODES = frozenset(
    {"quantity_not_positive", "quantity_too_large", "below_minimum", "not_pack_multiple"}
)


@dataclass(frozen=True)
class AmendRequest:
    """What to change; None leaves a field as it is. `lines` are all the lines the order
    should have (SKU and quantity), as when placing."""

    lines: list[LineRequest] | None = None
    ship_to_id: int | None = None
    purchase_order_number: str | None = None
    requested_delivery_date: date | None = None
    clear_requested_delivery_date: bool = False
    reprice: bool = False  # staff only: today's prices for lines nothing has shipped of
    note: str = ""


def amend_order(
    *, tenant_id: int, order_id: int, changes: AmendRequest, by: Actor
) -> OrderAmendment:
    """Amend an open order (see the module docstring) and return the amendment, whose
    `version` the order now has. `by` is seller staff or a buyer of the order's company
    (another company's order is not found: 404).

    Refused, changing nothing: 409 `order_not_amendable` (shipped, delivered, cancelled),
    `amend_window_closed`, `picking_started`, `buyer_amendments_off` (buyers only),
    `line_shipped` (below what has shipped), `insufficient_stock`, `credit_refused`; 422 for
    invalid lines or fields, `nothing_to_amend` when nothing would change."""
    # No savepoint: a failure must roll back the caller's transaction whole anyway.
    with transaction.atomic(savepoint=False):
        return _amend(tenant_id, order_id, changes, by)


def _amend(tenant_id: int, order_id: int, changes: AmendRequest, by: Actor) -> OrderAmendment:
    """The steps of amending, in their order (see the module docstring)."""
    now = clock.now()
    order = locked_order(tenant_id, order_id, with_approval_flag=True)
    by_buyer = by.party == approval_rules.COMPANY
    if by_buyer and order.company_id != by.company_id:
        raise NotFound(f"No order {order_id}.")
    lines = list(
        OrderLine.objects.raw(_LINES.format(table=_quote(OrderLine._meta.db_table)), [order.pk])
    )
    _refuse_now(order, lines, by_buyer, now)
    if by_buyer and changes.reprice:
        raise ValidationFailed(
            "Only the seller can reprice an order.",
            errors=[FieldError("reprice", "reprice_staff_only", "Only the seller reprices")],
        )
    wanted = _wanted(lines, changes)
    diff = rules.changes([_rule_line(line) for line in lines], wanted)
    fields = _field_changes(order, changes, now)
    if not diff and not fields and not changes.reprice:
        raise ValidationFailed(
            "The amendment changes nothing.",
            errors=[FieldError("lines", "nothing_to_amend", "Change a line or a field")],
        )
    _refuse_below_shipped(diff)
    parties = _parties(order, changes)
    if parties.seller.id == order.seller_id:
        # The answer names the order's seller: the one just read with the parties.
        Order.seller.field.set_cached_value(order, parties.seller)
    requests = [LineRequest(sku, quantity) for sku, quantity in wanted]
    results, _book = line_checks.check_lines(tenant_id, parties, requests, at=now)
    _refuse_problems(diff, results)
    amended = price_lines(
        order,
        lines,
        results,
        reprice=changes.reprice,
        retax="ship_to_id" in fields,
    )
    if amended.total >= MAX_AMOUNT:
        raise ValidationFailed(
            "The order's total is too large.",
            errors=[FieldError("lines", "amount_too_large", "Split the order")],
        )
    if not diff and not fields and amended.total == order.total and not amended.repriced:
        raise ValidationFailed(
            "The amendment changes nothing.",
            errors=[FieldError("reprice", "nothing_to_amend", "Today's prices are the same")],
        )
    grows = amended.total > order.total or any(change.added for change in diff)
    outcome = _judge(order, parties, results, amended.total, by, grows, now)
    author = Author(by.name, by_buyer, changes.note.strip()[:MAX_NOTE])
    return write_amendment(order, lines, diff, fields, amended, outcome, author, now)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _refuse_now(order: Order, lines: list[OrderLine], by_buyer: bool, now: datetime) -> None:
    """409 when the order cannot be amended now, by this side (`amendment_rules.refusal`)."""
    window = 0
    if by_buyer:
        policy = OrderPolicy.objects.filter(seller_id=order.seller_id).first()
        window = policy.buyer_amend_hours if policy else OrderPolicy().buyer_amend_hours
    why = rules.refusal(
        rules.AmendingOrder(
            order.status,
            order.placed_at,
            order.picking_started_at is not None,
            any(line.shipped_quantity for line in lines),
        ),
        by_buyer=by_buyer,
        window_hours=window,
        now=now,
    )
    if why:
        raise Conflict(_REFUSALS[why], code=why)


_REFUSALS = {
    rules.NOT_AMENDABLE: "This order can no longer be amended.",
    rules.WINDOW_CLOSED: "The time to amend this order has passed; ask the seller.",
    rules.PICKING_STARTED: "The warehouse has started on this order; ask the seller.",
    rules.BUYERS_MAY_NOT: "The seller amends orders; ask them.",
}


def _rule_line(line: OrderLine) -> rules.Line:
    return rules.Line(
        line.line_number,
        line.sku_code,
        line.quantity,
        line.shipped_quantity,
        line.backordered_quantity,
    )


def _wanted(lines: list[OrderLine], changes: AmendRequest) -> list[tuple[str, int]]:
    """The lines the order should have: the request's, or the order's own when it gives none.
    An order needs at least one line: to end it, cancel it."""
    if changes.lines is None:
        return [(line.sku_code, line.quantity) for line in lines]
    if not changes.lines:
        raise ValidationFailed(
            "An order needs at least one line; cancel it instead.",
            errors=[FieldError("lines", "no_lines", "Keep at least one line")],
        )
    return [(line.sku, line.quantity) for line in changes.lines]


def _field_changes(order: Order, changes: AmendRequest, now: datetime) -> dict[str, list[Any]]:
    """The order fields the request really changes, with their values before and after;
    422 for a delivery date in the past or a PO number too long."""
    found: dict[str, list[Any]] = {}
    if changes.ship_to_id is not None and changes.ship_to_id != order.ship_to_id:
        found["ship_to_id"] = [order.ship_to_id, changes.ship_to_id]
    po = changes.purchase_order_number
    if po is not None and po.strip() != order.purchase_order_number:
        if len(po.strip()) > MAX_PO_NUMBER:
            raise ValidationFailed(
                "The PO number is too long.",
                errors=[
                    FieldError(
                        "purchase_order_number", "too_long", f"At most {MAX_PO_NUMBER} characters"
                    )
                ],
            )
        found["purchase_order_number"] = [order.purchase_order_number, po.strip()]
    wanted_date = order.requested_delivery_date
    if changes.clear_requested_delivery_date:
        wanted_date = None
    elif changes.requested_delivery_date is not None:
        wanted_date = changes.requested_delivery_date
        today = timezone.localdate(now)
        if wanted_date < today and wanted_date != order.requested_delivery_date:
            raise ValidationFailed(
                "The delivery date is in the past.",
                errors=[
                    FieldError(
                        "requested_delivery_date",
                        "delivery_date_past",
                        f"Choose a delivery date from {today.isoformat()} on",
                        {"today": today.isoformat()},
                    )
                ],
            )
    if wanted_date != order.requested_delivery_date:
        found["requested_delivery_date"] = [
            _iso(order.requested_delivery_date),
            _iso(wanted_date),
        ]
    return found


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _refuse_below_shipped(diff: list[rules.Change]) -> None:
    """409 `line_shipped` for every change that would take a line below what has shipped."""
    shipped = [change for change in diff if rules.below_shipped(change)]
    if shipped:
        raise Conflict(
            "Some lines have shipped units that an amendment cannot take back.",
            code="line_shipped",
            errors=[
                FieldError(
                    f"lines[{change.index}].quantity" if change.index is not None else "lines",
                    "line_shipped",
                    f"{change.sku}: {change.line.shipped if change.line else 0} shipped",
                    {"sku": change.sku, "shipped": change.line.shipped if change.line else 0},
                )
                for change in shipped
            ],
        )


def _parties(order: Order, changes: AmendRequest) -> Parties:
    """The order's company, its (new) ship-to and seller; 422 for a ship-to not the
    company's, or when the company now buys in another currency than the order's."""
    ship_to = changes.ship_to_id if changes.ship_to_id is not None else order.ship_to_id
    parties, errors = line_checks.resolve_parties(order.tenant_id, order.company_id, ship_to, None)
    if parties is None or errors:
        raise ValidationFailed("The amendment cannot be made; see errors.", errors=errors)
    if parties.currency != order.currency:
        raise ValidationFailed(
            "The company now buys in another currency; place a new order.",
            errors=[
                FieldError(
                    "lines",
                    "currency_mismatch",
                    f"This company buys in {parties.currency}",
                    {"expected": parties.currency},
                )
            ],
        )
    return parties


def _refuse_problems(diff: list[rules.Change], results: list[LineResult]) -> None:
    """422 with the problems of the new and bigger lines, the quantity problems of the
    smaller ones, and any SKU asked for twice; unchanged lines are not judged again."""
    problems = [p for r in results for p in r.problems if p.code == "duplicate_sku"]
    for change in diff:
        if change.index is None:
            continue
        found = results[change.index].problems
        if not change.grows:
            found = [p for p in found if p.code in _QUANTITY_CODES]
        problems += [p for p in found if p.code != "duplicate_sku"]
    if problems:
        raise ValidationFailed("The amendment cannot be made; see errors.", errors=problems)


def _judge(
    order: Order,
    parties: Parties,
    results: list[LineResult],
    total: Decimal,
    by: Actor,
    grows: bool,
    now: datetime,
) -> Outcome:
    """Credit and approvals of a bigger order, on the locked credit line without the order's
    own hold (see the module docstring); a smaller one is not judged. 409 `credit_refused`
    when the seller refuses orders blocked on credit."""
    held = order.credit_reserved
    kept = max(Decimal(0), held + total - order.total) if held > 0 else Decimal(0)
    # Locks the line and moves the order's hold to what it keeps if its status stays (the
    # usual end); the writes correct it when the order goes on hold or leaves one.
    line = customers.take_credit(
        tenant_id=order.tenant_id, company_id=order.company_id, amount=kept - held
    )
    if not grows:
        return Outcome(None, kept, _prepayment(order, None, line.state, total), line.id)
    without = replace(line.state, order_exposure=line.state.order_exposure - held)
    judgement = judging.judge(
        order.tenant_id,
        parties,
        [r for r in results if r.sku],
        total,
        placed_by_id=by.company_user_id if by.company_user_id else order.placed_by_id,
        credit_state=without,
        today=timezone.localdate(now),
        fx_rate=order.fx_rate,
    )
    if judgement.refused:
        raise credit_refusal(judgement, order.currency)
    return Outcome(judgement, kept, _prepayment(order, judgement, without, total), line.id)


def _prepayment(
    order: Order, judgement: judging.Judgement | None, state: credit.CreditState, total: Decimal
) -> Decimal:
    """What the company pays before confirmation: for an order not confirmed yet that waits
    for a deposit or prepayment, recomputed on the amended total; kept otherwise (money
    already asked for a confirmed order is not asked again)."""
    waits = order.status not in {OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED}
    if not (waits and order.prepayment_due > 0):
        return order.prepayment_due
    if judgement is not None:
        return judgement.prepayment_due
    return credit.paid_before_confirmation(state, total, order.currency)
