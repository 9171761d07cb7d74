"""Reads of invitations and sessions."""

from django.contrib.sessions.models import Session
from django.db.models import QuerySet

from dinghuo.accounts.models import Invitation, PasswordResetRequest, SignedInSession
from dinghuo.accounts.rules import token_hash
from dinghuo.core import clock


def open_invitation(tenant_slug: str, token: str) -> Invitation | None:
    """The invitation a link opens: its token, of that tenant, neither used, revoked nor
    expired; None for anything else, never saying which (one query)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("user", "tenant")
        .filter(
            token_hash=token_hash(token),
            tenant__slug=tenant_slug,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=clock.now(),
            user__is_active=True,
        )
        .first()
    )


def open_invitations(tenant_id: int, door: str) -> QuerySet[Invitation]:
    """A tenant's invitations through `door` not yet accepted nor revoked."""
    return Invitation.objects.filter(
        tenant_id=tenant_id, door=door, accepted_at__isnull=True, revoked_at__isnull=True
    )


def invitations_to_mail(limit: int) -> list[int]:
    """Open invitations whose mail is asked for, the longest waiting first (ids)."""
    return list(
        Invitation.objects.filter(
            mail_wanted_at__isnull=False, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .order_by("mail_wanted_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def password_resets_to_mail(limit: int) -> list[int]:
    """Reset requests not mailed yet, oldest first (ids)."""
    return list(PasswordResetRequest.objects.order_by("id").values_list("pk", flat=True)[:limit])


def live_sessions(user_id: int) -> QuerySet[SignedInSession]:
    """The person's sessions that have not ended (signed out, expired or ended elsewhere),
    the most recently seen first."""
    live = Session.objects.filter(expire_date__gt=clock.now()).values("session_key")
    return SignedInSession.objects.filter(user_id=user_id, session_key__in=live).order_by(
        "-last_seen_at", "-pk"
    )
