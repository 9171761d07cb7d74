"""Writing an amendment that passed every check (`amending`): stock for the difference, the
lines, the order row, its approvals, the `OrderAmendment` row and the events. Runs inside
`amending.amend_order`'s transaction, the order row and credit line locked."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection

from dinghuo.core import money
from dinghuo.core.db import insert_instances, placeholders, update_instances
from dinghuo.customers import services as customers
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.inventory import allocation
from dinghuo.inventory import services as stock
from dinghuo.orders import amendment_rules as rules
from dinghuo.orders import judging
from dinghuo.orders.models import Order, OrderAmendment, OrderApproval, OrderLine
from dinghuo.orders.services.amending_lines import AmendedLines, new_line_description
from dinghuo.orders.services.cancelling import close_approvals
from dinghuo.orders.services.order_events import order_event, routing_events
from dinghuo.orders.services.placing import LINE_FIELDS, insert_approvals, shortage_refusal
from dinghuo.orders.states import OrderStatus


@dataclass(frozen=True)
class Outcome:
    """What judging the amended order said (None: a smaller order, not judged), what it will
    hold of the company's credit if its status stays, and its prepayment."""

    judgement: judging.Judgement | None
    credit_kept: Decimal
    prepayment_due: Decimal
    credit_line_id: int  # the company's credit line, locked, its exposure moved to credit_kept


@dataclass(frozen=True)
class Route:
    """Where the amended order goes."""

    status: str
    credit_reserved: Decimal
    review_reasons: list[str]
    back_to_approval: bool = False


def route(order: Order, outcome: Outcome, total: Decimal, backordered: bool) -> Route:
    """A judged order goes on hold or back to approval when its judgement says so; one that
    was on hold or awaiting approval goes where placing would send it; any other keeps its
    status (an order is never unconfirmed by an amendment that needs no person)."""
    judgement, reasons = outcome.judgement, list(order.review_reasons)
    if judgement is None:
        return Route(order.status, outcome.credit_kept, reasons)
    routed = judgement.route(backordered=backordered)
    waiting = {OrderStatus.CREDIT_HOLD, OrderStatus.AWAITING_APPROVAL}
    if routed.status not in waiting and order.status not in waiting:
        return Route(order.status, outcome.credit_kept, reasons)
    if routed.status == OrderStatus.CREDIT_HOLD:
        return Route(routed.status, Decimal(0), list(routed.review_reasons))
    held = outcome.credit_kept
    if order.status == OrderStatus.CREDIT_HOLD:
        held = total if judgement.credit.uses_credit else Decimal(0)
    back = routed.status == OrderStatus.AWAITING_APPROVAL
    return Route(routed.status, held, list(routed.review_reasons), back_to_approval=back)


@dataclass(frozen=True)
class Author:
    """Who amends, as the amendment row and its event name them."""

    name: str
    by_buyer: bool
    note: str = ""


_LINE_UPDATE = [
    "quantity", "unit_price", "line_total", "tax_rate_id", "tax_name", "tax_percent",
    "net_amount", "tax_amount", "gross_amount", "pricing", "backordered_quantity",
]  # fmt: skip
_LINE_VALUES = [
    "quantity", "unit_price", "pricing", "tax_rate_id", "tax_name", "tax_percent",
    "line_total", "net_amount", "tax_amount", "gross_amount",
]  # fmt: skip
_AMENDMENT_FIELDS = [
    "tenant_id", "order_id", "version", "amended_at", "amended_by", "by_buyer", "note",
    "changes", "status_before", "status_after", "total_before", "total_after",
]  # fmt: skip
_ORDER_UPDATE = [
    "ship_to_id", "purchase_order_number", "requested_delivery_date", "subtotal", "tax_total",
    "total", "status", "credit_reserved", "hold_reason", "review_reasons", "approval_expires_at",
    "prepayment_due", "version", "updated_at",
]  # fmt: skip


