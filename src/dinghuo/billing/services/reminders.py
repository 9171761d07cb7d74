"""Payment reminders by e-mail on the seller's schedule (`BillingPolicy.reminder_days`: days
from an invoice's due date, negative = before it).

**Which invoices.** Unpaid ones with a step whose day (due date + step) is today or earlier
and whose latest such step was not sent. Only that latest step is sent: a first run after a
pause sends one reminder per invoice, not one per step missed, and the missed steps are not
sent later. The mail says how things stand today (due in 3 days, 12 days overdue), whatever
the step.

**To whom.** The company's admins (its users with the role admin) who have an e-mail
address; when it has none, every user of the company with an address. Each gets a mail of
their own in their language: the one they last chose on the pages (kept on their session by
`core.views.set_language`), else the platform's default language (`LANGUAGE_CODE`: a tenant
has no language of its own). An invoice of a company nobody can be written to is skipped and
counted (`no_recipient`); it is tried again on the next run.

**When a send fails.** One transaction per invoice claims the step: a `Reminder` row, unique
per invoice and step, so that a second run or a second process finds it and sends nothing.
The mails are rendered in that transaction and sent after it commits
(`transaction.on_commit`), outside any lock. Once they went out, `invoice.reminder_sent` is
recorded. When sending fails (the mail server refuses or cannot be reached), the claim is
deleted again, so that the step is not taken for sent and the next run sends it; the failure
is logged and counted. (Recipients of the invoice whose mail had gone out before the failure
get the step again then.) What this cannot tell: a process that dies between the commit and
the send leaves the step claimed, without its event, and that reminder unsent: at most once
per step, never twice.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.utils import formataddr
from functools import partial
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from dinghuo.billing.models import BillingPolicy, Invoice, Receivable, Reminder
from dinghuo.billing.services.policy import seller_details
from dinghuo.core import clock
from dinghuo.core.money import format_amount
from dinghuo.customers.models import ACTIVE_MEMBERSHIP, CompanyUser
from dinghuo.integrations import events

log = logging.getLogger("dinghuo.billing.reminders")

# Where `core.views.set_language` keeps the language a signed-in person chose (a domain
# module may not import a view).
SESSION_LANGUAGE_KEY = "language"
_DATABASE_SESSIONS = frozenset(
    {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}
)
_TEMPLATES = "billing/email/reminder"
MAX_SENT_TO = 254  # `Reminder.sent_to`


@dataclass
class ReminderRun:
    """What a run did: steps claimed, reminders whose mails all went out, sends that failed
    (tried again next run), and invoices skipped for want of anyone to write to. `sent` and
    `failed` are final once the run's transactions have committed."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    no_recipient: int = 0
    reminders: list[int] = field(default_factory=list)  # the ids of the claimed steps


@dataclass(frozen=True)
class Recipient:
    """A person of the company to write to, in their language."""

    email: str
    name: str
    language: str


def due_step(steps: Sequence[int], due_on: date, today: date) -> int | None:
    """The latest step due on `today` for an invoice due on `due_on`: the largest whose day
    (due date + step) is today or earlier; None before the first. (The rule `_candidates`
    computes in the database for all invoices at once.)"""
    late = (today - due_on).days
    due = [step for step in steps if step <= late]
    return max(due) if due else None


def send_due_reminders(*, tenant_id: int, today: date) -> ReminderRun:
    """Send the tenant's payment reminders due on `today`: for each unpaid invoice, the
    latest step of its seller's schedule that is due and was not sent (see the module's
    docstring for whom and how failures are kept). Records `invoice.reminder_sent` for each
    reminder sent. Running it again the same day sends nothing."""
    run = ReminderRun()
    policies = BillingPolicy.objects.filter(tenant_id=tenant_id).order_by("id")
    for policy in policies:
        steps = sorted({int(step) for step in policy.reminder_days})
        if not steps:
            continue
        due = _candidates(policy, steps, today)
        if not due:
            continue
        people = recipients(tenant_id, {r.company_id for r in due})
        sender = formataddr((seller_details(policy)["legal_name"], settings.DEFAULT_FROM_EMAIL))
        for receivable in due:
            to = people.get(receivable.company_id, [])
            if not to:
                run.no_recipient += 1
                continue
            _claim(receivable, receivable.step, to, sender, today, run)  # type: ignore[attr-defined]
    return run


