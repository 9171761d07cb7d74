"""Short-closing a partially shipped order: the unshipped rest is cancelled, exactly its
stock and credit are released, the order is shipped and the buyer sees why; every refusal
changes nothing."""

from decimal import Decimal

import pytest

from dinghuo.core.errors import Conflict, NotFound, ValidationFailed
from dinghuo.integrations.models import Event
from dinghuo.inventory.models import StockMovement
from dinghuo.orders import services
from dinghuo.orders.models import Order, OrderLine
from tests.invariants import assert_stock_consistent
from tests.orders.support import exposure, place, set_credit, stock_of


def _ship(world, order_id: int, *lines: tuple[int, int]) -> None:
    body: dict[str, object] = {"carrier": "DHL", "tracking_number": f"T{len(lines)}"}
    if lines:
        body["lines"] = [{"line_number": n, "quantity": q} for n, q in lines]
    r = world.client().post(f"/orders/{order_id}/shipments", body)
    assert r.status_code == 201, r.json()


def _close(world, order_id: int, reason: str = "supplier discontinued") -> services.ShortClosed:
    return services.short_close_order(
        tenant_id=world.tenant.pk, order_id=order_id, reason=reason, closed_by="staff Ann"
    )


def _lines(order_id: int) -> list[tuple[int, int, int, int]]:
    """(quantity, shipped, cancelled, backordered) of each line."""
    return list(
        OrderLine.objects.filter(order_id=order_id)
        .order_by("line_number")
        .values_list("quantity", "shipped_quantity", "cancelled_quantity", "backordered_quantity")
    )


@pytest.fixture
def partly_shipped(world) -> int:
    """A-1 ×10 at 9.00 and D-4 ×3 backordered at 100.00 (390.00 on account), confirmed,
    4 of A-1 shipped (and invoiced at once: 36.00)."""
    set_credit(world, "1000")
    order_id = place(world, ("A-1", 10), ("D-4", 3))
    world.client().post(f"/orders/{order_id}/confirm")
    _ship(world, order_id, (1, 4))
    return order_id


def test_short_close_releases_exactly_the_rest(world, partly_shipped):
    order_id = partly_shipped
    assert stock_of(world, "A-1") == (96, 6)
    assert exposure(world) == Decimal("354.00")  # 390 less the 36 invoiced
    closed = _close(world, order_id)
    assert closed.cancelled == {1: 6, 2: 3}
    assert closed.credit_released == Decimal("354.00")
    assert exposure(world) == Decimal(0)
    assert stock_of(world, "A-1") == (96, 0)
    assert _lines(order_id) == [(10, 4, 6, 0), (3, 0, 3, 0)]
    order = Order.objects.get(pk=order_id)
    assert (order.status, order.credit_reserved) == ("shipped", Decimal(0))
    assert order.total == Decimal("390.00")  # what was ordered stays on the order
    release = StockMovement.objects.get(kind="release", reference=f"order:{order_id}")
    assert (release.reserved_delta, release.on_hand_delta) == (-6, 0)
    assert_stock_consistent(world.tenant.pk)
    timeline = world.client().get(f"/orders/{order_id}/timeline").json()
    assert timeline[-1]["type"] == "order.short_closed"
    assert timeline[-1]["data"]["reason"] == "supplier discontinued"
    assert timeline[-1]["data"]["credit_released"] == "354.00"
    assert timeline[-1]["data"]["lines"] == [
        {"line_number": 1, "sku": "A-1", "shipped": 4, "cancelled": 6},
        {"line_number": 2, "sku": "D-4", "shipped": 0, "cancelled": 3},
    ]
    # A short-closed order is delivered like any shipped one.
    r = world.client().post(f"/orders/{order_id}/deliver")
    assert (r.status_code, r.json()["status"]) == (200, "delivered")


