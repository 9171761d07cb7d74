"""The writes of people's sign-ins: invitations, passwords and sessions; one transaction each.

A write that needs a mail only asks for it (`Invitation.mail_wanted_at`, a
`PasswordResetRequest` row) in its own transaction; the notifications' worker job makes the
mail (with a new link) and queues it in the outbox, whose sending retries while the mail
server is down. So a slow or failing mail server never slows nor undoes the write.
"""

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q

from dinghuo.accounts.models import Invitation, PasswordResetRequest, SignedInSession
from dinghuo.accounts.queries import open_invitation
from dinghuo.accounts.rules import INVITATION_LIFETIME, SEEN_EVERY, new_token, token_hash
from dinghuo.audit import services as audit
from dinghuo.core import clock
from dinghuo.core.errors import FieldError, NotFound, ValidationFailed

LINK_NOT_VALID = "This link is not valid: it was used, revoked or has expired."


def person_with_email(email: str, name: str) -> User:
    """The one account of `email` (any case), or a new one with no usable password yet.

    Called inside the inviting service's transaction. The name is only set on a new
    account: a person's account is theirs, whoever invites them.
    """
    users = User.objects
    found = users.filter(Q(username__iexact=email) | Q(email__iexact=email)).order_by(
        "-is_active", "pk"
    )
    person = found.filter(username__iexact=email).first() or found.first()
    if person is not None:
        return person
    return users.create_user(username=email, email=email, password=None, first_name=name)


@transaction.atomic
def invite(
    *, tenant_id: int, user_id: int, door: str, invited_by: str, language: str
) -> Invitation:
    """Invite a person through a door (portal or back office) of the tenant, and ask for
    the mail with its link; an open invitation of theirs through that door is sent again."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(tenant_id=tenant_id, user_id=user_id, door=door)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        invitation = Invitation.objects.create(
            tenant_id=tenant_id, user_id=user_id, door=door, invited_by=invited_by[:200]
        )
        audit.created(invitation)
    invitation.language = language[:10]
    if invited_by:  # the mail names whoever sends it now
        invitation.invited_by = invited_by[:200]
    invitation.mail_wanted_at = clock.now()
    invitation.save(update_fields=["language", "invited_by", "mail_wanted_at"])
    return invitation


@transaction.atomic
def mint_link(invitation_id: int) -> tuple[Invitation, str] | None:
    """A new token for an open invitation whose mail is asked for (the worker, as it makes
    the mail, in the transaction that queues it): only its hash is kept, the previous link
    stops working and the mail is no longer asked for. None when the invitation is no
    longer open, or its mail was already made (by another worker)."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("user", "tenant")
        .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .filter(mail_wanted_at__isnull=False)
        .first()
    )
    if invitation is None:
        return None
    token = new_token()
    invitation.token_hash = token_hash(token)
    invitation.sent_at = clock.now()
    invitation.expires_at = invitation.sent_at + INVITATION_LIFETIME
    invitation.mail_wanted_at = None
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "mail_wanted_at"])
    return invitation, token


