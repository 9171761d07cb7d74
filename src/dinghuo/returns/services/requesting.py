"""A buyer (or staff for them) asks to return delivered goods, for a credit or in exchange
for replacement goods (`services.exchanging`), with photos (`services.photos`).

Only lines of a delivered order of the caller's company, within the seller's window, and
never more units than were delivered minus those already asked back on requests that were
not rejected (a received or closed return counts what arrived). Two requests for the same
line cannot together pass that bound: each takes the order's row lock before counting.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from dinghuo.catalog.models import Sku
from dinghuo.core import clock
from dinghuo.core.errors import Conflict, DomainError, FieldError, NotFound, ValidationFailed
from dinghuo.core.money import round_money
from dinghuo.integrations import events
from dinghuo.orders import services as orders
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.states import OrderStatus
from dinghuo.returns import policy
from dinghuo.returns.models import Outcome, ReturnLine, ReturnReason, ReturnRequest, ReturnStatus
from dinghuo.returns.photos import Photo
from dinghuo.returns.services.approving import approve
from dinghuo.returns.services.exchanging import (
    Replacement,
    place_exchange,
    replacement_problems,
    same_goods,
    write_replacements,
)
from dinghuo.returns.services.photos import photo_problems, photos_event, store_photos
from dinghuo.returns.services.shared import return_event, rules_of, today

MAX_NOTE = 500
# The review reason of a request that would have approved itself but whose exchange could
# not be ordered then.
EXCHANGE_NOT_PLACED = "exchange_not_placed"


@dataclass(frozen=True)
class LineAsked:
    """`quantity` units of the order's line `line_number` to send back, and why."""

    line_number: int
    quantity: int
    reason: str
    note: str = ""


def returned_units(order: Order) -> dict[int, int]:
    """Units of each order line already asked back: what requests still ask for, what
    arrived on received and closed ones; rejected requests count nothing."""
    counted: dict[int, int] = {}
    rows = ReturnLine.objects.filter(request__order=order).exclude(
        request__status=ReturnStatus.REJECTED
    )
    for line_id, status, quantity, received in rows.values_list(
        "order_line_id", "request__status", "quantity", "received_quantity"
    ):
        units = received if status in (ReturnStatus.RECEIVED, ReturnStatus.CLOSED) else quantity
        counted[line_id] = counted.get(line_id, 0) + (units or 0)
    return counted


def _delivered_on(order: Order) -> date:
    """The day the order was delivered (its last shipment's delivery)."""
    if order.status == OrderStatus.CANCELLED:
        raise Conflict(f"Order {order.number} was cancelled.", code="order_cancelled")
    if order.status != OrderStatus.DELIVERED:
        raise Conflict(
            f"Order {order.number} is {order.status}: only delivered goods can be returned.",
            code="order_not_delivered",
        )
    moment = order.shipments.aggregate(last=Max("delivered_at"))["last"]
    return timezone.localdate(moment or order.updated_at)


def _line_problems(
    lines: list[LineAsked], order_lines: Mapping[int, OrderLine], returned: Mapping[int, int]
) -> list[FieldError]:
    """Every problem of the lines at once: unknown, repeated, not positive, more than can be
    returned, an unknown reason, a note too long."""
    errors: list[FieldError] = []
    if not lines:
        errors.append(
            FieldError("lines", "return_lines_required", "Name at least one line to return")
        )
    seen: set[int] = set()
    for i, asked in enumerate(lines):
        at, line = f"lines[{i}]", order_lines.get(asked.line_number)
        if asked.reason not in ReturnReason.values:
            errors.append(FieldError(f"{at}.reason", "unknown_reason", "No such reason"))
        if len(asked.note) > MAX_NOTE:
            errors.append(FieldError(f"{at}.note", "too_long", f"At most {MAX_NOTE} characters"))
        if line is None:
            errors.append(FieldError(f"{at}.line_number", "unknown_line", "No such line"))
        elif asked.line_number in seen:
            errors.append(FieldError(f"{at}.line_number", "duplicate_line", "Line given twice"))
        elif asked.quantity < 1:
            errors.append(FieldError(f"{at}.quantity", "quantity_not_positive", "At least 1"))
        else:
            left = line.shipped_quantity - returned.get(line.pk, 0)
            if asked.quantity > left:
                errors.append(
                    FieldError(
                        f"{at}.quantity",
                        "exceeds_returnable_quantity",
                        f"Only {max(left, 0)} units of line {line.line_number} can be returned",
                        {"returnable": max(left, 0)},
                    )
                )
        seen.add(asked.line_number)
    return errors


