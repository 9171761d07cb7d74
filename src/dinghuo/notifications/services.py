"""The writes of mailing: preferences, unsubscribing, and queuing mails (the outbox).

Mails are composed when they are queued and sent later by the worker (`sending.py`), so a
slow or dead mail server never slows the change the mail tells of, and placing an order
writes nothing here (the worker reads its recorded events).
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from dinghuo.audit import services as audit
from dinghuo.core import clock
from dinghuo.core.db import insert_rows
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.integrations import cursors
from dinghuo.integrations import queries as feed
from dinghuo.integrations.models import Event
from dinghuo.notifications import planning, queries
from dinghuo.notifications.branding import NEUTRAL, Brand, brand_for
from dinghuo.notifications.composing import Composed, Recipient, compose
from dinghuo.notifications.kinds import CHOSEN_BY, ESSENTIAL, EVENT_KINDS, Audience, Kind, wants
from dinghuo.notifications.models import Mail, MailFeed, MailPreference

EVENTS_PER_ROUND = 500  # per tenant

_MAIL_FIELDS = [
    "tenant_id",
    "kind",
    "event_id",
    "user_id",
    "to_address",
    "to_name",
    "language",
    "subject",
    "text",
    "html",
    "unsubscribe_link",
    "state",
    "attempts",
    "next_attempt_at",
    "created_at",
]


def _row(
    tenant_id: int | None, kind: Kind, event_id: int | None, to: Recipient, mail: Composed
) -> tuple[Any, ...]:
    now = clock.now()
    return (
        tenant_id,
        kind.value,
        event_id,
        to.user_id,
        to.email,
        to.name[:200],
        to.language,
        mail.subject,
        mail.text,
        mail.html,
        mail.unsubscribe_link,
        "waiting",
        0,
        now,
        now,
    )


@transaction.atomic
def queue_mail(
    *, tenant_id: int | None, kind: Kind, recipient: Recipient, context: dict[str, Any]
) -> int:
    """Compose one mail of `kind` for `recipient` (in `recipient.language`, in the tenant's
    brand) and queue it for the worker; its id. The way other parts send a mail that no
    event stands for: an invitation or a password reset (context: `link`, `expires_at`,
    `inviter`). Essential kinds ignore preferences; other kinds are queued only when the
    person wants them (0 then). `tenant_id` None (essential kinds only): a mail of no
    seller, in the neutral brand."""
    if tenant_id is None:
        if kind not in ESSENTIAL:
            raise ValueError(f"a mail of kind {kind} belongs to a tenant")
        mail = compose(kind, recipient, context, tenant_id=None, brand=NEUTRAL)
        row = _row(None, kind, None, recipient, mail)
        return insert_rows(Mail, _MAIL_FIELDS, [row], returning=True)[0]
    if recipient.user_id is not None and kind not in ESSENTIAL:
        choice = queries.chosen(tenant_id, {recipient.user_id})[recipient.user_id]
        audience = (
            Audience.STAFF if queries.is_staff_of(tenant_id, recipient.user_id) else Audience.BUYER
        )
        if not wants(audience, kind, choice.choices):
            return 0
    mail = compose(kind, recipient, context, tenant_id=tenant_id, brand=brand_for(tenant_id))
    row = _row(tenant_id, kind, None, recipient, mail)
    return insert_rows(Mail, _MAIL_FIELDS, [row], returning=True)[0]


def start_feed(*, tenant_id: int, recent_events: int | None = None) -> MailFeed:
    """The tenant's place in the event feed, made on first use: mailing starts with the
    events of the last DINGHUO_MAIL_CATCH_UP_HOURS (a tenant's history is not mailed), or,
    with `recent_events`, with that many of its latest events that make mails (the demo)."""
    existing = MailFeed.objects.filter(tenant_id=tenant_id).first()
    if existing is not None:
        return existing
    older = Event.objects.filter(tenant_id=tenant_id)
    if recent_events is None:
        since = clock.now() - timedelta(hours=settings.DINGHUO_MAIL_CATCH_UP_HOURS)
        before = older.filter(occurred_at__lt=since)
    else:
        kept = older.filter(type__in=EVENT_KINDS).order_by("-txid", "-id")
        first = kept.values_list("txid", "id")[max(recent_events - 1, 0) :].first()
        before = (
            older.filter(Q(txid__lt=first[0]) | Q(txid=first[0], id__lt=first[1]))
            if first and recent_events > 0
            else older
        )
    place = before.order_by("-txid", "-id").values_list("txid", "id").first()
    txid, event_id = place or cursors.read(cursors.START)
    feed_row, _ = MailFeed.objects.get_or_create(
        tenant_id=tenant_id, defaults={"position_txid": txid, "position_event_id": event_id}
    )
    return feed_row


def make_mails_for(*, tenant_id: int) -> int:
    """Turn the tenant's events after its place in the feed into mails, one per person who
    wants it, and move the place on; how many mails were queued. One transaction, with the
    tenant's feed row locked SKIP LOCKED: another worker skips the tenant meanwhile."""
    with transaction.atomic():
        row = MailFeed.objects.select_for_update(skip_locked=True).filter(tenant_id=tenant_id)
        feed_row = row.first()
        if feed_row is None:
            return 0
        place = (feed_row.position_txid, feed_row.position_event_id)
        found = feed.events_after(tenant_id, place, EVENTS_PER_ROUND)
        if not found:
            return 0
        rows = _compose_all(tenant_id, planning.plan(tenant_id, found))
        insert_rows(Mail, _MAIL_FIELDS, rows)
        MailFeed.objects.filter(pk=feed_row.pk).update(
            position_txid=found[-1].txid, position_event_id=found[-1].pk
        )
        return len(rows)


def _compose_all(tenant_id: int, planned: list[planning.Planned]) -> list[tuple[Any, ...]]:
    """Each planned mail its person wants, composed in their language."""
    if not planned:
        return []
    choices = queries.chosen(tenant_id, {p.person.user_id for p in planned})
    brand: Brand = brand_for(tenant_id)
    rows, seen = [], set()
    for p in planned:
        chosen = choices[p.person.user_id]
        key = (p.event_id, p.person.user_id, p.kind)
        if key in seen or not wants(p.audience, p.kind, chosen.choices):
            continue
        seen.add(key)
        to = Recipient(p.person.email, p.person.name, chosen.language, p.person.user_id)
        mail = compose(p.kind, to, p.context, tenant_id=tenant_id, brand=brand)
        rows.append(_row(tenant_id, p.kind, p.event_id, to, mail))
    return rows


def _checked(audience: Audience, language: str, choices: dict[str, bool]) -> dict[str, bool]:
    offered = {k.value for k in CHOSEN_BY[audience]}
    errors = [
        FieldError(k, "invalid_choice", "Not a mail offered") for k in choices if k not in offered
    ]
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        errors.append(FieldError("language", "invalid_choice", "Not a language offered"))
    if errors:
        raise ValidationFailed("These mail preferences cannot be kept.", errors=errors)
    return {k: bool(v) for k, v in choices.items()}


@transaction.atomic
def save_preferences(
    *,
    tenant_id: int,
    user_id: int,
    audience: Audience,
    language: str,
    choices: dict[str, bool],
) -> MailPreference:
    """Keep a person's mail language ("" = that of their pages) and their choice for each
    kind offered to their audience (kinds not named keep theirs). 422 `invalid_choice` for a
    kind not offered or a language not spoken, and nothing is kept."""
    checked = _checked(audience, language, choices)
    pref, created = MailPreference.objects.select_for_update().get_or_create(
        tenant_id=tenant_id, user_id=user_id
    )
    before = audit.snapshot(pref)
    pref.language = language
    pref.choices = {**pref.choices, **checked}
    pref.save(update_fields=["language", "choices", "updated_at"])
    _record(pref, before, created)
    return pref


def _record(pref: MailPreference, before: audit.Snapshot, created: bool) -> None:
    """The audit entry of a person's choices (none when they chose what they had)."""
    if created:
        audit.created(pref)
    elif (before["language"], before["choices"]) != (pref.language, pref.choices):
        audit.changed(pref, before)


@transaction.atomic
def unsubscribe(*, tenant_id: int, user_id: int, kind: Kind) -> None:
    """Turn one kind of mail off for a person (the link in each mail)."""
    pref, created = MailPreference.objects.select_for_update().get_or_create(
        tenant_id=tenant_id, user_id=user_id
    )
    before = audit.snapshot(pref)
    pref.choices = {**pref.choices, kind.value: False}
    pref.save(update_fields=["choices", "updated_at"])
    _record(pref, before, created)
