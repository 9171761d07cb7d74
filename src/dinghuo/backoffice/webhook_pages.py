"""What the webhook pages show of a subscription and its deliveries: its state in words, each
delivery's event and object (an order by its number, linked), and each attempt's answer or
why there was none. Reads only; the names of a page of objects take one query per kind."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.backoffice.webhook_words import (
    STATE_BADGES,
    STATE_WORDS,
    event_words,
    no_answer_words,
    object_words,
    pause_words,
)
from dinghuo.billing import queries as billing
from dinghuo.catalog import queries as catalog
from dinghuo.core import clock
from dinghuo.customers import queries as customers
from dinghuo.integrations.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from dinghuo.orders import queries as orders
from dinghuo.orders.models import order_number
from dinghuo.returns import queries as returns

CURSOR_REFUSED = _("This is not a cursor of the event feed (one looks like 1873342.48211).")

# The objects a delivery names with a link: how to read their names and where they live
# (an order's number is its id written out: the query only checks the order is there).
_LINKED: dict[str, tuple[Any, str, str, str]] = {
    "order": (orders.orders, "pk", "backoffice:order", "order_id"),
    "return": (returns.returns, "number", "backoffice:return", "return_id"),
    "invoice": (billing.invoices, "number", "backoffice:invoice", "invoice_id"),
    "company": (customers.companies, "name", "backoffice:company", "company_id"),
    "sku": (catalog.skus, "code", "backoffice:stock-sku", "sku_id"),
}


def state_of(subscription: WebhookSubscription) -> dict[str, Any]:
    """Active, paused (since when, why) or off, with the badge's class."""
    if not subscription.is_active:
        return {"key": "off", "label": gettext("Switched off"), "badge": ""}
    if subscription.paused_at is not None:
        return {
            "key": "paused",
            "label": gettext("Paused"),
            "badge": "badge--bad",
            "since": subscription.paused_at,
            "reason": pause_words(subscription.pause_reason),
        }
    return {"key": "active", "label": gettext("Active"), "badge": "badge--ok"}


def _names(tenant_id: int, found: list[WebhookDelivery]) -> dict[tuple[str, int], str]:
    """The number or name of each linked object of a page of deliveries (one query a kind)."""
    wanted: dict[str, set[int]] = {}
    for one in found:
        if one.aggregate_type in _LINKED:
            wanted.setdefault(one.aggregate_type, set()).add(one.aggregate_id)
    names: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        rows, field, _view, _param = _LINKED[kind]
        for pk, name in rows(tenant_id).filter(pk__in=ids).values_list("pk", field).order_by():
            names[(kind, pk)] = order_number(pk) if kind == "order" else str(name)
    return names


def _link(kind: str, pk: int, names: dict[tuple[str, int], str]) -> str | None:
    if (kind, pk) not in names:
        return None  # not linked, or gone since
    _rows, _field, view, param = _LINKED[kind]
    return reverse(view, kwargs={param: pk})


def _last_answer(one: WebhookDelivery) -> str:
    if one.state == DeliveryState.DELIVERED:
        return gettext("Accepted (status %(status)s)") % {"status": one.last_status_code}
    if not one.attempts:
        return gettext("Not tried yet")
    return no_answer_words(one.last_error, one.last_status_code)


def log_rows(tenant_id: int, found: list[WebhookDelivery]) -> list[dict[str, Any]]:
    """A page of the delivery log as people read it."""
    names = _names(tenant_id, found)
    rows = []
    for one in found:
        kind, pk = one.aggregate_type, one.aggregate_id
        rows.append(
            {
                "delivery": one,
                "event": event_words(one.event_type, kind),  # type: ignore[attr-defined]
                "event_type": one.event_type,  # type: ignore[attr-defined]
                "object": object_words(kind),
                "object_name": names.get((kind, pk), ""),
                "object_link": _link(kind, pk, names),
                "state": STATE_WORDS.get(one.state, one.state),
                "badge": STATE_BADGES.get(one.state, ""),
                "last_answer": _last_answer(one),
                "waiting": one.state == DeliveryState.PENDING,
                "next_try": next_try(one) if one.attempts else None,
            }
        )
    return rows


def attempt_rows(attempts: Iterable[WebhookAttempt]) -> list[dict[str, Any]]:
    """Each attempt: when, the receiver's status, how long, its answer or why there was none."""
    return [
        {
            "number": a.number,
            "at": a.attempted_at,
            "status": a.status_code,
            "ok": a.status_code is not None and 200 <= a.status_code < 300,
            "latency_ms": a.latency_ms,
            "excerpt": a.response_excerpt,
            "why": "" if a.status_code is not None else no_answer_words(a.error),
        }
        for a in attempts
    ]


def old_secret_until(subscription: WebhookSubscription) -> datetime | None:
    """Until when the secret replaced last still signs beside the new one (None: not now)."""
    until = subscription.previous_secret_expires_at
    return until if until is not None and until > clock.now() else None


def next_try(one: WebhookDelivery) -> datetime | None:
    """When a waiting delivery is tried next (None once delivered or given up)."""
    return one.next_attempt_at if one.state == DeliveryState.PENDING else None