def test_credit_of_units_shipped_but_not_yet_invoiced_stays_held(world):
    """Under period invoicing the shipped units hold credit until invoiced: only the
    cancelled units' share (prorated as billing bills it) is released."""
    from dinghuo.billing.models import BillingPolicy

    BillingPolicy.objects.update_or_create(
        seller=world.seller, defaults={"tenant": world.tenant, "invoicing": "monthly"}
    )
    order_id = place(world, ("C-3", 3))  # 3 × 0.3333 = 1.00
    world.client().post(f"/orders/{order_id}/confirm")
    _ship(world, order_id, (1, 1))
    closed = _close(world, order_id)
    # The first unit is worth round(1.00 / 3) = 0.33; the two cancelled 0.67.
    assert closed.credit_released == Decimal("0.67")
    assert exposure(world) == Decimal("0.33")
    assert Order.objects.get(pk=order_id).credit_reserved == Decimal("0.33")


def test_a_backorder_is_cleared_and_never_filled_later(world, partly_shipped):
    _close(world, partly_shipped)
    from dinghuo.inventory import services as stock

    stock.receive_stock(
        tenant_id=world.tenant.pk,
        warehouse_code="main",
        sku_id=world.skus["D-4"].pk,
        quantity=5,
        reason="arrival",
    )
    assert services.fill_waiting_backorders() == 0
    assert _lines(partly_shipped)[1] == (3, 0, 3, 0)


def _snapshot(order_id: int) -> tuple[object, ...]:
    order = Order.objects.get(pk=order_id)
    return (
        order.status,
        order.credit_reserved,
        _lines(order_id),
        StockMovement.objects.count(),
        Event.objects.count(),
    )


def test_second_short_close_is_refused_and_changes_nothing(world, partly_shipped):
    _close(world, partly_shipped)
    before = _snapshot(partly_shipped)
    with pytest.raises(Conflict) as refused:
        _close(world, partly_shipped, "again")
    assert refused.value.code == "already_short_closed"
    assert _snapshot(partly_shipped) == before


@pytest.mark.parametrize("steps", [[], ["confirm"]])
def test_nothing_shipped_is_refused(world, steps):
    order_id = place(world, ("A-1", 2))
    for step in steps:
        world.client().post(f"/orders/{order_id}/{step}")
    before = _snapshot(order_id)
    with pytest.raises(Conflict) as refused:
        _close(world, order_id)
    assert refused.value.code == "nothing_shipped"
    assert _snapshot(order_id) == before


@pytest.mark.parametrize("steps", [["ship"], ["ship", "deliver"], ["cancel"]])
def test_finished_orders_are_refused(world, steps):
    order_id = place(world, ("A-1", 2))
    if "cancel" not in steps:
        world.client().post(f"/orders/{order_id}/confirm")
    for step in steps:
        if step == "ship":
            _ship(world, order_id)
        else:
            world.client().post(f"/orders/{order_id}/{step}")
    before = _snapshot(order_id)
    with pytest.raises(Conflict) as refused:
        _close(world, order_id)
    assert refused.value.code == "invalid_transition"
    assert _snapshot(order_id) == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(world, partly_shipped, reason):
    before = _snapshot(partly_shipped)
    with pytest.raises(ValidationFailed) as refused:
        _close(world, partly_shipped, reason)
    assert [e.code for e in refused.value.errors] == ["short_close_reason_required"]
    assert _snapshot(partly_shipped) == before


def test_another_tenants_order_is_not_found(world, other_world, partly_shipped):
    before = _snapshot(partly_shipped)
    with pytest.raises(NotFound):
        services.short_close_order(
            tenant_id=other_world.tenant.pk, order_id=partly_shipped, reason="x"
        )
    assert _snapshot(partly_shipped) == before


class TestRoute:
    """`POST /orders/{id}/short-close`."""

    def test_staff_short_close(self, world, partly_shipped):
        api = world.client()
        r = api.post(f"/orders/{partly_shipped}/short-close", {"reason": "discontinued"})
        assert (r.status_code, r.json()["status"]) == (200, "shipped")
        again = api.post(f"/orders/{partly_shipped}/short-close", {"reason": "discontinued"})
        assert (again.status_code, again.json()["code"]) == (409, "already_short_closed")

    def test_refusals(self, world, other_world, partly_shipped):
        r = world.client().post(f"/orders/{partly_shipped}/short-close", {"reason": ""})
        assert r.status_code == 422
        r = other_world.client().post(f"/orders/{partly_shipped}/short-close", {"reason": "x"})
        assert r.status_code == 404
        assert Order.objects.get(pk=partly_shipped).status == "partially_shipped"