def write_amendment(
    order: Order,
    lines: list[OrderLine],
    diff: list[rules.Change],
    fields: dict[str, list[Any]],
    amended: AmendedLines,
    outcome: Outcome,
    author: Author,
    now: datetime,
) -> OrderAmendment:
    """Apply the amendment (see `amending`'s docstring); returns its row."""
    moves = {change.sku: (change, rules.stock_move(change)) for change in diff}
    wants = [
        allocation.Want(i, item.result.sku.id, moves[item.sku_code][1].wanted, _backorder(item))
        for i, item in enumerate(amended.lines)
        if item.sku_code in moves and moves[item.sku_code][1].wanted and item.result.sku
    ]
    rows = {line.sku_code: line for line in lines}
    shrinking = [
        (rows[change.sku], move)
        for change, move in moves.values()
        if change.line and not change.grows
    ]
    allocated = stock.allocate(
        order.tenant_id, wants, also_lock={line.sku_id for line, _move in shrinking}
    )
    if allocated.plan.shortages:
        raise shortage_refusal(allocated.plan.shortages, [i.sku_code for i in amended.lines])
    before = _snapshot(order)
    saved = _write_lines(order, lines, amended, allocated.plan, shrinking)
    version = order.version + 1
    stock_changed = stock.change_reservations(
        allocated,
        release={line.pk: move.released for line, move in shrinking},
        order_line_ids=[line.pk for line in saved],
        sku_codes={line.sku_id: line.sku_code for line in [*lines, *saved]},
        reference=f"order:{order.pk}",
        reason=f"order amended (version {version})",
    )
    _delete_removed(lines, amended)
    backordered = any(line.backordered_quantity for line in saved)
    routed = route(order, outcome, amended.total, backordered)
    _write_order(order, fields, amended, outcome, routed, now)
    # The caller answers with the order as it now is, without reading it again (its
    # approvals too when it has none).
    order._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "lines": sorted(saved, key=lambda line: line.line_number)
    }
    if not (getattr(order, "has_approvals", True) or routed.back_to_approval):
        order._prefetched_objects_cache["approvals"] = []  # type: ignore[attr-defined]
    return _record(
        order, before, diff, fields, amended, outcome, routed, author, now, stock_changed
    )


def _backorder(item: Any) -> bool:
    return bool(item.result.sku and item.result.sku.allow_backorder)


def _snapshot(order: Order) -> dict[str, Any]:
    return {"status": order.status, "total": order.total, "subtotal": order.subtotal}


def _write_lines(
    order: Order,
    lines: list[OrderLine],
    amended: AmendedLines,
    plan: allocation.Plan,
    shrinking: list[tuple[OrderLine, rules.StockMove]],
) -> list[OrderLine]:
    """The kept lines that change updated, new ones inserted numbered after the last (a
    removed line's number is not given again); returns the order's lines in the wanted
    order. Removed lines are deleted once their stock is released (`_delete_removed`)."""
    dropped = {line.pk: move.backorder_dropped for line, move in shrinking}
    next_number = max((line.line_number for line in lines), default=0) + 1
    saved, updated, new = [], [], []
    for i, item in enumerate(amended.lines):
        line = item.line
        if line is None:
            assert item.result.sku is not None
            line = OrderLine(
                tenant_id=order.tenant_id,
                order=order,
                line_number=next_number,
                sku_id=item.result.sku.id,
                sku_code=item.result.sku.code,
                description=new_line_description(item),
                shipped_quantity=0,
                backordered_quantity=0,
            )
            next_number += 1
            new.append(line)
        backordered = line.backordered_quantity - dropped.get(line.pk, 0)
        backordered += plan.backordered.get(i, 0)
        values = {name: getattr(item, name) for name in _LINE_VALUES}
        values["backordered_quantity"] = backordered
        if item.line is not None and any(getattr(line, k) != v for k, v in values.items()):
            updated.append(line)
        for name, value in values.items():
            setattr(line, name, value)
        saved.append(line)
    update_instances(updated, _LINE_UPDATE)
    insert_instances(new, LINE_FIELDS)
    return saved


def _delete_removed(lines: list[OrderLine], amended: AmendedLines) -> None:
    """Delete the lines the amendment removed, with their (emptied) reservations: nothing
    else refers to a line nothing has shipped of. Two plain statements rather than the
    ORM's cascade, which first reads every table that could refer to a line. A reservation
    still holding units would make the database refuse the line's deletion."""
    kept = {item.sku_code for item in amended.lines}
    removed = [line.pk for line in lines if line.sku_code not in kept]
    if not removed:
        return
    stock.drop_empty_reservations(lines[0].tenant_id, removed)
    table = connection.ops.quote_name(OrderLine._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id IN ({placeholders(len(removed))})",  # noqa: S608
            removed,
        )