def _candidates(policy: BillingPolicy, steps: list[int], today: date) -> list[Receivable]:
    """The seller's open invoices whose latest step due today was not sent, oldest due
    first, each annotated with that `step` (one query)."""
    latest = Case(
        *(
            When(due_on__lte=today - timedelta(days=step), then=Value(step))
            for step in reversed(steps)
        ),
        default=Value(None),
        output_field=IntegerField(),
    )
    sent = Reminder.objects.filter(
        invoice_id=OuterRef("invoice_id"), days_from_due=OuterRef("step")
    )
    return list(
        Receivable.objects.filter(
            tenant_id=policy.tenant_id,
            invoice__seller_id=policy.seller_id,
            open_amount__gt=0,
            due_on__lte=today - timedelta(days=steps[0]),
        )
        .annotate(step=latest)
        .filter(~Exists(sent))
        .select_related("invoice", "company")
        .order_by("due_on", "id")
    )


def recipients(tenant_id: int, company_ids: set[int]) -> dict[int, list[Recipient]]:
    """Whom to write to for each company: its admins with an e-mail address, else all its
    users with one, each in their language (two queries)."""
    rows = list(
        CompanyUser.objects.filter(
            ACTIVE_MEMBERSHIP, tenant_id=tenant_id, company_id__in=company_ids
        )
        .exclude(user__email="")
        .order_by("company_id", "id")
        .values_list(
            "company_id", "role", "user_id", "user__email", "user__first_name", "user__last_name"
        )
    )
    chosen = languages_of({row[2] for row in rows})
    default = settings.LANGUAGE_CODE
    people: dict[int, list[Recipient]] = {}
    admins: dict[int, list[Recipient]] = {}
    for company_id, role, user_id, email, first, last in rows:
        name = f"{first} {last}".strip() or email.split("@")[0]
        person = Recipient(email, name, chosen.get(user_id, default))
        people.setdefault(company_id, []).append(person)
        if role == CompanyUser.Role.ADMIN:
            admins.setdefault(company_id, []).append(person)
    return {company_id: admins.get(company_id) or found for company_id, found in people.items()}


def languages_of(user_ids: set[int]) -> dict[int, str]:
    """The language each of these people last chose on the pages, for those who chose one:
    read from their live sessions (one query; every live session is decoded, so this runs
    once per run, and only when there is someone to write to)."""
    if not user_ids or settings.SESSION_ENGINE not in _DATABASE_SESSIONS:
        return {}
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    wanted = {str(user_id) for user_id in user_ids}
    known = {code for code, _name in settings.LANGUAGES}
    chosen: dict[int, str] = {}
    # The session that lives longest was used last: read it last so that its choice wins.
    live = Session.objects.filter(expire_date__gt=timezone.now()).order_by("expire_date")
    for data in live.values_list("session_data", flat=True).iterator():
        decoded = store.decode(data)
        user, language = decoded.get(SESSION_KEY), decoded.get(SESSION_LANGUAGE_KEY)
        if user in wanted and language in known:
            chosen[int(user)] = language
    return chosen


def _sent_to(people: list[Recipient]) -> str:
    """The addresses written to, as many as the column holds (", …" when cut)."""
    shown: list[str] = []
    for person in people:
        if shown and len(", ".join([*shown, person.email])) > MAX_SENT_TO - 3:
            return ", ".join(shown) + ", …"
        shown.append(person.email)
    return ", ".join(shown)[:MAX_SENT_TO]


