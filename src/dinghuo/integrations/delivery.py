"""The webhook worker's two jobs (`dinghuo worker` runs them; docs/webhooks.md).

1. `make_deliveries`: for each active subscription, the events written after its place in
   the feed become deliveries, and the place moves on. The subscription's row is locked
   with SKIP LOCKED, so two workers never make the same deliveries.
2. `send_due_deliveries`: claims a batch of due deliveries with a lease (SKIP LOCKED on
   PostgreSQL), sends them concurrently with the claim's transaction already committed (a
   transaction open while waiting on receivers would hold the event feed back), then
   records each outcome, only if the lease is still its own. Only the oldest waiting
   delivery of each object is ever due, so an object's events never overtake each other.
   A worker that dies mid-send loses nothing: its lease runs out and another worker sends
   the batch again (at least once; receivers deduplicate by the event id).
"""

import contextvars
import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson
from django.conf import settings
from django.db import connection, transaction

from dinghuo.core import clock
from dinghuo.core.db import insert_rows
from dinghuo.core.errors import ValidationFailed
from dinghuo.integrations import cursors, destinations, queries, retry_rules, services, signing
from dinghuo.integrations.event_types import matches
from dinghuo.integrations.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from dinghuo.integrations.owner_mail import tell_owner_of_pause
from dinghuo.integrations.schemas import instant

log = logging.getLogger("dinghuo.webhooks")

EVENTS_PER_ROUND = 1000  # per subscription
BATCH = 200
SENDERS = 16  # concurrent requests per worker process
EXCERPT = 1000  # characters of the receiver's answer kept in the log
USER_AGENT = "Dinghuo-Webhooks/1"


def make_deliveries() -> int:
    """Turn new events into deliveries for every active subscription that has events after
    its place (found in one query, so an idle worker does not lock each subscription in
    turn); how many were made."""
    ids = (
        WebhookSubscription.objects.alias(next_event=queries.next_event_after())
        .filter(next_event__isnull=False, is_active=True)
        .order_by("id")
    )
    return sum(_make_deliveries_for(pk) for pk in ids.values_list("id", flat=True))


def _make_deliveries_for(subscription_id: int) -> int:
    with transaction.atomic():
        subscription = (
            WebhookSubscription.objects.select_for_update(skip_locked=True)
            .filter(pk=subscription_id, is_active=True)
            .first()
        )
        if subscription is None:  # another worker has it, or it was switched off
            return 0
        place = (subscription.position_txid, subscription.position_event_id)
        found = queries.event_places_after(subscription.tenant_id, place, EVENTS_PER_ROUND)
        if not found:
            return 0
        wanted = [
            (event_id, txid, kind, key)
            for event_id, txid, event_type, kind, key in found
            if matches(subscription.event_types, event_type)
        ]
        services.add_deliveries(subscription.tenant_id, subscription.pk, wanted)
        last_id, last_txid = found[-1][0], found[-1][1]
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            position_txid=last_txid, position_event_id=last_id
        )
        return len(wanted)


@dataclass
class Outgoing:
    """A claimed delivery, with what sending it needs."""

    id: int
    subscription_id: int
    tenant_id: int
    url: str
    secrets: list[str]
    attempts: int
    first_attempt_at: datetime | None
    event: dict[str, Any]


@dataclass
class Outcome:
    """What one attempt got."""

    delivery: Outgoing
    attempted_at: datetime
    latency_ms: int
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def send_due_deliveries(batch: int = BATCH) -> int:
    """Send one batch of due deliveries; how many were tried."""
    now = clock.now()
    lease = now + timedelta(seconds=settings.DINGHUO_WEBHOOK_LEASE_SECONDS)
    claimed = _claim(now, lease, batch)
    if not claimed:
        return 0
    outgoing = _load(claimed, now)
    # Each send runs in a copy of this context, so a controlled clock (`clock.as_of`) holds
    # in the sending threads too.
    targets = _resolve_each({d.url for d in outgoing})
    sends = [
        _pool().submit(contextvars.copy_context().run, _send, d, targets[d.url]) for d in outgoing
    ]
    outcomes = [send.result() for send in sends]
    paused = _record(outcomes, lease)
    for tenant_id, subscription_id in paused:
        _pause(tenant_id, subscription_id)
    return len(outcomes)