def _write_order(
    order: Order,
    fields: dict[str, list[Any]],
    amended: AmendedLines,
    outcome: Outcome,
    routed: Route,
    now: datetime,
) -> None:
    """The order row: its fields, amounts, status, credit, approvals and version."""
    for name, (_before, after) in fields.items():
        setattr(order, name, _field_value(name, after))
    order.subtotal, order.tax_total = amended.subtotal, amended.tax_total
    order.total = amended.total
    if routed.credit_reserved != outcome.credit_kept:
        customers.change_order_exposure(
            credit_line_id=outcome.credit_line_id,
            amount=routed.credit_reserved - outcome.credit_kept,
        )
    order.credit_reserved = routed.credit_reserved
    order.prepayment_due = outcome.prepayment_due
    was = order.status
    order.status, order.review_reasons = routed.status, routed.review_reasons
    judgement = outcome.judgement
    if routed.status == OrderStatus.CREDIT_HOLD and judgement is not None:
        order.hold_reason = str(judgement.hold_reason)[:300]
    if routed.back_to_approval and judgement is not None:
        # The order changed: approvals start again (their earlier decisions stay on the
        # timeline as events).
        OrderApproval.objects.filter(order=order).delete()
        insert_approvals(order, judgement)
        hours = judgement.policy.approval_expiry_hours
        order.approval_expires_at = now + timedelta(hours=hours)
    elif was == OrderStatus.AWAITING_APPROVAL != routed.status:
        close_approvals(order, OrderApproval.Status.WITHDRAWN)
        order.approval_expires_at = None
    order.version += 1
    order.updated_at = now
    update_instances([order], _ORDER_UPDATE)


def _field_value(name: str, value: Any) -> Any:
    """A changed field's value as the row holds it (dates travel as ISO text)."""
    if name == "requested_delivery_date" and value is not None:
        return date.fromisoformat(value)
    return value


def _record(
    order: Order,
    before: dict[str, Any],
    diff: list[rules.Change],
    fields: dict[str, list[Any]],
    amended: AmendedLines,
    outcome: Outcome,
    routed: Route,
    author: Author,
    now: datetime,
    stock_changed: Event | None,
) -> OrderAmendment:
    """The amendment row and its events in one INSERT: `order.amended`, what a new status
    means, then inventory's `stock.changed` (after the order's events, as when placing)."""
    cur = order.currency
    prices = {item.sku_code: item for item in amended.lines}
    changes = {
        "lines": [
            {
                "line_number": change.line.line_number if change.line else None,
                "sku": change.sku,
                "before": change.before,
                "after": change.after,
                **(
                    {"unit_price": money.format_unit_price(prices[change.sku].unit_price, cur)}
                    if change.sku in prices
                    else {}
                ),
            }
            for change in diff
        ],
        "fields": fields,
        "repriced": [item.sku_code for item in amended.lines if item.repriced],
    }
    amendment = OrderAmendment(
        tenant_id=order.tenant_id,
        order=order,
        version=order.version,
        amended_at=now,
        amended_by=author.name[:200],
        by_buyer=author.by_buyer,
        note=author.note,
        changes=changes,
        status_before=before["status"],
        status_after=order.status,
        total_before=before["total"],
        total_after=order.total,
    )
    insert_instances([amendment], _AMENDMENT_FIELDS)
    amended_event = order_event(
        order,
        "order.amended",
        {
            "version": order.version,
            "by": author.name,
            "by_buyer": author.by_buyer,
            "note": author.note,
            "changes": changes,
            "total_before": money.format_amount(before["total"], cur),
            "total": money.format_amount(order.total, cur),
            "currency": cur,
        },
    )
    what_now = []
    if order.status != before["status"] or routed.back_to_approval:
        judgement = outcome.judgement
        steps = judgement.steps if judgement else []
        what_now = routing_events(order, steps, judgement.hold_reason if judgement else None)
    events.record(amended_event, *what_now, *([stock_changed] if stock_changed else []))
    return amendment
