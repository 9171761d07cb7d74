"""The sign-in mails that accounts asks for: invitations and password resets.

Accounts (below this app) only records that a mail is wanted (`Invitation.mail_wanted_at`, a
`PasswordResetRequest` row). The worker's job `make_sign_in_mails` then makes each mail in
one transaction: a new link is minted (only its hash kept by accounts), the mail composed in
the tenant's brand and queued in the outbox, the wish cleared. The outbox's sending tries
again while the mail server is down, as for every mail.

A password reset's brand: the seller the person may sign in to through the door asked from
when there is one; of several, the one this browser last worked with (`tenant_hint`), else
none (a neutral mail naming no seller). A person with no seller to sign in to gets no mail.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from dinghuo.accounts import queries as accounts_queries
from dinghuo.accounts import services as accounts
from dinghuo.accounts.models import Invitation
from dinghuo.core import clock
from dinghuo.notifications import composing, queries
from dinghuo.notifications.composing import Recipient
from dinghuo.notifications.kinds import Kind
from dinghuo.notifications.services import queue_mail

BATCH = 100


def _site() -> str:
    """Where links in sign-in mails point: DINGHUO_PORTAL_URL (the back office is under
    /staff/ of the same site), or the development server's address. A sign-in mail is
    useless without its link, so it never goes without one."""
    return settings.DINGHUO_PORTAL_URL or "http://127.0.0.1:8000"


def _language(wanted: str) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    return wanted if wanted in known else settings.LANGUAGE_CODE


def _recipient(person: User, language: str) -> Recipient:
    name = person.first_name or person.email.split("@")[0]
    return Recipient(person.email, name, _language(language), person.pk)


def make_sign_in_mails() -> int:
    """The worker's job: make the invitations and password resets asked for (a batch of
    each); how many mails were queued."""
    made = sum(
        mail_invitation(invitation_id=i) for i in accounts_queries.invitations_to_mail(BATCH)
    )
    resets = accounts_queries.password_resets_to_mail(BATCH)
    return made + sum(mail_password_reset(request_id=r) for r in resets)


@transaction.atomic
def mail_invitation(*, invitation_id: int) -> int:
    """Mint a new link for an invitation whose mail is asked for and queue the mail, in the
    language it was sent in and the tenant's brand; 1, or 0 when it is no longer open or
    another worker made it. The old link stops working."""
    minted = accounts.mint_link(invitation_id)
    if minted is None:
        return 0
    invitation, token = minted
    person = invitation.user
    has_password = person.has_usable_password()
    context: dict[str, Any] = {
        "link": _site() + reverse("accounts:invitation", args=[invitation.tenant.slug, token]),
        "expires_at": invitation.expires_at,
        "inviter": invitation.invited_by,
        "staff": invitation.door == Invitation.Door.BACKOFFICE,
        "has_password": has_password,
    }
    if context["staff"]:
        context["subject_text"] = composing.STAFF_INVITATION_SUBJECT
    if has_password:
        context["link_label"] = composing.ACCEPT_INVITATION
    recipient = _recipient(person, invitation.language)
    queue_mail(
        tenant_id=invitation.tenant_id, kind=Kind.INVITATION, recipient=recipient, context=context
    )
    return 1


def _brand_tenant(tenants: list[int], hint: int | None) -> int | None:
    """Whose brand a reset wears: the only seller, or the hinted one of several, else none."""
    if len(tenants) == 1:
        return tenants[0]
    return hint if hint in tenants else None


@transaction.atomic
def mail_password_reset(*, request_id: int) -> int:
    """Take a reset request and queue the mail with a reset link (Django's token: it works
    once, for PASSWORD_RESET_TIMEOUT) to the one active account of its address, if that
    person has a seller to sign in to; 1 if a mail was queued. The request is forgotten
    either way."""
    wish = accounts.take_password_reset_request(request_id)
    if wish is None:
        return 0
    found = list(User.objects.filter(email__iexact=wish.email, is_active=True)[:2])
    if len(found) != 1:
        return 0
    person = found[0]
    tenants = queries.sign_in_tenants(person.pk, wish.door)
    if not tenants:
        return 0
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    timeout = timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    context = {
        "link": _site() + reverse("accounts:reset", args=[wish.door, uid, token]),
        "expires_at": clock.now() + timeout,
    }
    queue_mail(
        tenant_id=_brand_tenant(tenants, wish.tenant_hint),
        kind=Kind.PASSWORD_RESET,
        recipient=_recipient(person, wish.language),
        context=context,
    )
    return 1
