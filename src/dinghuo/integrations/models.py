"""The outbox: every business change, written in the same transaction as the change."""

from django.db import models

from dinghuo.core.models import TenantScoped


class Event(TenantScoped):
    """One business change. `position` is given after commit, in commit order (see events.py)."""

    position = models.BigIntegerField(null=True, unique=True)
    type = models.CharField(max_length=64)
    aggregate_type = models.CharField(max_length=32)
    aggregate_id = models.BigIntegerField()
    payload = models.JSONField()
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "position"], name="event_feed_idx"),
            models.Index(
                fields=["tenant", "aggregate_type", "aggregate_id", "id"],
                name="event_aggregate_idx",
            ),
            models.Index(
                fields=["id"],
                condition=models.Q(position__isnull=True),
                name="event_unsequenced_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.aggregate_type}:{self.aggregate_id}"
