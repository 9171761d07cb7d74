"""Webhook subscriptions: made, changed, paused and resumed, and deliveries replayed.

Each service is one transaction and records an event (`webhook.*`; never the secret).
Delivering is the worker's (delivery.py).
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from dinghuo.audit import services as audit
from dinghuo.core import clock
from dinghuo.core.db import insert_rows
from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.core.queries import tenant_row
from dinghuo.core.writes import UNSET, Unset, locked_tenant_row
from dinghuo.integrations import destinations, events, queries, signing
from dinghuo.integrations.cursors import Place
from dinghuo.integrations.event_types import as_filter as of_types
from dinghuo.integrations.models import DeliveryState, Event, WebhookDelivery, WebhookSubscription
from dinghuo.integrations.queries import MISSING

EVENT_TYPE = re.compile(r"^(\*|[a-z][a-z_]*(\.[a-z][a-z_]*)*(\.\*)?)$")
MAX_EVENT_TYPES = 100
# A replay bigger than this is refused (narrow it): it would hold a transaction for long.
MAX_REPLAY = 50_000
# After a rotation the old secret still signs (a second `v1=`) so receivers can switch over.
OLD_SECRET_HONOURED = timedelta(hours=24)


# (event id, its txid, aggregate type, aggregate id): what a delivery copies from its event.
EventPlace = tuple[int, int, str, int]


@dataclass(frozen=True)
class NewSecret:
    """A subscription and its signing secret, shown once to whoever made or rotated it."""

    subscription: WebhookSubscription
    secret: str


def create_subscription(
    *,
    tenant_id: int,
    url: str,
    event_types: list[str],
    description: str = "",
    contact_email: str = "",
    platform_hosts: list[str],
    start_after: Place | None = None,
) -> NewSecret:
    """Subscribe `url` to the events of `event_types` (empty: all) written from now on, or,
    with `start_after` (a feed place), to those after it too: a backfill."""
    destinations.check_url(url, platform_hosts)
    types = _checked_types(event_types)
    now = clock.now()
    with transaction.atomic():
        txid, event_id = start_after or queries.feed_head(tenant_id)
        subscription = WebhookSubscription.objects.create(
            tenant_id=tenant_id,
            url=url,
            description=description,
            event_types=types,
            secret=signing.new_secret(),
            contact_email=contact_email,
            position_txid=txid,
            position_event_id=event_id,
            created_at=now,
            updated_at=now,
        )
        audit.created(subscription)
        _record(subscription, "webhook.created")
    return NewSecret(subscription, subscription.secret)


def update_subscription(
    *,
    tenant_id: int,
    subscription_id: int,
    platform_hosts: list[str],
    url: str | Unset = UNSET,
    event_types: list[str] | Unset = UNSET,
    description: str | Unset = UNSET,
    contact_email: str | Unset = UNSET,
    is_active: bool | Unset = UNSET,
) -> WebhookSubscription:
    """Change what is given. Switched back on, it goes on from the events written from then:
    what happened while it was off is not sent (replay from a cursor sends it)."""
    if not isinstance(url, Unset):
        destinations.check_url(url, platform_hosts)
    if not isinstance(event_types, Unset):
        event_types = _checked_types(event_types)
    with transaction.atomic():
        subscription = _locked(tenant_id, subscription_id)
        before = audit.snapshot(subscription)
        if is_active is True and not subscription.is_active:
            subscription.position_txid, subscription.position_event_id = queries.feed_head(
                tenant_id
            )
        for field, value in (
            ("url", url),
            ("event_types", event_types),
            ("description", description),
            ("contact_email", contact_email),
            ("is_active", is_active),
        ):
            if not isinstance(value, Unset):
                setattr(subscription, field, value)
        subscription.updated_at = clock.now()
        subscription.save()
        audit.changed(subscription, before)
        _record(subscription, "webhook.updated")
    return subscription


def delete_subscription(*, tenant_id: int, subscription_id: int) -> None:
    """Stop sending to it and forget it, with its delivery log."""
    with transaction.atomic():
        subscription = _locked(tenant_id, subscription_id)
        audit.deleted(subscription)
        _record(subscription, "webhook.deleted")
        subscription.delete()


def rotate_secret(*, tenant_id: int, subscription_id: int) -> NewSecret:
    """A new signing secret; the old one still signs beside it for 24 hours."""
    with transaction.atomic():
        subscription = _locked(tenant_id, subscription_id)
        before = audit.snapshot(subscription)
        now = clock.now()
        subscription.previous_secret = subscription.secret
        subscription.previous_secret_expires_at = now + OLD_SECRET_HONOURED
        subscription.secret = signing.new_secret()
        subscription.updated_at = now
        subscription.save()
        audit.changed(subscription, before)
        _record(subscription, "webhook.secret_rotated")
    return NewSecret(subscription, subscription.secret)


def resume_subscription(*, tenant_id: int, subscription_id: int) -> WebhookSubscription:
    """Send again after a pause: every delivery not yet made, those given up included, is
    tried now and gets a new retry period."""
    with transaction.atomic():
        subscription = _locked(tenant_id, subscription_id)
        if subscription.paused_at is None:
            raise Conflict("This subscription is not paused.", code="webhook_not_paused")
        before = audit.snapshot(subscription)
        now = clock.now()
        WebhookDelivery.objects.filter(
            subscription=subscription, state__in=[DeliveryState.PENDING, DeliveryState.FAILED]
        ).update(
            state=DeliveryState.PENDING,
            next_attempt_at=now,
            first_attempt_at=None,
            leased_until=None,
        )
        subscription.paused_at = None
        subscription.pause_reason = ""
        subscription.updated_at = now
        subscription.save()
        audit.changed(subscription, before)
        _record(subscription, "webhook.resumed")
    return subscription


def pause_subscription(*, tenant_id: int, subscription_id: int, reason: str) -> bool:
    """Stop sending to a receiver that keeps failing; False if it was paused already."""
    with transaction.atomic():
        subscription = _locked(tenant_id, subscription_id)
        if subscription.paused_at is not None:
            return False
        before = audit.snapshot(subscription)
        subscription.paused_at = clock.now()
        subscription.pause_reason = reason
        subscription.updated_at = subscription.paused_at
        subscription.save()
        audit.changed(subscription, before)
        _record(subscription, "webhook.paused")
    return True


def replay_delivery(*, tenant_id: int, delivery_id: int) -> WebhookDelivery:
    """Send one delivery's event again, as a new delivery; 409 if it is still being tried."""
    with transaction.atomic():
        delivery = tenant_row(
            WebhookDelivery.objects.all(), tenant_id, delivery_id, "No such webhook delivery."
        )
        _locked(tenant_id, delivery.subscription_id)
        if WebhookDelivery.objects.filter(
            subscription_id=delivery.subscription_id,
            event_id=delivery.event_id,
            state=DeliveryState.PENDING,
        ).exists():
            raise Conflict(
                "This event is still waiting to be delivered; it goes out without a replay.",
                code="delivery_pending",
            )
        # The delivery carries what a new one copies from the event: no need to read it.
        place = (delivery.event_id, delivery.event_txid, delivery.aggregate_type)
        add_deliveries(
            tenant_id, delivery.subscription_id, [(*place, delivery.aggregate_id)], replay=True
        )
        return WebhookDelivery.objects.get(
            subscription_id=delivery.subscription_id,
            event_id=delivery.event_id,
            state=DeliveryState.PENDING,
        )


