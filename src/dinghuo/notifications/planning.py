"""Which mails a batch of recorded events asks for: to whom, of which kind, saying what.

- `order.placed`: the buyer who placed it (the company's admins when nobody did: an order
  from an integration or entered by staff), and the seller's staff who asked for it.
- `order.approval_requested`: the approvers of the level now waiting: the company's
  approvers and admins, or the seller's staff.
- `order.approved` (only the last level's: before it the order still waits), `order.rejected`
  with the approver's comment, `order.confirmed`, `order.shipped` with carrier and tracking
  link, `order.delivered`: the buyer. An order confirmed at once when placed gets no second
  mail: its "placed" mail already says so.
- `quote.answered`, `quote.rejected` (with the reason): the buyer who asked for the quote.
- `quote.countered` (with the buyer's note): the seller's staff who may see orders.
Preferences are applied afterwards (services), so this says who is concerned, not who wants it.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse

from dinghuo.customers.models import CompanyUser
from dinghuo.integrations.models import Event
from dinghuo.notifications import queries, tracking
from dinghuo.notifications.composing import absolute
from dinghuo.notifications.kinds import EVENT_KINDS, ORDER_EVENT_KINDS, Audience, Kind
from dinghuo.notifications.queries import OrderFacts, Person


@dataclass(frozen=True)
class Planned:
    kind: Kind
    event_id: int
    person: Person
    audience: Audience
    context: dict[str, Any]


@dataclass
class _Facts:
    orders: dict[int, OrderFacts]
    quotes: dict[int, queries.QuoteFacts]
    people: dict[int, dict[str, list[Person]]]
    staff: list[Person]


def plan(tenant_id: int, found: list[Event]) -> list[Planned]:
    """The mails these events ask for (a fixed number of queries for the batch)."""
    wanted = [e for e in found if e.type in EVENT_KINDS and not _said_already(e, found)]
    if not wanted:
        return []
    facts = _facts(tenant_id, wanted)
    planned: list[Planned] = []
    for event in wanted:
        if event.type in ORDER_EVENT_KINDS:
            order = facts.orders.get(event.aggregate_id)
            if order is not None:
                planned.extend(_order_mails(event, order, facts))
        else:
            planned.extend(_quote_mails(event, facts))
    return planned


def _said_already(event: Event, batch: list[Event]) -> bool:
    """An automatic confirmation recorded with its order's placing (its "placed" mail says
    it), and an approval after which another level still waits."""
    if event.type == "order.approved":
        return bool(event.payload.get("status") == "awaiting_approval")
    automatic = event.payload.get("automatic") and not event.payload.get("paid")
    if event.type != "order.confirmed" or not automatic:
        return False
    return any(e.type == "order.placed" and e.aggregate_id == event.aggregate_id for e in batch)


def _facts(tenant_id: int, wanted: list[Event]) -> _Facts:
    order_ids = {e.aggregate_id for e in wanted if e.aggregate_type == "order"}
    quote_ids = {e.aggregate_id for e in wanted if e.aggregate_type == "quote"}
    orders = queries.orders(tenant_id, order_ids) if order_ids else {}
    quotes = queries.quotes(tenant_id, quote_ids) if quote_ids else {}
    companies = {o.company_id for o in orders.values()} | {q.company_id for q in quotes.values()}
    people = queries.company_people(tenant_id, companies) if companies else {}
    needs_staff = any(
        e.type in ("order.placed", "quote.countered")
        or (e.type == "order.approval_requested" and "seller" in e.payload.get("approvers", []))
        for e in wanted
    )
    return _Facts(orders, quotes, people, queries.staff(tenant_id) if needs_staff else [])


def _buyers(company_id: int, placed_by: Person | None, facts: _Facts) -> list[Person]:
    if placed_by is not None:
        return [placed_by]
    return facts.people.get(company_id, {}).get(CompanyUser.Role.ADMIN, [])


def _order_mails(event: Event, order: OrderFacts, facts: _Facts) -> list[Planned]:
    kind = ORDER_EVENT_KINDS[event.type]
    base = {
        "number": order.number,
        "company": order.company,
        "total": order.total,
        "currency": order.currency,
        "link": absolute(reverse("portal:order", args=[order.id])),
    }
    staff_view = {
        **base,
        "for_staff": True,
        "link": absolute(reverse("backoffice:order", args=[order.id])),
    }
    buyers = _buyers(order.company_id, order.placed_by, facts)
    if kind == Kind.APPROVAL_NEEDED:
        return _approvers(event, order, facts, base, staff_view)
    planned = [
        Planned(kind, event.pk, p, Audience.BUYER, {**base, **_extra(event)}) for p in buyers
    ]
    if kind == Kind.ORDER_PLACED:
        planned += [Planned(kind, event.pk, p, Audience.STAFF, staff_view) for p in facts.staff]
    return planned


def _approvers(
    event: Event,
    order: OrderFacts,
    facts: _Facts,
    base: dict[str, Any],
    staff_view: dict[str, Any],
) -> list[Planned]:
    approvers = event.payload.get("approvers", [])
    planned = []
    if "company" in approvers:
        roles = facts.people.get(order.company_id, {})
        inbox = {**base, "link": absolute(reverse("portal:approvals"))}
        for role in queries.BUYER_APPROVER_ROLES:
            planned += [
                Planned(Kind.APPROVAL_NEEDED, event.pk, p, Audience.BUYER, inbox)
                for p in roles.get(role, [])
            ]
    if "seller" in approvers:
        planned += [
            Planned(Kind.APPROVAL_NEEDED, event.pk, p, Audience.STAFF, staff_view)
            for p in facts.staff
        ]
    return planned


def _extra(event: Event) -> dict[str, Any]:
    """What one kind of order mail adds: the approver's comment, the parcel."""
    payload = event.payload
    if event.type in ("order.approved", "order.rejected"):
        return {"comment": payload.get("comment", "")}
    if event.type == "order.shipped":
        carrier, number = payload.get("carrier", ""), payload.get("tracking_number", "")
        return {
            "carrier": carrier,
            "tracking_number": number,
            "tracking_link": tracking.tracking_link(carrier, number),
        }
    return {}


def _quote_mails(event: Event, facts: _Facts) -> list[Planned]:
    quote = facts.quotes.get(event.aggregate_id)
    if quote is None:
        return []
    if event.type == "quote.countered":
        staff_view = {
            "number": quote.number,
            "company": quote.company,
            "note": event.payload.get("note", ""),
            "for_staff": True,
            "link": absolute(reverse("backoffice:quote", args=[quote.id])),
        }
        return [
            Planned(Kind.QUOTE_COUNTERED, event.pk, p, Audience.STAFF, staff_view)
            for p in facts.staff
        ]
    context = {
        "number": quote.number,
        "rejected": event.type == "quote.rejected",
        "reason": event.payload.get("reason", ""),
        "expires_at": _instant(event.payload.get("expires_at")),
        "link": absolute(reverse("portal:quote", args=[quote.id])),
    }
    return [
        Planned(Kind.QUOTE_ANSWERED, event.pk, p, Audience.BUYER, context)
        for p in _buyers(quote.company_id, quote.requested_by, facts)
    ]


def _instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None
