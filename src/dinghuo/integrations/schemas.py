"""What the webhook routes take and answer."""

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints, TypeAdapter

from dinghuo.api.schemas import InSchema, Instant, PatchIn, ShortText
from dinghuo.integrations import cursors
from dinghuo.integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

WebhookUrl = Annotated[
    str, StringConstraints(min_length=8, max_length=2000, pattern=r"^https?://[^ \t\r\n/?#]")
]
EventType = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=64, pattern=r"^(\*|[a-z][a-z_]*(\.[a-z][a-z_]*)*(\.\*)?)$"
    ),
]
EventTypes = Annotated[
    list[EventType],
    Field(max_length=100, description="`order.placed`, a family `order.*`; empty or `*`: all"),
]
# ASCII whitespace spelled out: `\s` differs between Python and the document's ECMA regexes.
ContactEmail = Annotated[
    str, StringConstraints(max_length=254, pattern=r"^$|^[^@ \t\r\n]+@[^@ \t\r\n]+\.[^@ \t\r\n]+$")
]
FeedCursor = Annotated[str, StringConstraints(pattern=cursors.PATTERN, max_length=40)]


class SubscriptionIn(InSchema):
    url: WebhookUrl = Field(description="https:// address that receives the events")
    event_types: EventTypes = []
    description: ShortText = ""
    contact_email: ContactEmail = Field("", description="Told when deliveries keep failing")
    start_after: FeedCursor | None = Field(
        None, description='Also send the events after this feed cursor ("0": all); else from now'
    )


class SubscriptionPatch(PatchIn):
    url: WebhookUrl | None = None
    event_types: EventTypes | None = None
    description: ShortText | None = None
    contact_email: ContactEmail | None = None
    is_active: bool | None = Field(None, description="Off: nothing is sent or kept for it")


class SubscriptionOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    contact_email: str
    is_active: bool
    paused: bool = Field(description="Sending stopped after deliveries failed for 3 days")
    paused_at: datetime | None
    pause_reason: str
    position: str = Field(description="Feed cursor: events after it are not yet deliveries")
    waiting: int = Field(description="Deliveries not yet made (pending)")
    failed: int = Field(description="Deliveries given up")
    created_at: datetime
    updated_at: datetime


class SubscriptionWithSecretOut(SubscriptionOut):
    secret: str = Field(description="Signs every delivery; shown only now (docs: webhooks)")


class SubscriptionPageOut(Schema):
    items: list[SubscriptionOut]
    next_cursor: str | None


class AttemptOut(Schema):
    number: int
    attempted_at: datetime
    status_code: int | None = Field(description="The receiver's HTTP status; null: no answer")
    latency_ms: int
    response_excerpt: str = Field(description="The start of the receiver's answer")
    error: str = Field(description="Why there was no answer (timed out, could not connect…)")


class DeliveryOut(Schema):
    id: int
    event_id: int
    event_type: str
    aggregate_type: str
    aggregate_id: int
    state: str = Field(description="pending, delivered or failed (given up)")
    attempts: int
    next_attempt_at: datetime | None = Field(description="When it is tried next (pending)")
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str
    is_replay: bool
    created_at: datetime


class DeliveryDetailOut(DeliveryOut):
    log: list[AttemptOut]


class DeliveryPageOut(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


class ReplayIn(InSchema):
    after: FeedCursor | None = Field(None, description="Events after this feed cursor…")
    occurred_from: Instant | None = Field(None, description="…or from this moment (inclusive)")
    occurred_until: Instant | None = Field(None, description="…until this one (exclusive)")


class ReplayOut(Schema):
    deliveries: int = Field(description="How many deliveries the replay made")


def instant(moment: datetime | None) -> str | None:
    """A moment as JSON text, written as the other answers write it (UTC, "Z")."""
    return _INSTANT.dump_python(moment, mode="json") if moment is not None else None


_INSTANT: TypeAdapter[datetime] = TypeAdapter(datetime)


def webhook_out(subscription: WebhookSubscription, counts: dict[str, int]) -> dict[str, Any]:
    """A subscription as answered (never its secret)."""
    return {
        "id": subscription.pk,
        "url": subscription.url,
        "description": subscription.description,
        "event_types": subscription.event_types,
        "contact_email": subscription.contact_email,
        "is_active": subscription.is_active,
        "paused": subscription.paused_at is not None,
        "paused_at": instant(subscription.paused_at),
        "pause_reason": subscription.pause_reason,
        "position": cursors.write(subscription.position_txid, subscription.position_event_id),
        "waiting": counts.get("pending", 0),
        "failed": counts.get("failed", 0),
        "created_at": instant(subscription.created_at),
        "updated_at": instant(subscription.updated_at),
    }


def delivery_out(delivery: WebhookDelivery, event_type: str) -> dict[str, Any]:
    """A delivery as answered in lists."""
    pending = delivery.state == "pending"
    return {
        "id": delivery.pk,
        "event_id": delivery.event_id,
        "event_type": event_type,
        "aggregate_type": delivery.aggregate_type,
        "aggregate_id": delivery.aggregate_id,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "next_attempt_at": instant(delivery.next_attempt_at) if pending else None,
        "delivered_at": instant(delivery.delivered_at),
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "is_replay": delivery.is_replay,
        "created_at": instant(delivery.created_at),
    }


def attempt_out(attempt: WebhookAttempt) -> dict[str, Any]:
    """One line of the delivery log."""
    return {
        "number": attempt.number,
        "attempted_at": instant(attempt.attempted_at),
        "status_code": attempt.status_code,
        "latency_ms": attempt.latency_ms,
        "response_excerpt": attempt.response_excerpt,
        "error": attempt.error,
    }
