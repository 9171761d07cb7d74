"""What the buyer reads on the order's timeline after it was placed: which backordered units
arrived and were reserved for them, and why the seller cancelled the rest of the order, in
the buyer's language."""

import re

from dinghuo.inventory import services as stock
from dinghuo.orders import services
from tests.orders.support import place
from tests.portal.ordering import sign_in


def _timeline(html: str) -> str:
    found = re.search(r'data-testid="timeline">(.*?)</ol>', html, re.S)
    assert found
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


def test_the_buyer_reads_what_arrived_and_why_the_rest_was_cancelled(world):
    buyer = sign_in(world)
    order_id = place(world, ("A-1", 4), ("D-4", 5))  # D-4: nothing in stock, backordered
    world.client().post(f"/orders/{order_id}/confirm")
    stock.receive_stock(
        tenant_id=world.tenant.pk, warehouse_code="main", sku_id=world.skus["D-4"].pk,
        quantity=2, reason="supplier",
    )  # fmt: skip
    filled = services.fill_backorders(tenant_id=world.tenant.pk, sku_ids=[world.skus["D-4"].pk])
    assert filled.units == 2
    r = world.client().post(
        f"/orders/{order_id}/shipments",
        {"carrier": "DHL", "tracking_number": "T1", "lines": [{"line_number": 1, "quantity": 4}]},
    )
    assert r.status_code == 201, r.json()
    services.short_close_order(
        tenant_id=world.tenant.pk, order_id=order_id, reason="The maker stopped this item"
    )
    english = _timeline(buyer.client.get(f"/orders/{order_id}/").content.decode())
    assert "D-4: 2 units reserved, 3 still waiting" in english
    assert "The maker stopped this item" in english
    buyer.client.cookies["django_language"] = "zh-hant"
    chinese = _timeline(buyer.client.get(f"/orders/{order_id}/").content.decode())
    assert "D-4：已預留 2 件，尚有 3 件待補" in chinese
    assert "units reserved" not in chinese
