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
