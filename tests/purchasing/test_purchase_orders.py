"""A purchase order's life through the API: drafted with the supplier's costs, approved by
amount, sent, confirmed, received in deliveries (stock, incoming, backorders), closed; and
bad input refused with nothing changed."""

import json
from decimal import Decimal

from dinghuo.inventory.models import StockLevel, StockMovement
from dinghuo.orders.models import OrderLine
from dinghuo.purchasing import queries, services
from dinghuo.purchasing.models import PurchaseOrder, PurchaseOrderLine, PurchaseReceipt
from tests.invariants import assert_stock_consistent
from tests.purchasing.support import draft, receive, sent_po, supplier, supplies


def _on_hand(world, sku: str) -> int:
    return StockLevel.objects.get(warehouse=world.warehouses[0], sku=world.skus[sku]).on_hand


def test_a_draft_takes_the_suppliers_tier_cost_and_totals_in_its_currency(world):
    sup = supplier(world, currency="EUR")
    supplies(
        world,
        sup,
        "A-1",
        cost="9.50",
        cost_tiers=[
            {"min_quantity": 1, "unit_cost": "9.50"},
            {"min_quantity": 10, "unit_cost": "8.25"},
        ],
    )
    r = draft(world, sup, ("A-1", 12), key="d1")
    assert r.status_code == 201, r.json()
    po = r.json()
    assert po["status"] == "draft" and po["currency"] == "EUR"
    assert po["lines"][0]["unit_cost"] == "8.25" and po["total"] == "99.00"
    assert po["number"] == f"PO-{po['id']:07d}"
    # The same key again: the same answer, one PO.
    assert draft(world, sup, ("A-1", 12), key="d1").json()["id"] == po["id"]
    assert PurchaseOrder.objects.count() == 1


def test_below_the_approval_limit_a_po_approves_on_submit_and_above_it_waits(world):
    services.set_purchasing_policy(
        tenant_id=world.tenant.pk,
        approval_limit=Decimal("100.00"),
        over_delivery_percent=Decimal(10),
        demand_window_days=30,
    )
    sup = supplier(world)
    supplies(world, sup, "A-1", cost="10.00")
    api = world.client()
    small = draft(world, sup, ("A-1", 10)).json()["id"]  # 100.00: the limit itself
    assert api.post(f"/purchase-orders/{small}/submit").json()["status"] == "approved"
    big = draft(world, sup, ("A-1", 11)).json()["id"]  # 110.00
    waiting = api.post(f"/purchase-orders/{big}/submit").json()
    assert waiting["status"] == "awaiting_approval"
    refused = api.post(f"/purchase-orders/{big}/send")
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_po_transition"
    assert api.post(f"/purchase-orders/{big}/approve").json()["status"] == "approved"


def test_a_rejected_po_goes_back_to_draft_with_a_comment(world):
    services.set_purchasing_policy(
        tenant_id=world.tenant.pk,
        approval_limit=Decimal(0),
        over_delivery_percent=Decimal(10),
        demand_window_days=30,
    )
    sup = supplier(world)
    supplies(world, sup, "A-1")
    api = world.client()
    po = draft(world, sup, ("A-1", 1)).json()["id"]
    api.post(f"/purchase-orders/{po}/submit")
    no_reason = api.post(f"/purchase-orders/{po}/reject", {"comment": " "})
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "comment_required"
    back = api.post(f"/purchase-orders/{po}/reject", {"comment": "Too many"})
    assert back.json()["status"] == "draft"


