"""Webhook subscriptions over HTTP (staff routes): made, changed, paused and resumed, their
delivery log, and replays. Delivering is the worker's (docs/webhooks.md)."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from pydantic import Field

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, tagged
from dinghuo.api.idempotent import json_response, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, PageFilters, given
from dinghuo.core.db import atomic_with_retry
from dinghuo.integrations import cursors, queries, services
from dinghuo.integrations.models import DeliveryState, WebhookSubscription
from dinghuo.integrations.schemas import (
    DeliveryDetailOut,
    DeliveryOut,
    DeliveryPageOut,
    EventType,
    ReplayIn,
    ReplayOut,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPageOut,
    SubscriptionPatch,
    SubscriptionWithSecretOut,
    attempt_out,
    delivery_out,
    webhook_out,
)

router = Router(tags=["webhooks"])


def _platform_hosts(request: HttpRequest) -> list[str]:
    """This platform's own addresses: a webhook must not call them."""
    hosts = [request.get_host()]
    if settings.DINGHUO_PORTAL_URL:
        hosts.append(urlsplit(settings.DINGHUO_PORTAL_URL).netloc)
    return hosts


def _detail(tenant: int, subscription_id: int) -> dict[str, Any]:
    subscription = queries.subscription(tenant, subscription_id)
    return webhook_out(subscription, queries.delivery_counts([subscription.pk])[subscription.pk])


@router.get(
    "/webhooks",
    response=SubscriptionPageOut,
    summary="List webhook subscriptions",
    auth=staff_may("integrations.view"),
)
def list_webhooks(request: HttpRequest, filters: Query[PageFilters]) -> dict[str, Any]:
    """Oldest first; follow `next_cursor` with `after`."""
    body = paged(queries.subscriptions(tenant_id(request)), filters, lambda s: s)
    counts = queries.delivery_counts([s.pk for s in body["items"]])
    body["items"] = [webhook_out(s, counts[s.pk]) for s in body["items"]]
    return body