def replay_events(
    *,
    tenant_id: int,
    subscription_id: int,
    after: Place | None = None,
    occurred_from: datetime | None = None,
    occurred_until: datetime | None = None,
) -> int:
    """Send again the subscription's events after a cursor, or those that occurred in a time
    range (from inclusive, until exclusive), up to where the worker has come; answers how
    many. Events still waiting to go out are not doubled."""
    if after is None and occurred_from is None:
        raise ValidationFailed(
            "Say where the replay starts: a cursor (`after`) or a time (`occurred_from`).",
            code="replay_needs_start",
            errors=[FieldError("after", "required", "Give after or occurred_from")],
        )
    if occurred_from and occurred_until and occurred_until <= occurred_from:
        raise ValidationFailed(
            "The range ends before it starts.",
            code="replay_range_reversed",
            errors=[
                FieldError("occurred_until", "replay_range_reversed", "Must be after the start")
            ],
        )
    with transaction.atomic():
        subscription = _locked(tenant_id, subscription_id)
        found = _replayable(subscription, after, occurred_from, occurred_until)
        # Where each event stands, not the events themselves: no payload is read.
        places = found.values_list("id", "txid", "aggregate_type", "aggregate_id")
        rows: list[EventPlace] = list(places[: MAX_REPLAY + 1])
        if len(rows) > MAX_REPLAY:
            raise ValidationFailed(
                f"More than {MAX_REPLAY} events match; replay a narrower range.",
                code="replay_too_large",
                errors=[FieldError("occurred_until", "replay_too_large", f"At most {MAX_REPLAY}")],
            )
        add_deliveries(tenant_id, subscription.pk, rows, replay=True)
        return len(rows)