def _asked(
    order: Order, lines: list[LineAsked], order_lines: Mapping[int, OrderLine]
) -> policy.Asked:
    """What the request asks, for the approval rule: categories, reasons, gross in base."""
    gross = sum(
        (
            order_lines[a.line_number].gross_amount
            * a.quantity
            / order_lines[a.line_number].quantity
            for a in lines
        ),
        Decimal(0),
    )
    categories = OrderLine.objects.filter(
        order=order, line_number__in=[a.line_number for a in lines]
    ).values_list("sku__product__category_id", flat=True)
    return policy.Asked(
        categories=frozenset(c for c in categories if c is not None),
        reasons=frozenset(a.reason for a in lines),
        amount_in_base=round_money(gross * order.fx_rate, order.seller.base_currency),
    )


@transaction.atomic
def request_return(
    *,
    tenant_id: int,
    order_id: int,
    lines: list[LineAsked],
    note: str = "",
    company_id: int | None = None,
    requested_by_id: int | None = None,
    photos: Sequence[Photo] = (),
    outcome: str = Outcome.CREDIT,
    replacements: Sequence[Replacement] | None = None,
) -> ReturnRequest:
    """Ask to return units of a delivered order's lines, with up to five `photos`; for an
    `outcome` of "exchange", replacement goods (`replacements`, by default the same SKUs and
    quantities: `services.exchanging`). `company_id` (a buyer's call): the order must be
    that company's, else 404. Refused with 409 `order_cancelled`, `order_not_delivered` or
    `return_window_closed`, 422 for bad lines, photos and replacements (every problem at
    once); nothing is written then. A straightforward request (`policy.review_reasons`) is
    approved at once, an exchange's order placed with it (if placing refuses, the request
    waits for a clerk: review reason `exchange_not_placed`). Records `return.requested`
    (with `return.photos_added`, `return.approved`, `return.exchange_placed`)."""
    checked, photo_errors = photo_problems(photos)  # before the lock: decoding takes time
    order = orders.locked_order(tenant_id, order_id)
    if company_id is not None and order.company_id != company_id:
        raise NotFound(f"No order {order_id}.")
    rules = _window_open(order)
    order_lines = {line.line_number: line for line in OrderLine.objects.filter(order=order)}
    errors = _line_problems(lines, order_lines, returned_units(order)) + photo_errors
    if len(note) > MAX_NOTE:
        errors.append(FieldError("note", "too_long", f"At most {MAX_NOTE} characters"))
    wanted, exchange_errors = _replacement(order, lines, order_lines, outcome, replacements)
    if errors or exchange_errors:
        raise ValidationFailed(
            "The return cannot be requested; see errors.", errors=errors + exchange_errors
        )
    reasons = policy.review_reasons(_asked(order, lines, order_lines), rules)
    request, written = _write(
        order, lines, order_lines, note, reasons, rules, requested_by_id, outcome
    )
    replacement_lines = write_replacements(request, wanted)
    stored = store_photos(request, checked, requested_by_id) if checked else []
    requested = return_event(
        request,
        order,
        "return.requested",
        lines=[
            {"line_number": a.line_number, "quantity": a.quantity, "reason": a.reason}
            for a in lines
        ],
        outcome=request.outcome,
        replacements=[{"sku": sku.code, "quantity": units} for sku, units in wanted],
        review_reasons=reasons,
    )
    decided = [] if reasons else _approve_at_once(request, order)
    requested.payload["review_reasons"] = request.review_reasons  # an exchange not placed
    stored_event = [photos_event(request, order, stored)] if stored else []
    events.record(requested, *stored_event, *decided)
    # The caller answers with the request as written, without reading it back.
    request._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "lines": _loaded(request.lines.all(), written),
        "replacements": _loaded(request.replacements.all(), replacement_lines),
        "photos": _loaded(request.photos.all(), stored),
        "credit_notes": _loaded(request.credit_notes.all(), []),
    }
    return request