def _open_invitation_of(tenant_id: int, invitation_id: int, door: str) -> Invitation:
    found = (
        Invitation.objects.select_for_update()
        .filter(tenant_id=tenant_id, pk=invitation_id, door=door)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if found is None:
        raise NotFound("No open invitation with this id.", code="invitation_not_found")
    return found


@transaction.atomic
def resend_invitation(*, tenant_id: int, invitation_id: int, door: str) -> Invitation:
    """Send an open invitation again with a new link (the old link stops working)."""
    invitation = _open_invitation_of(tenant_id, invitation_id, door)
    with audit.watching(invitation):
        invitation.mail_wanted_at = clock.now()
        invitation.save(update_fields=["mail_wanted_at"])
    return invitation


@transaction.atomic
def revoke_invitation(*, tenant_id: int, invitation_id: int, door: str) -> Invitation:
    """End an open invitation: its link no longer works (the membership stays, as the
    company or staff page shows it, until it is switched off there)."""
    invitation = _open_invitation_of(tenant_id, invitation_id, door)
    with audit.watching(invitation):
        invitation.revoked_at = clock.now()
        invitation.token_hash = ""
        invitation.mail_wanted_at = None
        invitation.save(update_fields=["revoked_at", "token_hash", "mail_wanted_at"])
    return invitation


def _checked_password(person: User, password: str) -> None:
    try:
        validate_password(password, person)
    except DjangoValidationError as refused:
        problems = [FieldError("password", "password_too_weak", m) for m in refused.messages]
        raise ValidationFailed(
            "The password is not accepted.", code="password_too_weak", errors=problems
        ) from None


@transaction.atomic
def accept_invitation(*, tenant_slug: str, token: str, password: str, name: str = "") -> User:
    """Accept an invitation with its link's token: a person without a password sets one
    (Django's password validators), and with it `name` when nobody gave theirs yet; a
    person who has one gives it. The link is then used.

    Refuses a link that is unknown, of another tenant, used, revoked or expired (404
    `invitation_not_valid`, one answer for all) and a wrong existing password (422
    `wrong_password`); nothing changes then.
    """
    found = open_invitation(tenant_slug, token)
    invitation = (
        Invitation.objects.select_for_update().select_related("user").filter(pk=found.pk).first()
        if found
        else None
    )
    if invitation is None or not invitation.is_open:
        raise NotFound(LINK_NOT_VALID, code="invitation_not_valid")
    person = invitation.user
    if person.has_usable_password():
        if not person.check_password(password):
            problem = FieldError("password", "wrong_password", "The password is not right.")
            raise ValidationFailed(problem.message, code="wrong_password", errors=[problem])
    else:
        _checked_password(person, password)
        with audit.watching(person, tenant_id=invitation.tenant_id):
            if name.strip() and not person.first_name.strip():
                person.first_name = name.strip()[:150]
            person.set_password(password)
            person.save(update_fields=["password", "first_name"])
    with audit.watching(invitation):
        invitation.accepted_at = clock.now()
        invitation.token_hash = ""
        invitation.save(update_fields=["accepted_at", "token_hash"])
    return person


@transaction.atomic
def request_password_reset(
    *, email: str, door: str, language: str, tenant_hint: int | None = None
) -> None:
    """Ask for a reset mail for `email` through `door`: the worker mails it only to an
    active account of that address with a seller to sign in to. The same row is written for
    any address, so the answer, its time and its writes never tell whether an account
    exists. `tenant_hint`: the seller this browser last worked with, if known (the mail's
    brand when the person buys from several)."""
    PasswordResetRequest.objects.create(
        email=email[:254],
        door=door,
        language=language[:10],
        tenant_hint=tenant_hint,
        created_at=clock.now(),
    )


@transaction.atomic
def take_password_reset_request(request_id: int) -> PasswordResetRequest | None:
    """Take a reset request to mail it (the worker, in the transaction that queues the
    mail): it is forgotten as it is taken. None when another worker took it first."""
    found = PasswordResetRequest.objects.select_for_update().filter(pk=request_id).first()
    if found is not None:
        PasswordResetRequest.objects.filter(pk=found.pk).delete()
    return found


def _end_sessions(user_id: int, keep_session_key: str | None) -> int:
    others = SignedInSession.objects.filter(user_id=user_id)
    if keep_session_key:
        others = others.exclude(session_key=keep_session_key)
    keys = list(others.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    others.delete()
    return len(keys)


@transaction.atomic
def set_new_password(*, user_id: int, password: str, keep_session_key: str | None) -> None:
    """A new password (after a reset, or a change whose current password was checked): it
    must pass the validators, and every session of the person but `keep_session_key` (the
    one changing it; None = all) is signed out."""
    person = User.objects.select_for_update().get(pk=user_id)
    _checked_password(person, password)
    person.set_password(password)
    person.save(update_fields=["password"])
    _end_sessions(user_id, keep_session_key)


@transaction.atomic
def end_other_sessions(*, user_id: int, keep_session_key: str) -> int:
    """Sign the person out of every session but this one; how many ended."""
    return _end_sessions(user_id, keep_session_key)


def note_session(*, user_id: int, session_key: str, user_agent: str, address: str) -> None:
    """Remember a signed-in session (first seen, or seen again after SEEN_EVERY)."""
    now = clock.now()
    updated = SignedInSession.objects.filter(
        session_key=session_key, user_id=user_id, last_seen_at__lt=now - SEEN_EVERY
    ).update(last_seen_at=now, address=address[:45])
    if updated:
        return
    SignedInSession.objects.get_or_create(
        session_key=session_key,
        defaults={
            "user_id": user_id,
            "user_agent": user_agent[:300],
            "address": address[:45],
            "last_seen_at": now,
        },
    )


def forget_session(session_key: str) -> None:
    """Forget a session that signed out."""
    SignedInSession.objects.filter(session_key=session_key).delete()


__all__ = [
    "accept_invitation",
    "end_other_sessions",
    "forget_session",
    "invite",
    "mint_link",
    "note_session",
    "person_with_email",
    "request_password_reset",
    "resend_invitation",
    "revoke_invitation",
    "set_new_password",
    "take_password_reset_request",
]