def _replayable(
    subscription: WebhookSubscription,
    after: Place | None,
    occurred_from: datetime | None,
    occurred_until: datetime | None,
) -> Any:
    position = Q(txid__lt=subscription.position_txid) | Q(
        txid=subscription.position_txid, id__lte=subscription.position_event_id
    )
    found = Event.objects.filter(position, tenant_id=subscription.tenant_id)
    if after is not None:
        found = found.filter(Q(txid__gt=after[0]) | Q(txid=after[0], id__gt=after[1]))
    if occurred_from is not None:
        found = found.filter(occurred_at__gte=occurred_from)
    if occurred_until is not None:
        found = found.filter(occurred_at__lt=occurred_until)
    if subscription.event_types:
        found = found.filter(of_types(subscription.event_types))
    waiting = WebhookDelivery.objects.filter(
        subscription=subscription, event=OuterRef("pk"), state=DeliveryState.PENDING
    )
    return found.exclude(Exists(waiting)).order_by("txid", "id")


def add_deliveries(
    tenant_id: int, subscription_id: int, found: list[EventPlace], *, replay: bool = False
) -> None:
    """Write one pending delivery per event, due now, in the caller's transaction (the
    worker's `make_deliveries` and the replays)."""
    now = clock.now()
    columns = ["tenant_id", "subscription_id", "event_id", "event_txid", "aggregate_type"]
    columns += ["aggregate_id", "state", "attempts", "next_attempt_at", "is_replay", "created_at"]
    pending = DeliveryState.PENDING.value
    insert_rows(
        WebhookDelivery,
        columns,
        [
            (tenant_id, subscription_id, event_id, txid, kind, key, pending, 0, now, replay, now)
            for event_id, txid, kind, key in found
        ],
    )


def _checked_types(event_types: list[str]) -> list[str]:
    errors = [
        FieldError(f"event_types[{i}]", "invalid", "Write a type like order.placed or order.*")
        for i, kind in enumerate(event_types)
        if not EVENT_TYPE.match(kind)
    ]
    if len(event_types) > MAX_EVENT_TYPES:
        errors.append(
            FieldError("event_types", "too_many_event_types", f"At most {MAX_EVENT_TYPES}")
        )
    if errors:
        raise ValidationFailed("Some event types are not written as types.", errors=errors)
    return [] if "*" in event_types else sorted(set(event_types))


def _locked(tenant_id: int, subscription_id: int) -> WebhookSubscription:
    return locked_tenant_row(WebhookSubscription.objects.all(), tenant_id, subscription_id, MISSING)


def _record(subscription: WebhookSubscription, type: str) -> None:
    events.record(
        events.new(subscription.tenant_id, type, "webhook", subscription.pk, _summary(subscription))
    )


def _summary(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "url": subscription.url,
        "event_types": subscription.event_types,
        "is_active": subscription.is_active,
        "paused": subscription.paused_at is not None,
        "pause_reason": subscription.pause_reason,
    }
