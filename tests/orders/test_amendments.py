"""Amending an order: quantities, new and removed lines, fields; stock and credit move by the
difference only, an order that grows is judged again (hold, approval), buyers amend within
the window and before picking, every refusal changes nothing, and each amendment is a
numbered version on the order's timeline."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dinghuo.customers.models import CreditLine, Location
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import Reservation, StockLevel
from dinghuo.orders.models import Order, OrderAmendment, OrderApproval, OrderLine
from dinghuo.pricing.models import PriceTier
from tests.builders import add_buyer
from tests.invariants import assert_stock_consistent
from tests.orders.support import add_rule, exposure, place, set_credit, set_policy, stock_of


def _amend(world, order_id: int, body: dict, key: str = "a1", client=None, mine: bool = False):
    path = f"/my/orders/{order_id}/amendments" if mine else f"/orders/{order_id}/amendments"
    return (client or world.client()).post(path, body, key=key)


def _lines(order_id: int) -> list[tuple[int, str, int, str, int]]:
    """(line number, SKU, quantity, unit price, backordered) of each line."""
    return [
        (n, sku, q, format(p.normalize(), "f"), b)
        for n, sku, q, p, b in OrderLine.objects.filter(order_id=order_id)
        .order_by("line_number")
        .values_list("line_number", "sku_code", "quantity", "unit_price", "backordered_quantity")
    ]


def _held(order_id: int) -> dict[str, int]:
    """Units reserved for each SKU of the order."""
    held: dict[str, int] = {}
    for sku, quantity in Reservation.objects.filter(order_line__order_id=order_id).values_list(
        "sku__code", "quantity"
    ):
        held[sku] = held.get(sku, 0) + quantity
    return {sku: units for sku, units in held.items() if units}


def _snapshot(world, order_id: int) -> tuple:
    order = Order.objects.get(pk=order_id)
    levels = sorted(StockLevel.objects.values_list("sku__code", "on_hand", "reserved"))
    return (
        order.status,
        order.total,
        order.version,
        _lines(order_id),
        _held(order_id),
        levels,
        CreditLine.objects.filter(company=world.company).values_list("order_exposure").first(),
        OrderAmendment.objects.count(),
    )


@pytest.fixture
def order_id(world) -> int:
    """A-1 ×10 at 9.00 and C-3 ×3 at 0.3333 (91.00), on account within a 1,000 limit."""
    set_credit(world, "1000")
    return place(world, ("A-1", 10), ("C-3", 3))


def test_quantities_new_and_removed_lines_move_stock_and_credit_by_the_difference(world, order_id):
    assert (stock_of(world, "A-1"), stock_of(world, "C-3")) == ((100, 10), (100, 3))
    r = _amend(
        world,
        order_id,
        {"lines": [{"sku": "A-1", "quantity": 12}, {"sku": "B-2", "quantity": 6}], "note": "more"},
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["amendment"]["version"] == 2
    assert body["amendment"]["lines"] == [
        {"line_number": 1, "sku": "A-1", "before": 10, "after": 12, "unit_price": "9.00"},
        {"line_number": None, "sku": "B-2", "before": 0, "after": 6, "unit_price": "2.50"},
        {"line_number": 2, "sku": "C-3", "before": 3, "after": 0, "unit_price": None},
    ]
    assert (body["amendment"]["total_before"], body["amendment"]["total_after"]) == (
        "91.00",
        "123.00",
    )
    # The existing line keeps its frozen 9.00 (12 units would still be tier 9.00 anyway);
    # the removed line is gone, the new one is numbered after the last.
    assert _lines(order_id) == [(1, "A-1", 12, "9", 0), (3, "B-2", 6, "2.5", 0)]
    assert body["order"]["version"] == 2
    assert body["order"]["total"] == "123.00"
    assert (stock_of(world, "A-1"), stock_of(world, "C-3"), stock_of(world, "B-2")) == (
        (100, 12),
        (100, 0),
        (100, 6),
    )
    assert _held(order_id) == {"A-1": 12, "B-2": 6}
    assert exposure(world) == Decimal("123.00")
    assert_stock_consistent(world.tenant.pk)
    timeline = world.client().get(f"/orders/{order_id}/timeline").json()
    amended = [e for e in timeline if e["type"] == "order.amended"]
    assert len(amended) == 1
    assert amended[0]["data"]["version"] == 2
    assert amended[0]["data"]["note"] == "more"
    assert amended[0]["data"]["total"] == "123.00"
    listed = world.client().get(f"/orders/{order_id}/amendments").json()
    assert [a["version"] for a in listed] == [2]


def test_existing_lines_keep_their_frozen_price_new_lines_get_todays(world, order_id):
    PriceTier.objects.filter(sku=world.skus["A-1"]).update(unit_price=Decimal("20.00"))
    PriceTier.objects.filter(sku=world.skus["B-2"]).update(unit_price=Decimal("3.00"))
    r = _amend(
        world,
        order_id,
        {
            "lines": [
                {"sku": "A-1", "quantity": 11},
                {"sku": "C-3", "quantity": 3},
                {"sku": "B-2", "quantity": 6},
            ]
        },
    )
    assert r.status_code == 201, r.json()
    assert _lines(order_id)[0][3] == "9"  # frozen
    assert _lines(order_id)[2][3] == "3"  # today's
    assert Order.objects.get(pk=order_id).total == Decimal("118.00")  # 99 + 1 + 18


def test_staff_may_reprice_at_todays_prices(world, order_id):
    PriceTier.objects.filter(sku=world.skus["A-1"]).update(unit_price=Decimal("8.50"))
    r = _amend(world, order_id, {"reprice": True})
    assert r.status_code == 201, r.json()
    assert r.json()["amendment"]["repriced"] == ["A-1"]
    assert _lines(order_id)[0][3] == "8.5"
    assert exposure(world) == Decimal("86.00")  # 85 + 1
    again = _amend(world, order_id, {"reprice": True}, key="a2")
    assert (again.status_code, again.json()["code"]) == (422, "validation_failed")
    assert again.json()["errors"][0]["code"] == "nothing_to_amend"


def test_a_smaller_line_gives_up_backordered_units_before_reserved_ones(world):
    set_credit(world, None)
    stock.receive_stock(
        tenant_id=world.tenant.pk,
        warehouse_code="main",
        sku_id=world.skus["D-4"].pk,
        quantity=2,
        reason="first lot",
    )
    order_id = place(world, ("D-4", 5))  # 2 reserved, 3 backordered
    assert _lines(order_id) == [(1, "D-4", 5, "100", 3)]
    assert _amend(world, order_id, {"lines": [{"sku": "D-4", "quantity": 3}]}).status_code == 201
    assert _lines(order_id) == [(1, "D-4", 3, "100", 1)]
    assert stock_of(world, "D-4") == (2, 2)  # nothing released: only the backorder fell
    assert (
        _amend(world, order_id, {"lines": [{"sku": "D-4", "quantity": 1}]}, key="a2").status_code
        == 201
    )
    assert _lines(order_id) == [(1, "D-4", 1, "100", 0)]
    assert stock_of(world, "D-4") == (2, 1)
    grown = _amend(world, order_id, {"lines": [{"sku": "D-4", "quantity": 4}]}, key="a3")
    assert grown.status_code == 201, grown.json()
    assert _lines(order_id) == [(1, "D-4", 4, "100", 2)]  # 1 more reserved, 2 wait
    assert stock_of(world, "D-4") == (2, 2)
    assert_stock_consistent(world.tenant.pk)


def test_a_smaller_line_releases_from_the_warehouse_it_would_ship_from_last(world):
    # 100 in main (priority 1); 5 more in north (priority 2): 103 reserves 100 + 3.
    stock.receive_stock(
        tenant_id=world.tenant.pk,
        warehouse_code="north",
        sku_id=world.skus["A-1"].pk,
        quantity=5,
        reason="north lot",
    )
    set_credit(world, None)
    order_id = place(world, ("A-1", 103))
    r = _amend(world, order_id, {"lines": [{"sku": "A-1", "quantity": 101}]})
    assert r.status_code == 201, r.json()
    held = dict(
        Reservation.objects.filter(order_line__order_id=order_id).values_list(
            "warehouse__code", "quantity"
        )
    )
    assert held == {"main": 100, "north": 1}
    assert_stock_consistent(world.tenant.pk)


def test_refusals_change_nothing(world, order_id, other_world):
    before = _snapshot(world, order_id)
    cases = [
        (
            {"lines": [{"sku": "A-1", "quantity": 101}, {"sku": "C-3", "quantity": 3}]},
            409,
            "insufficient_stock",
        ),
        (
            {"lines": [{"sku": "B-2", "quantity": 5}, {"sku": "A-1", "quantity": 10}]},
            422,
            "validation_failed",
        ),
        ({"lines": [{"sku": "NOPE", "quantity": 1}]}, 422, "validation_failed"),
        (
            {"lines": [{"sku": "A-1", "quantity": 10}, {"sku": "C-3", "quantity": 3}]},
            422,
            "validation_failed",
        ),
        ({"requested_delivery_date": "2000-01-01"}, 422, "validation_failed"),
        ({"ship_to_id": other_world.ship_to.pk}, 422, "validation_failed"),
        ({"lines": []}, 422, "invalid_request"),
    ]
    for n, (body, status, code) in enumerate(cases):
        r = _amend(world, order_id, body, key=f"bad{n}")
        assert (r.status_code, r.json()["code"]) == (status, code), (body, r.json())
        assert _snapshot(world, order_id) == before, body
    # Another tenant's order is not found.
    r = _amend(other_world, order_id, {"note": "x", "purchase_order_number": "PO-9"})
    assert r.status_code == 404
    assert _snapshot(world, order_id) == before


def test_fields_change_and_a_new_ship_to_retaxes(world, order_id):
    other = Location.objects.create(
        tenant=world.tenant, company=world.company, kind="ship_to", name="Kowloon",
        line1="1 Nathan Road", city="Hong Kong", country="HK",
    )  # fmt: skip
    r = _amend(
        world,
        order_id,
        {
            "ship_to_id": other.pk,
            "purchase_order_number": "PO-77",
            "requested_delivery_date": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    assert r.status_code == 201, r.json()
    fields = {f["field"]: (f["before"], f["after"]) for f in r.json()["amendment"]["fields"]}
    assert fields["ship_to_id"] == (world.ship_to.pk, other.pk)
    assert fields["purchase_order_number"] == ("", "PO-77")
    order = Order.objects.get(pk=order_id)
    assert (order.ship_to_id, order.purchase_order_number) == (other.pk, "PO-77")
    cleared = _amend(world, order_id, {"clear_requested_delivery_date": True}, key="a2")
    assert cleared.status_code == 201
    assert Order.objects.get(pk=order_id).requested_delivery_date is None
    assert Order.objects.get(pk=order_id).version == 3


def test_growing_past_an_approval_rule_goes_back_to_approval(world):
    set_credit(world, None)
    set_policy(world, auto_confirm=True)
    add_rule(world, "Big orders", approver="seller", min_amount=Decimal("500"))
    order_id = place(world, ("A-1", 10))
    assert Order.objects.get(pk=order_id).status == "confirmed"
    small = _amend(world, order_id, {"lines": [{"sku": "A-1", "quantity": 11}]}, key="a0")
    assert small.json()["order"]["approvals"] == []
    r = _amend(world, order_id, {"lines": [{"sku": "A-1", "quantity": 60}]})
    assert r.status_code == 201, r.json()
    assert r.json()["order"]["status"] == "awaiting_approval"
    # The answer shows the order as reading it again does, its new approval step included.
    fresh = world.client().get(f"/orders/{order_id}").json()
    assert [a["status"] for a in r.json()["order"]["approvals"]] == ["pending"]
    assert r.json()["order"]["approvals"] == fresh["approvals"]
    assert r.json()["amendment"]["status_after"] == "awaiting_approval"
    steps = list(OrderApproval.objects.filter(order_id=order_id).values_list("status", flat=True))
    assert steps == ["pending"]
    types = [e["type"] for e in world.client().get(f"/orders/{order_id}/timeline").json()]
    assert types[-2:] == ["order.amended", "order.approval_requested"]
    # A smaller amendment needs no new approval.
    r = _amend(world, order_id, {"lines": [{"sku": "A-1", "quantity": 59}]}, key="a2")
    assert r.json()["order"]["status"] == "awaiting_approval"
    assert [a["status"] for a in r.json()["order"]["approvals"]] == ["pending"]
    assert OrderApproval.objects.filter(order_id=order_id).count() == 1


def test_growing_over_the_credit_limit_holds_or_refuses_as_the_policy_says(world):
    set_credit(world, "200")
    order_id = place(world, ("A-1", 10))  # 90.00
    assert exposure(world) == Decimal("90.00")
    set_policy(world, credit_action="refuse")
    before = _snapshot(world, order_id)
    r = _amend(world, order_id, {"lines": [{"sku": "A-1", "quantity": 30}]})
    assert (r.status_code, r.json()["code"]) == (409, "credit_refused")
    assert _snapshot(world, order_id) == before
    # Within the limit once the order's own 90.00 is set aside: 22 × 9 = 198.
    ok = _amend(world, order_id, {"lines": [{"sku": "A-1", "quantity": 22}]}, key="a2")
    assert ok.status_code == 201, ok.json()
    assert exposure(world) == Decimal("198.00")
    set_policy(world, credit_action="hold")
    held = _amend(world, order_id, {"lines": [{"sku": "A-1", "quantity": 30}]}, key="a3")
    assert held.status_code == 201, held.json()
    assert held.json()["order"]["status"] == "credit_hold"
    assert exposure(world) == Decimal(0)
    assert_stock_consistent(world.tenant.pk)


def test_a_partly_shipped_order_cannot_go_below_what_shipped(world, order_id):
    world.client().post(f"/orders/{order_id}/confirm")
    r = world.client().post(
        f"/orders/{order_id}/shipments",
        {"carrier": "DHL", "tracking_number": "T1", "lines": [{"line_number": 1, "quantity": 4}]},
    )
    assert r.status_code == 201, r.json()
    before = _snapshot(world, order_id)
    for n, lines in enumerate(
        [
            [{"sku": "A-1", "quantity": 3}, {"sku": "C-3", "quantity": 3}],
            [{"sku": "C-3", "quantity": 3}],
        ]
    ):
        r = _amend(world, order_id, {"lines": lines}, key=f"s{n}")
        assert (r.status_code, r.json()["code"]) == (409, "line_shipped"), r.json()
        assert _snapshot(world, order_id) == before
    # Down to what shipped, and the other line removed: the order is then all shipped? No:
    # it stays partially shipped until the next shipment; staff may still amend it.
    ok = _amend(
        world,
        order_id,
        {"lines": [{"sku": "A-1", "quantity": 4}, {"sku": "C-3", "quantity": 1}]},
        key="s9",
    )
    assert ok.status_code == 201, ok.json()
    assert _lines(order_id) == [(1, "A-1", 4, "9", 0), (2, "C-3", 1, "0.3333", 0)]
    assert_stock_consistent(world.tenant.pk)


@pytest.mark.parametrize("status", ["shipped", "delivered", "cancelled"])
def test_a_closed_order_cannot_be_amended(world, order_id, status):
    if status == "cancelled":
        world.client().post(f"/orders/{order_id}/cancel", {"reason": "x"})
    else:
        world.client().post(f"/orders/{order_id}/confirm")
        world.client().post(
            f"/orders/{order_id}/shipments", {"carrier": "D", "tracking_number": "1"}
        )
        if status == "delivered":
            world.client().post(f"/orders/{order_id}/deliver")
    assert Order.objects.get(pk=order_id).status == status
    r = _amend(world, order_id, {"purchase_order_number": "PO-1"})
    assert (r.status_code, r.json()["code"]) == (409, "order_not_amendable")


def test_buyers_amend_within_the_window_and_before_picking(world, order_id):
    _member, buyer = add_buyer(world, "ann@buyer.test")
    body = {"lines": [{"sku": "A-1", "quantity": 11}, {"sku": "C-3", "quantity": 3}]}
    ok = _amend(world, order_id, body, client=buyer, mine=True)
    assert ok.status_code == 201, ok.json()
    assert ok.json()["amendment"]["by_buyer"] is True
    assert "ann" in ok.json()["amendment"]["amended_by"]
    # Buyers cannot reprice.
    r = _amend(world, order_id, {"reprice": True}, key="r", client=buyer, mine=True)
    assert r.status_code == 422  # an unknown field to the buyer's body
    # The warehouse starts picking: only staff may amend now.
    world.client().post(f"/orders/{order_id}/confirm")
    started = world.client().post(f"/orders/{order_id}/start-picking")
    assert started.status_code == 200 and started.json()["picking_started_at"]
    late = _amend(world, order_id, {"purchase_order_number": "X"}, key="p", client=buyer, mine=True)
    assert (late.status_code, late.json()["code"]) == (409, "picking_started")
    assert _amend(world, order_id, {"purchase_order_number": "X"}, key="p").status_code == 201


def test_the_buyers_window_closes_on_the_hour(world, order_id):
    _member, buyer = add_buyer(world, "bo@buyer.test")
    set_policy(world, buyer_amend_hours=2)
    placed = Order.objects.get(pk=order_id).placed_at
    Order.objects.filter(pk=order_id).update(
        placed_at=timezone.now() - timedelta(hours=2, seconds=5)
    )
    late = _amend(world, order_id, {"purchase_order_number": "X"}, client=buyer, mine=True)
    assert (late.status_code, late.json()["code"]) == (409, "amend_window_closed")
    Order.objects.filter(pk=order_id).update(
        placed_at=timezone.now() - timedelta(hours=1, minutes=59)
    )
    ok = _amend(world, order_id, {"purchase_order_number": "X"}, key="b2", client=buyer, mine=True)
    assert ok.status_code == 201, ok.json()
    set_policy(world, buyer_amend_hours=0)
    off = _amend(world, order_id, {"purchase_order_number": "Y"}, key="b3", client=buyer, mine=True)
    assert (off.status_code, off.json()["code"]) == (409, "buyer_amendments_off")
    assert placed  # the order's own time was real before the test moved it


def test_another_companys_buyer_does_not_find_the_order(world, order_id):
    from dinghuo.customers.models import Company

    other = Company.objects.create(
        tenant=world.tenant, code="C002", name="Other", price_list=world.price_list
    )
    _member, stranger = add_buyer(world, "eve@other.test", company=other)
    r = _amend(world, order_id, {"purchase_order_number": "X"}, client=stranger, mine=True)
    assert r.status_code == 404
    assert stranger.get(f"/my/orders/{order_id}/amendments").status_code == 404


def test_an_amendment_is_applied_once_per_key(world, order_id):
    body = {"lines": [{"sku": "A-1", "quantity": 12}, {"sku": "C-3", "quantity": 3}]}
    first = _amend(world, order_id, body, key="same")
    again = _amend(world, order_id, body, key="same")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert Order.objects.get(pk=order_id).version == 2
    assert stock_of(world, "A-1") == (100, 12)
    missing = world.client().post(f"/orders/{order_id}/amendments", body)
    assert (missing.status_code, missing.json()["code"]) == (422, "idempotency_key_required")
