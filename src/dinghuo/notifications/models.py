"""Mail preferences, the outbox of mails, and each tenant's place in the event feed."""

from django.conf import settings
from django.db import models

from dinghuo.core.models import Tenant, TenantScoped
from dinghuo.notifications.kinds import Kind


class MailPreference(TenantScoped):
    """What one person chose: their mails' language and which kinds they want. A person
    without a row gets the defaults (kinds.DEFAULT_ON) in the language of their pages."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preferences"
    )
    # "" = the language they last chose on the pages, else the platform's default.
    language = models.CharField(max_length=10, blank=True, default="")
    # kind → on/off, only for kinds the person chose; the others keep their default.
    choices = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="mail_preference_unique")
        ]


class MailState(models.TextChoices):
    WAITING = "waiting"
    SENT = "sent"
    FAILED = "failed"  # given up after MAX_ATTEMPTS (or refused for good by the server)


class Mail(TenantScoped):
    """One mail to one person, composed when it was queued, sent by the worker."""

    # No tenant: a password reset of a person of several sellers, none known to be the one
    # asked from, goes out in a neutral brand (docs/accounts.md).
    tenant = models.ForeignKey(  # type: ignore[assignment]
        Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    kind = models.CharField(max_length=32, choices=Kind.choices)
    # The event it tells of (none for invitations and resets), so a kind is mailed once per
    # person and event.
    event_id = models.BigIntegerField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_address = models.EmailField(max_length=254)
    to_name = models.CharField(max_length=200, blank=True, default="")
    language = models.CharField(max_length=10)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField()
    unsubscribe_link = models.URLField(max_length=500, blank=True, default="")
    state = models.CharField(max_length=8, choices=MailState.choices, default=MailState.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="", db_default="")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(state="waiting"),
                name="mail_due_idx",
            ),
            models.Index(fields=["tenant", "-id"], name="mail_tenant_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "user", "kind"],
                condition=models.Q(event_id__isnull=False, user__isnull=False),
                name="mail_once_per_event",
            )
        ]


class MailFeed(models.Model):
    """Where mailing stands in one tenant's event feed: the events after this place have not
    been turned into mails yet."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="+")
    position_txid = models.BigIntegerField()
    position_event_id = models.BigIntegerField()

    def __str__(self) -> str:
        return (
            f"mail feed of tenant {self.tenant_id} at {self.position_txid}.{self.position_event_id}"
        )
