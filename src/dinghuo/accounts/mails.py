"""The words of the sign-in mails (invitation, password reset): a subject, plain text and
HTML, in the recipient's language. One small module, so that the notifications' layout
(branding, preferences) can take it over."""

from email.utils import formataddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from dinghuo.accounts.models import Invitation
from dinghuo.accounts.rules import INVITATION_LIFETIME

_TEMPLATES = "accounts/mail/"


def _site() -> str:
    """Where links in mails point: DINGHUO_PORTAL_URL (the back office is under /staff/ of
    the same site), or the development server's address."""
    return settings.DINGHUO_PORTAL_URL or "http://127.0.0.1:8000"


def _language(wanted: str) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    return wanted if wanted in known else settings.LANGUAGE_CODE


def _send(
    name: str, to_email: str, to_name: str, language: str, context: dict[str, object]
) -> None:
    with translation.override(language):
        subject = " ".join(render_to_string(f"{_TEMPLATES}{name}_subject.txt", context).split())
        text = render_to_string(f"{_TEMPLATES}{name}.txt", context)
        html = render_to_string(f"{_TEMPLATES}{name}.html", context)
    mail = EmailMultiAlternatives(
        subject,
        text,
        None,
        [formataddr((to_name, to_email))],
        # An automatic message (RFC 3834): out-of-office replies should not answer it.
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    mail.attach_alternative(html, "text/html")
    mail.send()


def send_invitation(invitation: Invitation, token: str) -> None:
    """The invitation with its link, in the language it was sent in."""
    person = invitation.user
    path = reverse("accounts:invitation", args=[invitation.tenant.slug, token])
    context = {
        "name": person.first_name,
        "seller": invitation.tenant.name,
        # Nobody named (a new seller's owner, a buyer added by the seller's system): the
        # mail says "you are invited", not "<seller> invited you to … <seller>".
        "invited_by": invitation.invited_by,
        "staff": invitation.door == Invitation.Door.BACKOFFICE,
        "has_password": person.has_usable_password(),
        "link": _site() + path,
        "days": INVITATION_LIFETIME.days,
    }
    language = _language(invitation.language)
    _send("invitation", person.email, person.first_name, language, context)


def send_password_reset(email: str, door: str, language: str) -> None:
    """A reset link to the active account with `email`, if there is exactly one."""
    found = list(get_user_model().objects.filter(email__iexact=email, is_active=True)[:2])
    if len(found) != 1:
        return
    person = found[0]
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    path = reverse("accounts:reset", args=[door, uid, token])
    context = {
        "name": person.first_name,
        "link": _site() + path,
        "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
    }
    _send("password_reset", person.email, person.first_name, _language(language), context)