def _claim(
    receivable: Receivable,
    step: int,
    people: list[Recipient],
    sender: str,
    today: date,
    run: ReminderRun,
) -> None:
    """Claim the invoice's step and render its mails in one transaction; they are sent once
    it commits. Nothing happens when the invoice was paid or the step claimed meanwhile."""
    invoice = receivable.invoice
    with transaction.atomic():
        open_amount = (
            Receivable.objects.filter(pk=receivable.pk, open_amount__gt=0)
            .values_list("open_amount", flat=True)
            .first()
        )
        if open_amount is None:
            return
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    tenant_id=receivable.tenant_id,
                    invoice=invoice,
                    days_from_due=step,
                    sent_to=_sent_to(people),
                    language=people[0].language,
                    sent_at=clock.now(),
                )
        except IntegrityError:  # another run claimed this step first
            return
        context = _context(invoice, receivable.company.name, open_amount, today)
        mails = [_mail(person, sender, context) for person in people]
        run.claimed += 1
        run.reminders.append(reminder.pk)
        transaction.on_commit(partial(_send, reminder, mails, open_amount, run))


def _context(invoice: Invoice, company: str, open_amount: Any, today: date) -> dict[str, Any]:
    """What a reminder says, in any language."""
    portal = getattr(settings, "DINGHUO_PORTAL_URL", "").rstrip("/")
    link = f"{portal}{reverse('portal:invoice', args=[invoice.pk])}" if portal else ""
    return {
        "company": company,
        "seller": invoice.seller_details.get("legal_name", ""),
        "number": invoice.number,
        "issued_on": invoice.issued_on,
        "due_on": invoice.due_on,
        "days_left": max((invoice.due_on - today).days, 0),
        "days_late": max((today - invoice.due_on).days, 0),
        "total": invoice.total,
        "open_amount": open_amount,
        "currency": invoice.currency,
        "instructions": invoice.seller_details.get("payment_instructions", "").strip(),
        "link": link,
    }


def _mail(person: Recipient, sender: str, context: dict[str, Any]) -> EmailMultiAlternatives:
    """One person's reminder in their language: a subject, a text body and an HTML body."""
    with translation.override(person.language):
        wording = {**context, "name": person.name}
        subject = " ".join(render_to_string(f"{_TEMPLATES}_subject.txt", wording).split())
        text = render_to_string(f"{_TEMPLATES}.txt", wording)
        html = render_to_string(f"{_TEMPLATES}.html", wording)
    mail = EmailMultiAlternatives(
        subject,
        text,
        sender,
        [formataddr((person.name, person.email))],
        # An automatic message (RFC 3834): out-of-office replies should not answer it.
        headers={"Auto-Submitted": "auto-generated", "Content-Language": person.language},
    )
    mail.attach_alternative(html, "text/html")
    return mail


def _send(
    reminder: Reminder,
    mails: list[EmailMultiAlternatives],
    open_amount: Any,
    run: ReminderRun,
) -> None:
    """Send a claimed step's mails; record `invoice.reminder_sent`, or, when sending failed,
    give the claim back so that the next run sends it."""
    try:
        get_connection().send_messages(mails)
    except Exception:  # any failure of the mail server or the network: the step stays unsent
        log.exception(
            "payment reminder %s of invoice %s not sent",
            reminder.days_from_due,
            reminder.invoice.number,
        )
        Reminder.objects.filter(pk=reminder.pk).delete()
        run.failed += 1
        return
    invoice = reminder.invoice
    payload = {
        "invoice": invoice.number,
        "company_id": invoice.company_id,
        "days_from_due": reminder.days_from_due,
        "due_on": invoice.due_on.isoformat(),
        "currency": invoice.currency,
        "open_amount": format_amount(open_amount, invoice.currency),
        "recipients": len(mails),
        "languages": sorted({str(mail.extra_headers["Content-Language"]) for mail in mails}),
    }
    with transaction.atomic():
        events.record(
            events.new(invoice.tenant_id, "invoice.reminder_sent", "invoice", invoice.pk, payload)
        )
    run.sent += 1
