"""Composing a mail: its subject, plain text and HTML in the recipient's language, in the
tenant's brand.

Each kind has one template pair, `notifications/email/<kind>.txt` and `.html`, extending the
shared layout (`base.txt`, `base.html`). Other parts of the platform (invitations, password
resets) compose with `compose` and queue with `services.queue_mail`.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dinghuo.core.tenant_locale import zone
from dinghuo.notifications import unsubscribe
from dinghuo.notifications.branding import Brand
from dinghuo.notifications.kinds import ESSENTIAL, Kind

# Subjects, with the context's values (%(number)s, %(brand)s …); said in the reader's language.
SUBJECTS: dict[Kind, Promise] = {
    Kind.ORDER_PLACED: _("Order %(number)s placed"),
    Kind.APPROVAL_NEEDED: _("Order %(number)s needs your approval"),
    Kind.ORDER_APPROVED: _("Order %(number)s approved"),
    Kind.ORDER_REJECTED: _("Order %(number)s rejected"),
    Kind.ORDER_CONFIRMED: _("Order %(number)s confirmed"),
    Kind.ORDER_SHIPPED: _("Order %(number)s shipped"),
    Kind.ORDER_DELIVERED: _("Order %(number)s delivered"),
    Kind.QUOTE_ANSWERED: _("Your quote %(number)s has an answer"),
    Kind.QUOTE_COUNTERED: _("%(company)s countered quote %(number)s"),
    Kind.INVITATION: _("You are invited to order from %(brand)s"),
    Kind.PASSWORD_RESET: _("Set a new password for %(brand)s"),
}


# Subjects of the mails that may go out in no seller's brand.
NEUTRAL_SUBJECTS: dict[Kind, Promise] = {
    Kind.PASSWORD_RESET: _("Set a new password for your account"),
}
# A staff member's invitation, and the button of one to an account that has a password.
STAFF_INVITATION_SUBJECT = _("You are invited to the back office of %(brand)s")
ACCEPT_INVITATION = _("Accept the invitation")

# What the mail's button (and the text's link) opens.
LINK_LABELS: dict[Kind, Promise] = {
    Kind.ORDER_PLACED: _("See the order"),
    Kind.APPROVAL_NEEDED: _("Open the approvals"),
    Kind.ORDER_APPROVED: _("See the order"),
    Kind.ORDER_REJECTED: _("See the order"),
    Kind.ORDER_CONFIRMED: _("See the order"),
    Kind.ORDER_SHIPPED: _("See the order"),
    Kind.ORDER_DELIVERED: _("See the order"),
    Kind.QUOTE_ANSWERED: _("See the quote"),
    Kind.QUOTE_COUNTERED: _("See the quote"),
    Kind.INVITATION: _("Set your password"),
    Kind.PASSWORD_RESET: _("Choose a new password"),
}


@dataclass(frozen=True)
class Recipient:
    """A person to write to, in their language (`user_id` None: not a user yet)."""

    email: str
    name: str
    language: str
    user_id: int | None = None


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str
    unsubscribe_link: str = ""


def absolute(path: str) -> str:
    """The address of a page of the site for a link in a mail ("" without DINGHUO_PORTAL_URL:
    a mail then names what to open rather than link a wrong host)."""
    base = settings.DINGHUO_PORTAL_URL
    return f"{base}{path}" if base else ""


def unsubscribe_link(tenant_id: int | None, recipient: Recipient, kind: Kind) -> str:
    if kind in ESSENTIAL or recipient.user_id is None or tenant_id is None:
        return ""
    signed = unsubscribe.token(tenant_id, recipient.user_id, kind)
    return absolute(reverse("notifications:unsubscribe", args=[signed]))


def compose(
    kind: Kind,
    recipient: Recipient,
    context: dict[str, Any],
    *,
    tenant_id: int | None,
    brand: Brand,
) -> Composed:
    """The mail of `kind` for `recipient`, from `context` (what its templates use: `number`,
    `link`, amounts with `currency` …), in the recipient's language and the tenant's brand and
    time zone. The context may give its own (lazily translated) `subject_text` and
    `link_label`: a staff invitation, an invitation to an account that has a password."""
    link = unsubscribe_link(tenant_id, recipient, kind)
    values = {**context, "brand": brand, "name": recipient.name, "unsubscribe_link": link}
    with translation.override(recipient.language), timezone.override(zone(brand.time_zone)):
        said = context.get("subject_text") or SUBJECTS[kind]
        if not brand.name:
            said = NEUTRAL_SUBJECTS.get(kind, said)
        subject = str(said) % {"brand": brand.name, **context}
        values["subject"] = subject
        values["link_label"] = str(context.get("link_label") or LINK_LABELS[kind])
        text = render_to_string(f"notifications/email/{kind.value}.txt", values)
        html = render_to_string(f"notifications/email/{kind.value}.html", values)
    return Composed(" ".join(subject.split())[:300], text.strip() + "\n", html, link)