def test_receiving_in_two_deliveries_moves_stock_and_incoming(world):
    po = sent_po(world, ("A-1", 10), ("B-2", 6))
    api = world.client()
    before = _on_hand(world, "A-1")
    assert queries.incoming(world.tenant.pk)[(world.skus["A-1"].pk, world.warehouses[0].pk)] == 10
    first = receive(world, po["id"], (1, 4), key="r1")
    assert first.status_code == 201, first.json()
    assert first.json()["status"] == "partially_received"
    assert "unit_cost" not in str(first.json())  # the warehouse sees no costs
    assert receive(world, po["id"], (1, 4), key="r1").json() == first.json()  # replayed
    assert _on_hand(world, "A-1") == before + 4
    incoming = queries.incoming(world.tenant.pk)
    assert incoming[(world.skus["A-1"].pk, world.warehouses[0].pk)] == 6
    second = receive(world, po["id"], (1, 6), (2, 6))
    assert second.json()["status"] == "received"
    assert queries.incoming(world.tenant.pk) == {}
    detail = api.get(f"/purchase-orders/{po['id']}").json()
    assert [r["number"] for r in detail["receipts"]] == [1, 2]
    assert detail["receipts"][0]["lines"] == [
        {"line_number": 1, "quantity": 4, "unit_cost": "5.00"}
    ]
    moves = StockMovement.objects.filter(reference=po["number"], kind="receipt")
    assert sorted(m.on_hand_delta for m in moves) == [4, 6, 6]
    assert_stock_consistent(world.tenant.pk)


def test_the_stock_answer_shows_incoming(world):
    po = sent_po(world, ("A-1", 10))
    found = world.client().get("/stock/incoming", sku_id=world.skus["A-1"].pk).json()["items"]
    main = next(p for p in found if p["warehouse"] == "main")
    assert main["incoming"] == 10 and main["available"] == 100
    receive(world, po["id"], (1, 3))
    found = world.client().get("/stock/incoming", sku_id=world.skus["A-1"].pk).json()["items"]
    assert next(p for p in found if p["warehouse"] == "main")["incoming"] == 7


def test_received_goods_fill_waiting_backorders(world):
    api = world.client()
    order = api.place(world.order_body(("D-4", 3)), key="bo").json()
    assert order["lines"][0]["backordered_quantity"] == 3
    po = sent_po(world, ("D-4", 5))
    assert receive(world, po["id"], (1, 5)).status_code == 201
    line = OrderLine.objects.get(order_id=order["id"])
    assert line.backordered_quantity == 0
    level = StockLevel.objects.get(warehouse=world.warehouses[0], sku=world.skus["D-4"])
    assert (level.on_hand, level.reserved) == (5, 3)
    assert_stock_consistent(world.tenant.pk)


def test_over_delivery_within_the_tolerance_is_taken_and_beyond_it_refused(world):
    po = sent_po(world, ("A-1", 15))  # 10 %: 16 may arrive in all
    before = _on_hand(world, "A-1")
    too_many = receive(world, po["id"], (1, 17))
    assert too_many.status_code == 422
    [problem] = too_many.json()["errors"]
    assert problem["code"] == "over_delivery" and problem["field"] == "lines[0].quantity"
    assert _on_hand(world, "A-1") == before and not PurchaseReceipt.objects.exists()
    assert receive(world, po["id"], (1, 16)).json()["status"] == "received"
    detail = world.client().get(f"/purchase-orders/{po['id']}").json()
    assert detail["lines"][0]["over_delivered"] == 1


def test_bad_receipts_change_nothing(world, other_world):
    po = sent_po(world, ("A-1", 5))
    before = _on_hand(world, "A-1")
    for lines, code in [
        ([(1, -1)], "quantity_not_positive"),
        ([(1, 0)], "quantity_not_positive"),
        ([(9, 1)], "unknown_line"),
        ([(1, 1), (1, 1)], "duplicate_line"),
    ]:
        r = receive(world, po["id"], *lines)
        assert r.status_code == 422 and r.json()["errors"][-1]["code"] == code, r.json()
    stranger = other_world.client().post(
        f"/purchase-orders/{po['id']}/receipts", {"lines": [{"line_number": 1, "quantity": 1}]}
    )
    assert stranger.status_code == 404
    assert _on_hand(world, "A-1") == before
    assert PurchaseOrderLine.objects.get(order_id=po["id"]).received_quantity == 0


def test_a_closed_po_cancels_what_is_left_and_receives_no_more(world):
    po = sent_po(world, ("A-1", 10))
    receive(world, po["id"], (1, 4))
    closed = world.client().post(f"/purchase-orders/{po['id']}/close", {"reason": "enough"})
    assert closed.json()["status"] == "closed"
    assert closed.json()["lines"][0]["cancelled_quantity"] == 6
    assert closed.json()["lines"][0]["open_quantity"] == 0
    assert queries.incoming(world.tenant.pk) == {}
    late = receive(world, po["id"], (1, 1))
    assert late.status_code == 409 and late.json()["code"] == "invalid_po_transition"


