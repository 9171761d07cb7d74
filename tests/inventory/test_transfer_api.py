"""Moving stock between warehouses through the API: all lines or none, once per key."""

import json

from dinghuo.inventory.models import StockLevel, StockMovement
from tests.backoffice.staffing import place
from tests.invariants import assert_stock_consistent
from tests.inventory.state import stock_state


def _on_hand(world, sku, warehouse):
    level = StockLevel.objects.filter(sku=world.skus[sku], warehouse__code=warehouse).first()
    return level.on_hand if level else 0


def _body(world, *lines, **extra):
    return {
        "from_warehouse": "main",
        "to_warehouse": "north",
        "lines": [{"sku_id": world.skus[sku].pk, "quantity": q} for sku, q in lines],
        **extra,
    }


def test_a_transfer_of_several_lines_moves_them_all(world):
    api = world.client()
    moved = api.post("/stock-transfers", _body(world, ("C-3", 5), ("A-1", 30)), key="t1")
    assert moved.status_code == 201, moved.json()
    assert moved.json()["lines"] == 2
    assert {(lv["sku"], lv["warehouse"], lv["on_hand"]) for lv in moved.json()["levels"]} == {
        ("A-1", "main", 70),
        ("A-1", "north", 30),
        ("C-3", "main", 95),
        ("C-3", "north", 5),
    }
    again = api.post("/stock-transfers", _body(world, ("C-3", 5), ("A-1", 30)), key="t1")
    assert again.json() == moved.json() and again["Idempotent-Replayed"] == "true"
    assert _on_hand(world, "A-1", "main") == 70
    assert StockMovement.objects.filter(reference="transfer").count() == 4
    assert_stock_consistent(world.tenant.pk)


def test_one_short_line_moves_nothing(world):
    api = world.client()
    place(world, ("A-1", 95))
    before = stock_state()
    refused = api.post("/stock-transfers", _body(world, ("C-3", 5), ("A-1", 6)), key="t2")
    assert refused.status_code == 409
    assert refused.json()["code"] == "insufficient_stock"
    assert refused.json()["errors"][0]["field"] == "lines[1].quantity"
    assert {k: v for k, v in stock_state().items() if k != "idempotency"} == {
        k: v for k, v in before.items() if k != "idempotency"
    }


def test_bad_transfers_are_refused(world):
    api = world.client()
    before = stock_state()
    same = api.post("/stock-transfers", _body(world, ("A-1", 1), to_warehouse="main"), key="t3")
    assert (same.status_code, same.json()["errors"][0]["code"]) == (422, "same_warehouse")
    twice = api.post("/stock-transfers", _body(world, ("A-1", 1), ("A-1", 2)), key="t4")
    assert twice.json()["errors"][0] == {
        "field": "lines[1].sku_id",
        "code": "duplicate_sku",
        "message": "SKU given twice",
    }
    zero = api.send("POST", "/stock-transfers", json.dumps(_body(world, ("A-1", 0))))
    assert zero.status_code == 422
    keyless = api.post("/stock-transfers", _body(world, ("A-1", 1)))
    assert keyless.json()["code"] == "idempotency_key_required"
    assert stock_state()["levels"] == before["levels"]


def test_a_warehouse_clerk_may_move_stock_and_sales_may_not(world):
    from tests.stocktaking.support import role_client

    body = _body(world, ("A-1", 1))
    assert role_client(world, "sales").post("/stock-transfers", body, key="s").status_code == 403
    assert (
        role_client(world, "warehouse").post("/stock-transfers", body, key="w").status_code == 201
    )