_CLAIM = """
UPDATE {delivery} SET leased_until = %(lease)s
WHERE id IN (
    SELECT c.id FROM {delivery} c JOIN {subscription} s ON s.id = c.subscription_id
    WHERE c.state = 'pending' AND c.next_attempt_at <= %(now)s
      AND (c.leased_until IS NULL OR c.leased_until < %(now)s)
      AND s.is_active AND s.paused_at IS NULL
      AND NOT EXISTS (
        SELECT 1 FROM {delivery} e
        WHERE e.subscription_id = c.subscription_id AND e.state = 'pending'
          AND e.aggregate_type = c.aggregate_type AND e.aggregate_id = c.aggregate_id
          AND (e.event_txid < c.event_txid
               OR (e.event_txid = c.event_txid AND e.event_id < c.event_id)))
    ORDER BY c.next_attempt_at, c.id
    LIMIT %(batch)s
    {skip_locked})
RETURNING id
"""


def _claim(now: datetime, lease: datetime, batch: int) -> list[int]:
    sql = _CLAIM.format(
        delivery=WebhookDelivery._meta.db_table,
        subscription=WebhookSubscription._meta.db_table,
        # SQLite has one writer at a time: the UPDATE itself is the claim.
        skip_locked="FOR UPDATE OF c SKIP LOCKED" if connection.vendor == "postgresql" else "",
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"lease": lease, "now": now, "batch": batch})
        return [row[0] for row in cursor.fetchall()]


def _load(ids: list[int], now: datetime) -> list[Outgoing]:
    rows = (
        WebhookDelivery.objects.filter(id__in=ids)
        .select_related("event", "subscription")
        .order_by("next_attempt_at", "id")
    )
    outgoing = []
    for row in rows:
        sub, event = row.subscription, row.event
        old = sub.previous_secret_expires_at
        secrets = [sub.secret] + ([sub.previous_secret] if old and old > now else [])
        outgoing.append(
            Outgoing(
                id=row.pk,
                subscription_id=sub.pk,
                tenant_id=row.tenant_id,
                url=sub.url,
                secrets=secrets,
                attempts=row.attempts,
                first_attempt_at=row.first_attempt_at,
                event={
                    "id": event.pk,
                    "cursor": cursors.write(event.txid, event.pk),
                    "type": event.type,
                    "aggregate_type": event.aggregate_type,
                    "aggregate_id": event.aggregate_id,
                    "occurred_at": instant(event.occurred_at),
                    "data": event.payload,
                },
            )
        )
    return outgoing


# A checked address, or why there is none (said in the delivery log).
Target = destinations.Destination | str


def _resolve_each(urls: set[str]) -> dict[str, Target]:
    """Each address of a batch resolved and checked once (at the same time), not once per
    delivery: a batch to one receiver asks the DNS once."""
    found = {url: _pool().submit(_resolve, url) for url in urls}
    return {url: answer.result() for url, answer in found.items()}


def _resolve(url: str) -> Target:
    try:
        return destinations.resolve(url)
    except ValidationFailed:
        return "address refused: not a public address"
    except destinations.Unresolved:
        return "the host name does not resolve"


def _send(delivery: Outgoing, target: Target) -> Outcome:
    """POST the event, signed, to its checked address; never raises (every failure is an
    outcome)."""
    attempted_at = clock.now()
    started = time.monotonic()
    body = orjson.dumps(delivery.event)
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.HEADER: signing.header(delivery.secrets, stamp, body),
        "Dinghuo-Event-Id": str(delivery.event["id"]),
        "Dinghuo-Event-Type": delivery.event["type"],
        "Dinghuo-Delivery-Id": str(delivery.id),
        "Dinghuo-Delivery-Attempt": str(delivery.attempts + 1),
    }
    outcome = Outcome(delivery, attempted_at, 0)
    if isinstance(target, str):
        outcome.error = target
        return outcome
    try:
        outcome.status_code, outcome.excerpt = _post(target, headers, body)
    except httpx.TimeoutException:
        outcome.error = "timed out"
    except httpx.HTTPError as exc:
        outcome.error = f"could not connect: {type(exc).__name__}"[:200]
    outcome.latency_ms = int((time.monotonic() - started) * 1000)
    return outcome


def _post(
    target: destinations.Destination, headers: dict[str, str], body: bytes
) -> tuple[int, str]:
    url = httpx.URL(target.url)
    pinned = url.copy_with(host=target.address)  # the address that was checked, not a new lookup
    headers = {**headers, "Host": url.netloc.decode("ascii")}
    extensions = {"sni_hostname": target.host} if url.scheme == "https" else {}
    with _client(target.host).stream(
        "POST", pinned, content=body, headers=headers, extensions=extensions
    ) as answer:
        return answer.status_code, _excerpt(answer.iter_bytes())


def _excerpt(chunks: Iterator[bytes]) -> str:
    kept = b""
    for chunk in chunks:
        kept += chunk
        if len(kept) >= EXCERPT * 4:
            break
    return kept.decode("utf-8", errors="replace")[:EXCERPT]