def test_a_draft_cannot_receive_and_bad_lines_are_named(world):
    sup = supplier(world)
    supplies(world, sup, "A-1")
    po = draft(world, sup, ("A-1", 2)).json()["id"]
    assert receive(world, po, (1, 1)).status_code == 409
    r = world.client().post(
        "/purchase-orders",
        {
            "supplier_id": sup,
            "warehouse_id": world.warehouses[0].pk,
            "lines": [
                {"sku_id": 10**9, "quantity": 1},
                {"sku_id": world.skus["B-2"].pk, "quantity": 1},
                {"sku_id": world.skus["A-1"].pk, "quantity": -2},
            ],
        },
    )
    assert r.status_code == 422
    codes = [e["code"] for e in r.json()["errors"]]
    assert codes == ["unknown_sku", "no_supplier_cost", "quantity_not_positive"]
    assert PurchaseOrder.objects.count() == 1


def test_the_supplier_confirms_quantities_and_dates(world):
    po = sent_po(world, ("A-1", 10))
    api = world.client()
    over = api.post(
        f"/purchase-orders/{po['id']}/confirm", {"lines": [{"line_number": 1, "quantity": 11}]}
    )
    assert over.status_code == 422 and over.json()["code"] == "exceeds_ordered_quantity"
    ok = api.post(
        f"/purchase-orders/{po['id']}/confirm",
        {"lines": [{"line_number": 1, "quantity": 8, "delivery_date": "2030-01-15"}]},
    )
    line = ok.json()["lines"][0]
    assert ok.json()["status"] == "confirmed"
    assert (line["confirmed_quantity"], line["confirmed_date"]) == (8, "2030-01-15")


def test_a_draft_changes_under_if_match(world):
    sup = supplier(world)
    supplies(world, sup, "A-1")
    po = draft(world, sup, ("A-1", 2)).json()["id"]
    api = world.client()
    tag = api.get(f"/purchase-orders/{po}")["ETag"]
    body = {"lines": [{"sku_id": world.skus["A-1"].pk, "quantity": 4}], "note": "more"}
    changed = api.send("PATCH", f"/purchase-orders/{po}", json.dumps(body), **{"If-Match": tag})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["total"] == "20.00"
    stale = api.send("PATCH", f"/purchase-orders/{po}", json.dumps(body), **{"If-Match": tag})
    assert stale.status_code == 412
    api.post(f"/purchase-orders/{po}/submit")
    late = api.send("PATCH", f"/purchase-orders/{po}", json.dumps({"note": "x"}))
    assert late.status_code == 409 and late.json()["code"] == "po_not_draft"


def test_warehouse_keys_receive_but_cannot_read_costs(world):
    from dinghuo.core.services import create_api_key

    po = sent_po(world, ("A-1", 3))
    key = create_api_key(
        tenant=world.tenant, name="dock", scopes={"read", "write"}, role="warehouse"
    ).secret
    dock = world.client(key)
    assert dock.get(f"/purchase-orders/{po['id']}").status_code == 403
    assert dock.get("/replenishment/suggestions").status_code == 403
    r = dock.post(
        f"/purchase-orders/{po['id']}/receipts", {"lines": [{"line_number": 1, "quantity": 3}]}
    )
    assert r.status_code == 201 and r.json()["status"] == "received"


def test_a_total_beyond_what_can_be_kept_is_refused(world):
    sup = supplier(world)
    body = {
        "supplier_id": sup,
        "warehouse_id": world.warehouses[0].pk,
        "lines": [{"sku_id": world.skus["A-1"].pk, "quantity": 10**9, "unit_cost": "100000.00"}],
    }
    r = world.client().post("/purchase-orders", body)
    assert r.status_code == 422 and r.json()["code"] == "po_total_too_large"
    assert not PurchaseOrder.objects.exists()
