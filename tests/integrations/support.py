"""A webhook subscription with one delivery in its log, for the walks and scenes that need
their ids."""

from typing import Any

from dinghuo.integrations import events
from dinghuo.integrations import services as webhooks
from dinghuo.integrations.models import Event


def webhook_with_a_delivery(world: Any) -> dict[str, int]:
    """The tenant's subscription to SKU events (a public address: never sent to in tests) and
    a delivery of one event, made directly, not by the worker: on PostgreSQL the worker's feed
    read holds an event back while any older transaction runs, another test's included."""
    made = webhooks.create_subscription(
        tenant_id=world.tenant.pk,
        url="https://93.184.215.14/hooks",
        event_types=["sku.*"],
        platform_hosts=[],
    )
    sku_id = world.skus["A-1"].pk
    events.record(events.new(world.tenant.pk, "sku.updated", "sku", sku_id, {}))
    event = Event.objects.filter(tenant_id=world.tenant.pk).latest("id")
    webhooks.add_deliveries(
        world.tenant.pk, made.subscription.pk, [(event.pk, event.txid, "sku", sku_id)]
    )
    sent = made.subscription.deliveries.get()
    return {"webhook_id": made.subscription.pk, "delivery_id": sent.pk}
