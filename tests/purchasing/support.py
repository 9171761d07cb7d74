"""Helpers for purchasing tests: a supplier selling the world's SKUs, POs made and moved
through the API."""

from typing import Any

from tests.builders import ApiClient, World


def supplier(world: World, code: str = "SUP1", currency: str = "USD", **extra: Any) -> int:
    r = world.client().post(
        "/suppliers",
        {
            "code": code,
            "name": f"Supplier {code}",
            "currency": currency,
            "contact_email": "sales@supplier.example",
            **extra,
        },
    )
    assert r.status_code == 201, r.json()
    return int(r.json()["id"])


def supplies(
    world: World, supplier_id: int, sku: str, cost: str = "5.00", **extra: Any
) -> dict[str, Any]:
    body = {
        "supplier_id": supplier_id,
        "sku_id": world.skus[sku].pk,
        "cost_tiers": [{"min_quantity": 1, "unit_cost": cost}],
        "is_preferred": True,
        **extra,
    }
    r = world.client().post("/supplier-items", body)
    assert r.status_code == 201, r.json()
    return dict(r.json())


def draft(world: World, supplier_id: int, *lines: tuple[str, int], key: str | None = None) -> Any:
    body = {
        "supplier_id": supplier_id,
        "warehouse_id": world.warehouses[0].pk,
        "lines": [{"sku_id": world.skus[sku].pk, "quantity": qty} for sku, qty in lines],
    }
    return world.client().post("/purchase-orders", body, key=key)


def sent_po(world: World, *lines: tuple[str, int]) -> dict[str, Any]:
    """A PO of these lines from a new supplier selling them, submitted and sent."""
    api: ApiClient = world.client()
    found = api.get("/suppliers", limit=500).json()["items"]
    supplier_id = found[0]["id"] if found else supplier(world)
    for sku, _ in lines:
        if not api.get("/supplier-items", sku_id=world.skus[sku].pk).json()["items"]:
            supplies(world, supplier_id, sku)
    r = draft(world, supplier_id, *lines)
    assert r.status_code == 201, r.json()
    po = r.json()["id"]
    assert api.post(f"/purchase-orders/{po}/submit").status_code == 200
    sent = api.post(f"/purchase-orders/{po}/send")
    assert sent.status_code == 200, sent.json()
    return dict(sent.json())


def receive(world: World, po_id: int, *lines: tuple[int, int], key: str | None = None) -> Any:
    body = {"lines": [{"line_number": n, "quantity": q} for n, q in lines]}
    return world.client().post(f"/purchase-orders/{po_id}/receipts", body, key=key)


def a_sent_po(world: World) -> int:
    """Through the services: a supplier selling A-1 and B-2, and a PO of both, sent."""
    from dinghuo.purchasing import services

    tenant = world.tenant.pk
    made = services.create_supplier(
        tenant_id=tenant, code="SUP-PAGES", name="Pages Supplier", currency="USD"
    )
    for sku in ("A-1", "B-2"):
        services.create_supplier_item(
            tenant_id=tenant,
            supplier_id=made.pk,
            sku_id=world.skus[sku].pk,
            cost_tiers=[{"min_quantity": 1, "unit_cost": "2.00"}],
            is_preferred=True,
        )
    po = services.create_purchase_order(
        tenant_id=tenant,
        supplier_id=made.pk,
        warehouse_id=world.warehouses[0].pk,
        lines=[
            services.LineWanted(world.skus["A-1"].pk, 10),
            services.LineWanted(world.skus["B-2"].pk, 6),
        ],
    )
    services.submit_purchase_order(tenant_id=tenant, po_id=po.pk)
    services.send_purchase_order(tenant_id=tenant, po_id=po.pk)
    return po.pk
