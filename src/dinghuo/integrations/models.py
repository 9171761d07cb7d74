"""The outbox: every business change, written in the same transaction as the change."""

from typing import Any

from django.db import models

from dinghuo.core.models import TenantScoped


class WritingTransaction(models.Func):
    """The id of the transaction that writes the row, as the column's database default.

    On PostgreSQL `pg_current_xact_id()` (an xid8: 64 bits, never wraps) as a bigint; on
    SQLite 0, since one writer at a time makes ids alone follow commit order (see events.py).
    """

    template = "0"  # SQLite: writers are serialised
    output_field = models.BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        """PostgreSQL: the writing transaction's id."""
        template = "pg_current_xact_id()::text::bigint"
        return self.as_sql(compiler, connection, template=template, **extra)


class Event(TenantScoped):
    """One business change. Its place in the feed is (`txid`, `id`): see events.py."""

    # Set by the database on insert; negative for events written before transaction ids were
    # kept (their old feed position, moved below every real transaction id: migration 0002).
    txid = models.BigIntegerField(db_default=WritingTransaction())
    type = models.CharField(max_length=64)
    aggregate_type = models.CharField(max_length=32)
    aggregate_id = models.BigIntegerField()
    payload = models.JSONField()
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "txid", "id"], name="event_feed_order_idx"),
            models.Index(
                fields=["tenant", "aggregate_type", "aggregate_id", "id"],
                name="event_aggregate_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.aggregate_type}:{self.aggregate_id}"


class WebhookSubscription(TenantScoped):
    """Where a tenant wants its events sent: a URL, the event types, the signing secret.

    Its place in the feed (`position_txid`, `position_event_id`) is how far the worker has
    turned events into deliveries for it; deliveries then carry each event at least once.
    """

    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # Exact types ("order.placed") or families ("order.*"); empty means every event.
    event_types = models.JSONField(default=list)
    # Kept readable: signing needs it (as every HMAC webhook sender). The previous secret
    # still signs until `previous_secret_expires_at`, so receivers can roll over.
    secret = models.CharField(max_length=64)
    previous_secret = models.CharField(max_length=64, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True, help_text="Told when deliveries keep failing")
    position_txid = models.BigIntegerField()
    position_event_id = models.BigIntegerField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", "pending"
    DELIVERED = "delivered", "delivered"
    FAILED = "failed", "failed"  # given up after retrying for the whole retry period


class WebhookDelivery(TenantScoped):
    """One event to send to one subscription, until the receiver answers 2xx."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    # Copied from the event: an object's deliveries go out in the event's feed order.
    event_txid = models.BigIntegerField()
    aggregate_type = models.CharField(max_length=32)
    aggregate_id = models.BigIntegerField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A worker that claimed the delivery holds it until then; a worker that died lets it go.
    leased_until = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, db_default="")
    is_replay = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(state="pending"),
                name="webhook_due_idx",
            ),
            models.Index(
                fields=["subscription", "aggregate_type", "aggregate_id", "event_txid", "event"],
                condition=models.Q(state="pending"),
                name="webhook_object_queue_idx",
            ),
            models.Index(fields=["subscription", "id"], name="webhook_log_idx"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} of event {self.event_id}"


class WebhookAttempt(TenantScoped):
    """One try at a delivery: what the receiver answered, how fast (the delivery log)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField()
    response_excerpt = models.CharField(max_length=1000, blank=True)
    error = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"