@router.post(
    "/webhooks",
    response={201: SubscriptionWithSecretOut},
    summary="Subscribe a URL",
    auth=staff_may("webhooks.manage"),
)
def create_webhook(
    request: HttpRequest, payload: SubscriptionIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Events written from now on are sent to the URL, signed with the `secret` answered
    here (and only here). The URL must be https and public, and not this platform (422
    `webhook_url_refused`)."""
    tenant = tenant_id(request)
    start = cursors.read(payload.start_after) if payload.start_after is not None else None

    def create() -> tuple[int, Any]:
        made = services.create_subscription(
            tenant_id=tenant,
            url=payload.url,
            event_types=payload.event_types,
            description=payload.description,
            contact_email=payload.contact_email,
            platform_hosts=_platform_hosts(request),
            start_after=start,
        )
        return 201, {**_detail(tenant, made.subscription.pk), "secret": made.secret}

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/webhooks/{webhook_id}",
    response=SubscriptionOut,
    summary="Read a webhook subscription",
    auth=staff_may("integrations.view"),
)
def get_webhook(request: HttpRequest, webhook_id: ObjectId) -> HttpResponse:
    """With its counts of waiting and given-up deliveries, and its `ETag`."""
    return tagged(200, _detail(tenant_id(request), webhook_id))


@router.patch(
    "/webhooks/{webhook_id}",
    response=SubscriptionOut,
    summary="Change a webhook subscription",
    auth=staff_may("webhooks.manage"),
)
def update_webhook(
    request: HttpRequest, webhook_id: ObjectId, payload: SubscriptionPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Fields left out stay. Switched off, nothing is sent or kept for it; switched on again,
    it goes on from then (replay from its old `position` to send what it missed)."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_subscription(
            tenant_id=tenant,
            subscription_id=webhook_id,
            platform_hosts=_platform_hosts(request),
            url=given(payload, "url"),
            event_types=given(payload, "event_types"),
            description=given(payload, "description"),
            contact_email=given(payload, "contact_email"),
            is_active=given(payload, "is_active"),
        )
        return _detail(tenant, webhook_id)

    return run_guarded(
        if_match,
        lock=lambda: WebhookSubscription.objects.filter(tenant_id=tenant, pk=webhook_id),
        read=lambda: _detail(tenant, webhook_id),
        change=run,
    )


@router.delete(
    "/webhooks/{webhook_id}",
    response={204: None},
    summary="Delete a webhook subscription",
    auth=staff_may("webhooks.manage"),
)
def delete_webhook(request: HttpRequest, webhook_id: ObjectId) -> HttpResponse:
    """Nothing more is sent; its delivery log goes with it."""
    tenant = tenant_id(request)
    atomic_with_retry(
        lambda: services.delete_subscription(tenant_id=tenant, subscription_id=webhook_id)
    )
    return HttpResponse(status=204)


@router.post(
    "/webhooks/{webhook_id}/secret",
    response=SubscriptionWithSecretOut,
    summary="Give a webhook subscription a new secret",
    auth=staff_may("webhooks.manage"),
)
def rotate_webhook_secret(request: HttpRequest, webhook_id: ObjectId) -> HttpResponse:
    """The new secret, shown only now. For 24 hours deliveries carry a second signature made
    with the old one, so the receiver can switch without missing any."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        made = services.rotate_secret(tenant_id=tenant, subscription_id=webhook_id)
        return {**_detail(tenant, webhook_id), "secret": made.secret}

    return json_response(200, atomic_with_retry(run))


@router.post(
    "/webhooks/{webhook_id}/resume",
    response=SubscriptionOut,
    summary="Resume a paused subscription",
    auth=staff_may("webhooks.manage"),
)
def resume_webhook(request: HttpRequest, webhook_id: ObjectId) -> HttpResponse:
    """Every waiting delivery, and those given up, is tried again now, in order; 409
    `webhook_not_paused` if it is not paused."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.resume_subscription(tenant_id=tenant, subscription_id=webhook_id)
        return _detail(tenant, webhook_id)

    return tagged(200, atomic_with_retry(run))


class DeliveryFilters(PageFilters):
    state: DeliveryState | None = None
    event_type: EventType | None = Field(None, description="Only deliveries of this event type")


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response=DeliveryPageOut,
    summary="List a subscription's deliveries",
    auth=staff_may("integrations.view"),
)
def list_deliveries(
    request: HttpRequest, webhook_id: ObjectId, filters: Query[DeliveryFilters]
) -> dict[str, Any]:
    """Oldest first; follow `next_cursor` with `after`."""
    tenant = tenant_id(request)
    queries.subscription(tenant, webhook_id)  # 404 for another tenant's
    found = queries.deliveries(tenant, webhook_id, filters.state, filters.event_type)
    return paged(found, filters, lambda d: delivery_out(d, d.event_type))  # type: ignore[attr-defined]


@router.get(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}",
    response=DeliveryDetailOut,
    summary="Read a delivery with its attempts",
    auth=staff_may("integrations.view"),
)
def get_delivery(request: HttpRequest, webhook_id: ObjectId, delivery_id: ObjectId) -> Any:
    """Every attempt: when, the receiver's status, how long it took, the start of its answer."""
    found = queries.delivery(tenant_id(request), webhook_id, delivery_id)
    return {
        **delivery_out(found, found.event_type),  # type: ignore[attr-defined]
        "log": [attempt_out(a) for a in found.log.all()],
    }


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/replay",
    response={201: DeliveryOut},
    summary="Send a delivery's event again",
    auth=staff_may("webhooks.manage"),
)
def replay_delivery(
    request: HttpRequest, webhook_id: ObjectId, delivery_id: ObjectId
) -> HttpResponse:
    """A new delivery of the same event (same event id: receivers can deduplicate); 409
    `delivery_pending` while the event still waits to go out."""
    tenant = tenant_id(request)

    def run() -> Any:
        queries.delivery(tenant, webhook_id, delivery_id)  # 404 unless it is this one's
        made = services.replay_delivery(tenant_id=tenant, delivery_id=delivery_id)
        found = queries.delivery(tenant, webhook_id, made.pk)
        return delivery_out(found, found.event_type)  # type: ignore[attr-defined]

    return json_response(201, atomic_with_retry(run))


@router.post(
    "/webhooks/{webhook_id}/replays",
    response={202: ReplayOut},
    summary="Send a range of events again",
    auth=staff_may("webhooks.manage"),
)
def replay_events(request: HttpRequest, webhook_id: ObjectId, payload: ReplayIn) -> HttpResponse:
    """The subscription's events after a feed cursor, or in a time range, up to its current
    position, become new deliveries (at most 50,000: 422 `replay_too_large`)."""
    tenant = tenant_id(request)
    after = cursors.read(payload.after) if payload.after is not None else None

    def run() -> dict[str, int]:
        made = services.replay_events(
            tenant_id=tenant,
            subscription_id=webhook_id,
            after=after,
            occurred_from=payload.occurred_from,
            occurred_until=payload.occurred_until,
        )
        return {"deliveries": made}

    return json_response(202, atomic_with_retry(run))
