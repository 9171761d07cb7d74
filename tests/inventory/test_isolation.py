"""Another tenant's key finds none of this tenant's warehouses, SKUs or stock."""

import json

from tests.inventory.state import stock_state


def test_every_request_on_another_tenants_ids_is_not_found(world, other_world):
    api = other_world.client()
    main = world.warehouses[0]
    a1 = world.skus["A-1"].pk
    # "main" is also a warehouse code of the other tenant: only the SKU id is foreign.
    receipt = {"warehouse": "main", "sku_id": a1, "quantity": 5}
    adjustment = {"warehouse": "main", "sku_id": a1, "delta": -5, "reason": "count"}
    before = stock_state()

    answers = {
        "read warehouse": api.get(f"/warehouses/{main.pk}"),
        "patch warehouse": api.send(
            "PATCH", f"/warehouses/{main.pk}", json.dumps({"is_active": False})
        ),
        "sku stock": api.get(f"/skus/{a1}/stock"),
    }
    refused = {
        "receipt": api.post("/stock/receipts", receipt),
        "adjustment": api.post("/stock/adjustments", adjustment),
    }

    assert {name: (r.status_code, r.json()["code"]) for name, r in answers.items()} == {
        name: (404, "not_found") for name in answers
    }
    # A foreign id in a body is an unknown reference, named as such.
    for r in refused.values():
        assert r.status_code == 422
        assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("sku_id", "unknown_sku")]
    assert stock_state() == before


def test_lists_filtered_by_another_tenants_sku_are_empty(world, other_world):
    api = other_world.client()
    a1 = world.skus["A-1"].pk

    assert api.get("/stock", sku_id=a1).json() == {"items": [], "next_cursor": None}
    assert api.get("/stock/movements", sku_id=a1).json() == {"items": [], "next_cursor": None}


def test_codes_resolve_within_the_tenant_only(world, other_world):
    api = other_world.client()
    own_a1 = other_world.skus["A-1"].pk

    stock = api.get("/stock", sku="A-1", warehouse="main").json()["items"]
    warehouses = api.get("/warehouses").json()["items"]
    movements = api.get("/stock/movements", sku="A-1").json()["items"]

    assert [row["sku_id"] for row in stock] == [own_a1]
    assert [w["id"] for w in warehouses] == [w.pk for w in other_world.warehouses]
    assert [m["sku_id"] for m in movements] == [own_a1]
