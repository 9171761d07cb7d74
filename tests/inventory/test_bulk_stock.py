"""Bulk stock receipts and adjustments (POST /stock/receipts/bulk, /stock/adjustments/bulk):
many lines in one request, all or nothing, one ledger movement per line, problems named by
their line, an Idempotency-Key required, waiting backorders served as by a single receipt."""

from typing import Any

import pytest

from dinghuo.core.errors import ValidationFailed
from dinghuo.integrations.models import Event
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import StockLevel, StockMovement
from dinghuo.orders.models import OrderLine
from tests.builders import World
from tests.invariants import assert_stock_consistent
from tests.orders.support import place

pytestmark = pytest.mark.django_db


def _level(world: World, sku: str, warehouse: str = "main") -> tuple[int, int]:
    level = StockLevel.objects.filter(sku=world.skus[sku], warehouse__code=warehouse).first()
    return (level.on_hand, level.reserved) if level else (0, 0)


def _post(world: World, path: str, lines: list[dict[str, Any]], key: str | None = "b1") -> Any:
    return world.client().post(path, {"lines": lines}, key=key)


def _movements(world: World) -> list[tuple[str, str, int, str, str]]:
    return list(
        StockMovement.objects.filter(tenant=world.tenant)
        .order_by("pk")
        .values_list("sku__code", "warehouse__code", "on_hand_delta", "reason", "reference")
    )


def test_a_receipt_of_many_lines_writes_each_line(world: World) -> None:
    before = _movements(world)
    events = Event.objects.filter(type="stock.changed").count()
    lines = [
        {"sku": "A-1", "warehouse": "main", "quantity": 5, "reference": "GRN-7"},
        {"sku": "B-2", "warehouse": "north", "quantity": 3, "reference": "GRN-7"},
        {"sku": "A-1", "warehouse": "main", "quantity": 2, "reason": "late", "reference": "GRN-7"},
    ]
    response = _post(world, "/stock/receipts/bulk", lines)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["lines"] == 3
    assert [(lv["sku"], lv["warehouse"], lv["on_hand"]) for lv in body["levels"]] == [
        ("A-1", "main", 107),
        ("B-2", "north", 3),
    ]
    assert _movements(world)[len(before) :] == [
        ("A-1", "main", 5, "receipt", "GRN-7"),
        ("B-2", "north", 3, "receipt", "GRN-7"),
        ("A-1", "main", 2, "late", "GRN-7"),
    ]
    assert Event.objects.filter(type="stock.changed").count() == events + 1
    # The same request again (a retry) is answered the same and moves nothing.
    again = _post(world, "/stock/receipts/bulk", lines)
    assert again.status_code == 201
    assert again.json() == body
    assert again["Idempotent-Replayed"] == "true"
    assert len(_movements(world)) == len(before) + 3
    assert_stock_consistent(world.tenant.pk)


def test_one_bad_line_refuses_them_all_naming_each_line(world: World) -> None:
    before = _movements(world)
    lines = [
        {"sku": "A-1", "warehouse": "nowhere", "quantity": 5},
        {"sku": "B-2", "warehouse": "main", "quantity": 1},
        {"sku": "NOPE", "warehouse": "main", "quantity": 1},
    ]
    response = _post(world, "/stock/receipts/bulk", lines)
    assert response.status_code == 422
    problems = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert problems == {
        ("lines[0].warehouse", "unknown_warehouse"),
        ("lines[2].sku", "unknown_sku"),
    }
    assert _movements(world) == before
    zero = _post(world, "/stock/receipts/bulk", [{**lines[1], "quantity": 0}], key="b2")
    assert zero.status_code == 422
    assert [e["field"] for e in zero.json()["errors"]] == ["lines[0].quantity"]
    assert _level(world, "B-2") == (100, 0)


def test_an_idempotency_key_is_required(world: World) -> None:
    for path, line in [
        ("/stock/receipts/bulk", {"sku": "A-1", "warehouse": "main", "quantity": 1}),
        ("/stock/adjustments/bulk", {"sku": "A-1", "warehouse": "main", "delta": 1, "reason": "x"}),
    ]:
        response = _post(world, path, [line], key=None)
        assert response.status_code == 422
        assert response.json()["code"] == "idempotency_key_required"
    assert _level(world, "A-1") == (100, 0)


def test_at_most_a_thousand_lines(world: World) -> None:
    line = {"sku": "A-1", "warehouse": "main", "quantity": 1}
    response = _post(world, "/stock/receipts/bulk", [line] * 1001)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["lines"]
    assert _level(world, "A-1") == (100, 0)
    accepted = _post(world, "/stock/receipts/bulk", [line] * 1000, key="b2")
    assert accepted.status_code == 201
    assert _level(world, "A-1") == (1100, 0)


def test_the_service_refuses_too_many_lines_itself(world: World) -> None:
    lines = [stock.StockLine("A-1", "main", 1)] * (stock.MAX_STOCK_LINES + 1)
    with pytest.raises(ValidationFailed) as refused:
        stock.receive_many(tenant_id=world.tenant.pk, lines=lines)
    assert [(e.field, e.code) for e in refused.value.errors] == [("lines", "too_many_lines")]


def test_an_adjustment_may_not_fall_below_what_orders_reserved(world: World) -> None:
    place(world, ("A-1", 60))
    assert _level(world, "A-1") == (100, 60)
    before = _movements(world)
    lines = [
        {"sku": "B-2", "warehouse": "main", "delta": -10, "reason": "count"},
        {"sku": "A-1", "warehouse": "main", "delta": -30, "reason": "count"},
        {"sku": "A-1", "warehouse": "main", "delta": -15, "reason": "damage"},
    ]
    response = _post(world, "/stock/adjustments/bulk", lines)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "below_reserved"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("lines[2].delta", "below_reserved")
    ]
    assert _movements(world) == before
    # Within what is free it goes through, each line its own movement.
    ok = _post(world, "/stock/adjustments/bulk", lines[:2], key="b2")
    assert ok.status_code == 201, ok.json()
    assert (_level(world, "A-1"), _level(world, "B-2")) == ((70, 60), (90, 0))
    assert _movements(world)[len(before) :] == [
        ("B-2", "main", -10, "count", ""),
        ("A-1", "main", -30, "count", ""),
    ]
    nothing = _post(world, "/stock/adjustments/bulk", [{**lines[0], "delta": 0}], key="b3")
    assert nothing.status_code == 422
    assert [e["code"] for e in nothing.json()["errors"]] == ["invalid_delta"]
    assert_stock_consistent(world.tenant.pk)


def test_units_received_in_bulk_serve_waiting_orders(world: World) -> None:
    waiting = place(world, ("D-4", 5), key="k1")
    assert OrderLine.objects.get(order_id=waiting).backordered_quantity == 5
    lines = [
        {"sku": "A-1", "warehouse": "main", "quantity": 1},
        {"sku": "D-4", "warehouse": "north", "quantity": 3},
    ]
    assert _post(world, "/stock/receipts/bulk", lines).status_code == 201
    assert OrderLine.objects.get(order_id=waiting).backordered_quantity == 2
    assert _level(world, "D-4", "north") == (3, 3)
    found = [{"sku": "D-4", "warehouse": "main", "delta": 4, "reason": "found"}]
    assert _post(world, "/stock/adjustments/bulk", found, key="b2").status_code == 201
    assert OrderLine.objects.get(order_id=waiting).backordered_quantity == 0
    assert _level(world, "D-4") == (4, 2)
    assert_stock_consistent(world.tenant.pk)