def _record(outcomes: list[Outcome], lease: datetime) -> set[tuple[int, int]]:
    """Write each outcome (if the lease is still ours) and the log; the subscriptions whose
    delivery was given up, to be paused."""
    delivered, retried, given_up = [], [], []
    gave_up: set[tuple[int, int]] = set()
    for outcome in outcomes:
        d = outcome.delivery
        first = d.first_attempt_at or outcome.attempted_at
        tries = d.attempts + 1
        if outcome.ok:
            delivered.append((tries, first, outcome.attempted_at, outcome.status_code, d.id, lease))
        elif retry_rules.gives_up(first, outcome.attempted_at):
            given_up.append((tries, first, outcome.status_code, _why(outcome), d.id, lease))
            gave_up.add((d.tenant_id, d.subscription_id))
        else:
            later = outcome.attempted_at + retry_rules.delay(tries)
            retried.append((tries, first, later, outcome.status_code, _why(outcome), d.id, lease))
    table = WebhookDelivery._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET state = 'delivered', attempts = %s, first_attempt_at = %s, "  # noqa: S608
            "delivered_at = %s, last_status_code = %s, last_error = '', leased_until = NULL "
            "WHERE id = %s AND leased_until = %s",
            delivered,
        )
        cursor.executemany(
            f"UPDATE {table} SET attempts = %s, first_attempt_at = %s, next_attempt_at = %s, "  # noqa: S608
            "last_status_code = %s, last_error = %s, leased_until = NULL "
            "WHERE id = %s AND leased_until = %s",
            retried,
        )
        cursor.executemany(
            f"UPDATE {table} SET state = 'failed', attempts = %s, first_attempt_at = %s, "  # noqa: S608
            "last_status_code = %s, last_error = %s, leased_until = NULL "
            "WHERE id = %s AND leased_until = %s",
            given_up,
        )
        insert_rows(
            WebhookAttempt,
            [
                "tenant_id",
                "delivery_id",
                "number",
                "attempted_at",
                "status_code",
                "latency_ms",
                "response_excerpt",
                "error",
            ],
            [
                (
                    o.delivery.tenant_id,
                    o.delivery.id,
                    o.delivery.attempts + 1,
                    o.attempted_at,
                    o.status_code,
                    o.latency_ms,
                    o.excerpt,
                    o.error,
                )
                for o in outcomes
            ],
        )
    return gave_up


def _why(outcome: Outcome) -> str:
    return outcome.error or f"answered {outcome.status_code}"


def _pause(tenant_id: int, subscription_id: int) -> None:
    reason = f"deliveries failed for {retry_rules.RETRY_FOR.days} days"
    if services.pause_subscription(
        tenant_id=tenant_id, subscription_id=subscription_id, reason=reason
    ):
        tell_owner_of_pause(subscription_id)


# One HTTP client per receiving host (each with its own keep-alive pool: a TLS connection
# checked for one host is never reused for another at the same address), and one pool of
# sending threads, per worker process.
_clients: dict[str, httpx.Client] = {}
_clients_lock = threading.Lock()
_senders: ThreadPoolExecutor | None = None


def _client(host: str) -> httpx.Client:
    with _clients_lock:
        client = _clients.get(host)
        if client is None:
            timeout = httpx.Timeout(settings.DINGHUO_WEBHOOK_TIMEOUT_SECONDS, connect=5.0)
            client = httpx.Client(
                timeout=timeout,
                follow_redirects=False,
                trust_env=False,  # no proxy from the environment: the checked address is used
                limits=httpx.Limits(max_connections=SENDERS, max_keepalive_connections=SENDERS),
            )
            _clients[host] = client
        return client


def _pool() -> ThreadPoolExecutor:
    global _senders
    if _senders is None:
        _senders = ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="webhook")
    return _senders


def forget_old_deliveries() -> int:
    """Housekeeping: delivered and given-up deliveries (and their attempts) older than
    DINGHUO_WEBHOOK_LOG_DAYS leave the log; waiting ones stay. How many went."""
    before = clock.now() - timedelta(days=settings.DINGHUO_WEBHOOK_LOG_DAYS)
    old = WebhookDelivery.objects.filter(
        state__in=[DeliveryState.DELIVERED, DeliveryState.FAILED], created_at__lt=before
    )
    ids = list(old.values_list("id", flat=True)[:10_000])  # bounded: the next round goes on
    WebhookAttempt.objects.filter(delivery_id__in=ids).delete()
    deleted, _ = WebhookDelivery.objects.filter(id__in=ids).delete()
    return deleted
