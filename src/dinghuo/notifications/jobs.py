"""The worker's mail jobs (DINGHUO_WORKER_JOBS) and the housekeeping that forgets old mails.

1. `make_mails`: each tenant's new events become mails (services.make_mails_for).
2. `make_sign_in_mails` (sign_ins.py): the invitations and password resets asked for.
3. `send_due_mails` (sending.py): the due mails go out over SMTP, with retries.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef

from dinghuo.core import clock
from dinghuo.core.models import Tenant
from dinghuo.integrations import queries as feed
from dinghuo.notifications import services
from dinghuo.notifications.models import Mail, MailFeed, MailState
from dinghuo.notifications.sending import send_due_mails
from dinghuo.notifications.sign_ins import make_sign_in_mails

__all__ = ["forget_old_mails", "make_mails", "make_sign_in_mails", "send_due_mails"]


def make_mails() -> int:
    """Turn every tenant's new events into mails; how many were queued. A tenant seen for
    the first time starts at its recent events (services.start_feed); the tenants with
    events after their place are found in one query."""
    for tenant_id in Tenant.objects.filter(
        ~Exists(MailFeed.objects.filter(tenant_id=OuterRef("pk")))
    ).values_list("pk", flat=True):
        services.start_feed(tenant_id=tenant_id)
    tenants = (
        MailFeed.objects.alias(next_event=feed.next_event_after())
        .filter(next_event__isnull=False)
        .order_by("tenant_id")
    )
    return sum(
        services.make_mails_for(tenant_id=t) for t in tenants.values_list("tenant_id", flat=True)
    )


def forget_old_mails() -> int:
    """Housekeeping: sent and given-up mails older than DINGHUO_MAIL_LOG_DAYS leave the
    outbox (bounded per run); waiting ones stay. How many went."""
    before = clock.now() - timedelta(days=settings.DINGHUO_MAIL_LOG_DAYS)
    old = Mail.objects.filter(state__in=[MailState.SENT, MailState.FAILED], created_at__lt=before)
    ids = list(old.values_list("id", flat=True)[:10_000])
    deleted, _ = Mail.objects.filter(id__in=ids).delete()
    return deleted
