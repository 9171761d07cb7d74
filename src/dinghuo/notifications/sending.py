"""The worker's sending of queued mails over SMTP.

`send_due_mails` claims a batch of due mails with a lease (`FOR UPDATE SKIP LOCKED` on
PostgreSQL; on SQLite the UPDATE itself is the claim), commits, sends them through one SMTP
connection with no transaction open, then records each outcome only if the lease is still its
own. Two workers never claim the same mail; a worker that dies mid-send loses nothing: its
lease runs out (DINGHUO_MAIL_LEASE_SECONDS) and another sends the batch again, so a mail is
sent at least once (twice only when a worker dies between the server's "accepted" and the
record).

A failure is tried again later (`retry.py`: 1 minute doubling to an hour, 8 tries); a
recipient the server refuses for good (5xx) is given up at once. When the connection itself
fails, the rest of the batch is not tried against a dead server: each mail is rescheduled.
"""

import contextlib
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction

from dinghuo.core import clock
from dinghuo.notifications import retry
from dinghuo.notifications.branding import brand_for
from dinghuo.notifications.models import Mail

log = logging.getLogger("dinghuo.notifications")

BATCH = 200

_CLAIM = """
UPDATE {mail} SET leased_until = %(lease)s
WHERE id IN (
    SELECT m.id FROM {mail} m
    WHERE m.state = 'waiting' AND m.next_attempt_at <= %(now)s
      AND (m.leased_until IS NULL OR m.leased_until < %(now)s)
    ORDER BY m.next_attempt_at, m.id
    LIMIT %(batch)s
    {skip_locked})
RETURNING id
"""


@dataclass
class Outcome:
    mail: Mail
    error: str = ""
    permanent: bool = False

    @property
    def ok(self) -> bool:
        return not self.error


def send_due_mails(batch: int = BATCH) -> int:
    """Send one batch of due mails; how many were tried."""
    now = clock.now()
    lease = now + timedelta(seconds=settings.DINGHUO_MAIL_LEASE_SECONDS)
    ids = _claim(now, lease, batch)
    if not ids:
        return 0
    mails = list(Mail.objects.filter(id__in=ids).order_by("next_attempt_at", "id"))
    _record(_send_all(mails), lease)
    return len(mails)


def _claim(now: datetime, lease: datetime, batch: int) -> list[int]:
    sql = _CLAIM.format(
        mail=Mail._meta.db_table,
        skip_locked="FOR UPDATE OF m SKIP LOCKED" if connection.vendor == "postgresql" else "",
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"lease": lease, "now": now, "batch": batch})
        return [row[0] for row in cursor.fetchall()]


def _message(mail: Mail, sender: str, smtp: BaseEmailBackend) -> EmailMultiAlternatives:
    # An automatic message (RFC 3834): out-of-office replies should not answer it.
    headers = {"Auto-Submitted": "auto-generated", "Content-Language": mail.language}
    if mail.unsubscribe_link:
        headers["List-Unsubscribe"] = f"<{mail.unsubscribe_link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        mail.subject,
        mail.text,
        sender,
        [formataddr((mail.to_name, mail.to_address))],
        connection=smtp,
        headers=headers,
    )
    message.attach_alternative(mail.html, "text/html")
    return message


def _send_all(mails: list[Mail]) -> list[Outcome]:
    """Send each mail through one connection (opened once, reopened after a failure); never
    raises (every failure is an outcome)."""
    senders = {
        tenant_id: formataddr((brand_for(tenant_id).name, settings.DEFAULT_FROM_EMAIL))
        if tenant_id is not None
        else settings.DEFAULT_FROM_EMAIL  # a mail of no seller (a neutral password reset)
        for tenant_id in {m.tenant_id for m in mails}
    }
    smtp = get_connection(fail_silently=False)
    outcomes: list[Outcome] = []
    broken = ""
    try:
        for mail in mails:
            if not broken:
                try:
                    smtp.open()  # a no-op while the connection lasts
                except (smtplib.SMTPException, OSError) as failure:
                    broken = _said(failure)
            if broken:  # the server is gone: do not wait on it once per mail
                outcomes.append(Outcome(mail, broken))
                continue
            outcomes.append(_send_one(mail, senders[mail.tenant_id], smtp))
    finally:
        _drop(smtp)
    return outcomes


def _said(failure: BaseException) -> str:
    return f"{type(failure).__name__}: {failure}"[:300]


def _send_one(mail: Mail, sender: str, smtp: BaseEmailBackend) -> Outcome:
    try:
        _message(mail, sender, smtp).send()
    except smtplib.SMTPRecipientsRefused as refused:
        codes = [code for code, _text in refused.recipients.values()]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        return Outcome(mail, f"recipient refused: {codes}"[:300], permanent)
    except (smtplib.SMTPException, OSError) as failure:
        log.warning("mail %s not sent: %s", mail.pk, failure)
        _drop(smtp)  # the next mail opens a fresh connection
        return Outcome(mail, _said(failure))
    return Outcome(mail)


def _drop(smtp: BaseEmailBackend) -> None:
    """Close a connection (forgetting it when it failed), so the next open starts anew."""
    with contextlib.suppress(smtplib.SMTPException, OSError):
        smtp.close()
    if hasattr(smtp, "connection"):
        smtp.connection = None


def _record(outcomes: list[Outcome], lease: datetime) -> None:
    """Write each outcome, if the lease is still ours."""
    now = clock.now()
    sent, retried, given_up = [], [], []
    for o in outcomes:
        tries = o.mail.attempts + 1
        if o.ok:
            sent.append((tries, now, o.mail.pk, lease))
        elif o.permanent or retry.gives_up(tries):
            given_up.append((tries, o.error, o.mail.pk, lease))
        else:
            retried.append((tries, now + retry.delay(tries), o.error, o.mail.pk, lease))
    table = Mail._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET state = 'sent', attempts = %s, sent_at = %s, "  # noqa: S608
            "last_error = '', leased_until = NULL WHERE id = %s AND leased_until = %s",
            sent,
        )
        cursor.executemany(
            f"UPDATE {table} SET attempts = %s, next_attempt_at = %s, last_error = %s, "  # noqa: S608
            "leased_until = NULL WHERE id = %s AND leased_until = %s",
            retried,
        )
        cursor.executemany(
            f"UPDATE {table} SET state = 'failed', attempts = %s, last_error = %s, "  # noqa: S608
            "leased_until = NULL WHERE id = %s AND leased_until = %s",
            given_up,
        )
