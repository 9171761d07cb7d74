"""The audit log: who changed what, when and from where. The database refuses to change or
remove an entry (migration 0002); erasing a person (`audit.personal_data`) is the one stated
exception, allowed only while an `ErasurePermit` row exists in the erasing transaction."""

from django.conf import settings
from django.db import models

from dinghuo.core.models import TenantScoped


class AuditEntry(TenantScoped):
    """One recorded write: the object's fields before and after (only those that changed,
    all of them on creation or removal), and the party that made it."""

    class Action(models.TextChoices):
        CREATED = "created"
        CHANGED = "changed"
        DELETED = "deleted"

    at = models.DateTimeField()
    actor_kind = models.CharField(max_length=8)  # core.actors.Kind
    # No database constraint: the log outlives what it talks about, and never blocks a write.
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_key = models.CharField(max_length=16, blank=True, default="")
    actor_label = models.CharField(max_length=200, blank=True, default="")
    via = models.CharField(max_length=8, blank=True, default="")
    client_address = models.CharField(max_length=64, blank=True, default="")
    action = models.CharField(max_length=8, choices=Action.choices)
    object_type = models.CharField(max_length=64)  # "<app>.<model>", e.g. "catalog.product"
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=200, blank=True, default="")
    # The person an entry is about (a user's or a company user's record): what export and
    # erasure of personal data look for.
    subject_user_id = models.IntegerField(null=True, blank=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["tenant", "actor_user"], name="audit_actor_idx"),
            models.Index(fields=["tenant", "at"], name="audit_at_idx"),
            models.Index(fields=["subject_user_id"], name="audit_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id}"


class ErasurePermit(models.Model):
    """Present only inside the transaction that erases a person: while a row exists, the
    database lets that transaction rewrite audit entries (on PostgreSQL no other transaction
    sees the uncommitted row; SQLite has one writer at a time)."""

    started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"erasure permit {self.started_at:%Y-%m-%d %H:%M}"
