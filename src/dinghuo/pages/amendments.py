"""Changing an order after it was placed, as both sides' pages say it: whether the reader
may change it now (and why not, in their words), what an amendment did (its version, what
its status now means, the new total), and each amendment on the order's timeline in one
sentence of the reader's language ("Version 2 by Ann Lee: A-1 10 → 12; added B-2 × 6;
removed C-3; delivery address changed; your reference PO-77"). The form is `amend_form`.

Who may amend when is `orders.amendment_rules`, asked here with the seller's window for
buyers, so that a page can offer the form or say why not.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext

from dinghuo.core import clock, refusals
from dinghuo.core.templatetags.dinghuo import date_, money, number
from dinghuo.customers import queries as customers
from dinghuo.customers.models import Location
from dinghuo.orders import amendment_rules as rules
from dinghuo.orders.models import Order, OrderPolicy
from dinghuo.orders.states import OrderStatus
from dinghuo.pages.labels import STATUS_LABELS

# Refusals that mean the order can no longer be changed by this reader: the page then shows
# why instead of the form.
CLOSED_CODES = frozenset(
    {rules.NOT_AMENDABLE, rules.WINDOW_CLOSED, rules.PICKING_STARTED, rules.BUYERS_MAY_NOT}
)


# --- may the reader change the order now ---------------------------------------------------


def buyer_window_hours(seller_id: int) -> int:
    """How long after placing the seller lets buyers change an order (one query)."""
    hours = (
        OrderPolicy.objects.filter(seller_id=seller_id)
        .values_list("buyer_amend_hours", flat=True)
        .first()
    )
    return OrderPolicy().buyer_amend_hours if hours is None else int(hours)


def refusal(order: Order, *, by_buyer: bool, window_hours: int = 0) -> str:
    """Why the order cannot be changed now by a buyer or by staff (`amendment_rules`' code),
    "" when it can. `order.lines` are read (prefetched by `orders.queries.order_detail`)."""
    return rules.refusal(
        rules.AmendingOrder(
            order.status,
            order.placed_at,
            order.picking_started_at is not None,
            any(line.shipped_quantity for line in order.lines.all()),
        ),
        by_buyer=by_buyer,
        window_hours=window_hours,
        now=clock.now(),
    )


def closed_reason(
    order: Order, *, by_buyer: bool, window_hours: int, audience: refusals.Audience
) -> str:
    """Why the reader cannot change the order now, in their words; "" when they can."""
    why = refusal(order, by_buyer=by_buyer, window_hours=window_hours)
    return refusals.code_message(why, audience=audience) if why else ""


def buyer_deadline(order: Order, window_hours: int) -> datetime | None:
    """The last moment a buyer may change the order (if the warehouse has not started)."""
    return order.placed_at + timedelta(hours=window_hours) if window_hours else None


def ship_to_choices(order: Order) -> list[tuple[int, str]]:
    """The company's active delivery addresses, and the order's own even if it is no longer
    active (so that keeping it is not a change)."""
    found = list(
        customers.locations(
            order.tenant_id, order.company_id, kind=Location.Kind.SHIP_TO, is_active=True
        ).order_by("name", "id")
    )
    if order.ship_to_id not in {location.pk for location in found}:
        found.insert(0, order.ship_to)
    return [(a.pk, f"{a.name} — {a.line1}, {a.city}") for a in found]


# --- what happened, in words ---------------------------------------------------------------


def done_message(answer: dict[str, Any], audience: refusals.Audience) -> str:
    """What the amendment did, in words: its version, what its status now means, the new
    total ("Order changed (version 2). It waits for approval again. The total is now …")."""
    said = [gettext("Order changed (version %(version)s).") % {"version": answer["version"]}]
    before, after = answer.get("status_before"), answer.get("status_after")
    if after == OrderStatus.AWAITING_APPROVAL:
        said.append(
            gettext("It still waits for approval.")
            if before == after
            else gettext("It waits for approval again.")
        )
    elif after == OrderStatus.CREDIT_HOLD and before != after:
        said.append(
            gettext("It is on credit hold until the seller releases it.")
            if audience == refusals.BUYER
            else gettext("It is on credit hold until someone releases it.")
        )
    elif after != before:
        label = STATUS_LABELS.get(str(after), after)
        said.append(gettext("Its status is now: %(status)s.") % {"status": label})
    total = _decimal(answer.get("total"))
    if total is not None:
        amount = money(total, str(answer.get("currency") or ""))
        said.append(gettext("The total is now %(total)s.") % {"total": amount})
    return " ".join(said)


# --- on the timeline -------------------------------------------------------------------------


def timeline_note(payload: dict[str, Any], audience: refusals.Audience) -> str:
    """An `order.amended` event in one sentence for the reader ("Version 2 by Ann Lee: A-1
    10 → 12; added B-2 × 6; removed C-3; delivery address changed; your reference PO-77").
    A buyer reads the seller's staff as "the seller"."""
    values = {"version": payload.get("version", ""), "name": payload.get("by") or ""}
    if payload.get("by_buyer"):
        head = (
            gettext("Version %(version)s by %(name)s")
            if audience == refusals.BUYER
            else gettext("Version %(version)s by %(name)s of the company")
        )
    elif audience == refusals.BUYER:
        head = gettext("Version %(version)s by the seller")
    else:
        head = gettext("Version %(version)s by %(name)s")
    changes = payload.get("changes") or {}
    parts = [
        *_line_parts(changes.get("lines") or []),
        *_field_parts(changes.get("fields") or {}, audience),
    ]
    if changes.get("repriced"):
        skus = ", ".join(str(sku) for sku in changes["repriced"])
        parts.append(gettext("today's prices for %(skus)s") % {"skus": skus})
    parts += _total_part(payload)
    if not parts:
        return head % values
    return gettext("%(who)s: %(what)s") % {
        "who": head % values,
        "what": gettext("; ").join(parts),
    }


def _line_parts(lines: list[dict[str, Any]]) -> list[str]:
    parts = []
    for line in lines:
        sku, before, after = line.get("sku", ""), line.get("before") or 0, line.get("after") or 0
        if not before:
            said = gettext("added %(sku)s × %(quantity)s")
            parts.append(said % {"sku": sku, "quantity": number(after)})
        elif not after:
            parts.append(gettext("removed %(sku)s") % {"sku": sku})
        else:
            said = gettext("%(sku)s %(before)s → %(after)s")
            parts.append(said % {"sku": sku, "before": number(before), "after": number(after)})
    return parts


def _field_parts(fields: dict[str, Any], audience: refusals.Audience) -> list[str]:
    parts = []
    if "ship_to_id" in fields:
        parts.append(gettext("delivery address changed"))
    if "requested_delivery_date" in fields:
        day = _day(fields["requested_delivery_date"])
        parts.append(
            gettext("delivery date %(date)s") % {"date": date_(day)}
            if day
            else gettext("no particular delivery date")
        )
    if "purchase_order_number" in fields:
        parts.append(_reference_part(str(_after(fields["purchase_order_number"]) or ""), audience))
    return parts


def _reference_part(reference: str, audience: refusals.Audience) -> str:
    """The PO number: the buyer's "your reference", the staff's "PO number"."""
    buyer = audience == refusals.BUYER
    if not reference:
        return gettext("your reference removed") if buyer else gettext("PO number removed")
    said = gettext("your reference %(reference)s") if buyer else gettext("PO number %(reference)s")
    return said % {"reference": reference}


def _total_part(payload: dict[str, Any]) -> list[str]:
    before, after = _decimal(payload.get("total_before")), _decimal(payload.get("total"))
    currency = str(payload.get("currency") or "")
    if before is None or after is None or before == after or not currency:
        return []
    said = gettext("total %(before)s → %(after)s")
    return [said % {"before": money(before, currency), "after": money(after, currency)}]


def _after(value: Any) -> Any:
    """A field's value after the change (changes keep [before, after])."""
    return value[-1] if isinstance(value, list | tuple) and value else None


def _day(value: Any) -> date | None:
    after = _after(value)
    try:
        return date.fromisoformat(after) if isinstance(after, str) else None
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None
