"""People's sign-ins around Django's user: invitations to set a password, and the sessions
each person is signed in with.

A membership (a buyer of a company, a member of staff) is owned by its app (customers,
backoffice); an invitation only names the tenant that sent it, the person and the door
(portal or back office) the link opens onto.
"""

from django.conf import settings
from django.db import models

from dinghuo.core.models import TenantScoped


class Invitation(TenantScoped):
    """An invitation to sign in to one tenant; its link is good once, until `expires_at`.

    Only the SHA-256 of the link's token is kept here: it is minted when the worker makes
    the mail (`mail_wanted_at` says one is asked for), and the link then lives only in that
    mail. Sending again mints a new token, which ends the old link.
    """

    class Door(models.TextChoices):
        PORTAL = "portal", "portal"
        BACKOFFICE = "backoffice", "back office"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    door = models.CharField(max_length=10, choices=Door.choices)
    invited_by = models.CharField(max_length=200, blank=True, default="")
    language = models.CharField(max_length=10, blank=True, default="")
    token_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A mail with a new link is asked for (invited, sent again): the notifications' worker
    # job makes it and clears this, in one transaction with the new link.
    mail_wanted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["mail_wanted_at", "id"],
                condition=models.Q(mail_wanted_at__isnull=False),
                name="invitation_mail_wanted_idx",
            )
        ]
        constraints = [
            # One open invitation per person and door in a tenant: inviting again re-sends it.
            models.UniqueConstraint(
                fields=["tenant", "user", "door"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.door})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class PasswordResetRequest(models.Model):
    """Someone asked for a password link for an address, through a door; the worker mails
    it (to an account of that address, if there is one) and forgets the request. Written
    for any address, so the request never tells whether an account exists."""

    email = models.CharField(max_length=254)
    door = models.CharField(max_length=10, choices=Invitation.Door.choices)
    language = models.CharField(max_length=10, blank=True, default="")
    # The seller the person was last working with in this browser, if any: its brand when
    # the person buys from several.
    tenant_hint = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"password reset request {self.pk}"


class SignedInSession(models.Model):
    """One session a person is signed in with, so that they can see and end their sessions
    (Django's database sessions cannot be listed per user)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")
    address = models.CharField(max_length=45, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"session of {self.user_id}"