def _loaded(rows: QuerySet[Any], known: Sequence[Any]) -> QuerySet[Any]:
    """The query of a request's related rows, holding the rows just written, as a prefetched
    relation does: iterating and counting it ask nothing of the database."""
    rows._result_cache = list(known)
    rows._prefetch_done = True  # type: ignore[attr-defined]
    return rows


def _window_open(order: Order) -> policy.Rules:
    """The seller's rules, once the order is known to be returnable today: 409
    `order_cancelled`, `order_not_delivered` or `return_window_closed` otherwise."""
    delivered_on = _delivered_on(order)
    rules, _ = rules_of(order.seller_id)
    if not policy.within_window(delivered_on, today(), rules):
        last = policy.last_day(delivered_on, rules)
        raise Conflict(
            f"Returns of order {order.number} were accepted until {last.isoformat()}.",
            code="return_window_closed",
        )
    return rules


def _replacement(
    order: Order,
    lines: list[LineAsked],
    order_lines: Mapping[int, OrderLine],
    outcome: str,
    replacements: Sequence[Replacement] | None,
) -> tuple[list[tuple[Sku, int]], list[FieldError]]:
    """The replacement goods an exchange asks for (the returned ones unless named), and
    every problem: an unknown outcome, replacements without an exchange, bad replacements."""
    if outcome not in Outcome.values:
        return [], [FieldError("outcome", "unknown_outcome", "credit or exchange")]
    if outcome != Outcome.EXCHANGE:
        if replacements:
            return [], [
                FieldError("replacements", "replacements_need_exchange", "Ask for an exchange")
            ]
        return [], []
    if replacements is None:
        returned = [
            (order_lines[a.line_number], a.quantity)
            for a in lines
            if a.line_number in order_lines and a.quantity > 0
        ]
        replacements = same_goods(returned)
    return replacement_problems(order.tenant_id, order.seller_id, replacements)


def _approve_at_once(request: ReturnRequest, order: Order) -> list[Any]:
    """Approve a straightforward request by itself, and place an exchange's order with it. If
    placing refuses (stock, credit), only the approval is undone: the request waits for a
    clerk, who will see why (`exchange_not_placed`)."""
    if request.outcome != Outcome.EXCHANGE:
        return [approve(request, order, automatically=True)]
    try:
        with transaction.atomic():  # a savepoint: a refusal undoes the number and the order
            approved = approve(request, order, automatically=True)
            return [approved, place_exchange(request, order)]
    except DomainError:
        request.refresh_from_db()
        request.review_reasons = [*request.review_reasons, EXCHANGE_NOT_PLACED]
        request.save(update_fields=["review_reasons"])
        return []


def _write(
    order: Order,
    lines: list[LineAsked],
    order_lines: Mapping[int, OrderLine],
    note: str,
    reasons: list[str],
    rules: policy.Rules,
    requested_by_id: int | None,
    outcome: str,
) -> tuple[ReturnRequest, list[ReturnLine]]:
    request = ReturnRequest.objects.create(
        tenant_id=order.tenant_id,
        seller_id=order.seller_id,
        company_id=order.company_id,
        order=order,
        requested_by_id=requested_by_id,
        note=note.strip(),
        outcome=outcome,
        review_reasons=reasons,
        restocking_fee_percent=rules.restocking_fee_percent,
        fee_reasons=sorted(rules.fee_reasons),
        currency=order.currency,
        requested_at=clock.now(),
    )
    written = ReturnLine.objects.bulk_create(
        [
            ReturnLine(
                tenant_id=order.tenant_id,
                request=request,
                line_number=number,
                order_line=order_lines[a.line_number],
                quantity=a.quantity,
                reason=a.reason,
                note=a.note.strip(),
            )
            for number, a in enumerate(lines, 1)
        ]
    )
    return request, written
