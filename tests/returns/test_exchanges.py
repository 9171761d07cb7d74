"""Exchanges: approving a return that asks for replacement goods places an order for them
(channel "exchange") at the returned lines' frozen prices (today's for another SKU), so stock
is reserved then; the order waits until the goods come back (or ships at once, as the
seller's policy says); a shortage refuses the approval and changes nothing; both orders'
timelines and the event feed show the link; a cancelled replacement leaves the return valid."""

from decimal import Decimal
from typing import Any

from dinghuo.billing.models import CreditNote
from dinghuo.integrations.models import Event
from dinghuo.inventory.models import StockLevel
from dinghuo.inventory.services import receive_stock
from dinghuo.orders.models import Order
from dinghuo.pricing.models import PriceTier
from dinghuo.returns.models import ReturnRequest
from tests.builders import World, add_buyer
from tests.invariants import assert_stock_consistent
from tests.returns.support import delivered_order, set_policy

D = Decimal


def _available(world: World, sku: str) -> int:
    return StockLevel.objects.get(sku=world.skus[sku], warehouse__code="main").available


def _exchange(world: World, order_id: int, *lines: tuple[int, int], **extra: Any) -> Any:
    body = {
        "lines": [{"line_number": n, "quantity": q, "reason": "defective"} for n, q in lines],
        "outcome": "exchange",
        **extra,
    }
    return world.client().post(f"/orders/{order_id}/returns", body)


def _requested(world: World, *lines: tuple[str, int], **extra: Any) -> tuple[int, int]:
    """A delivered order of `lines` and an exchange of 2 units of its first line, waiting
    for a clerk."""
    set_policy(world, auto_approve_limit=None)
    order_id = delivered_order(world, *lines)
    r = _exchange(world, order_id, (1, 2), **extra)
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "requested" and r.json()["exchange_order_id"] is None
    return order_id, r.json()["id"]


def test_approving_orders_the_same_goods_at_the_frozen_price(world: World) -> None:
    order_id, return_id = _requested(world, ("A-1", 5))
    assert _available(world, "A-1") == 95
    # Today's price has gone up since the order: the exchange keeps the price paid.
    PriceTier.objects.filter(sku=world.skus["A-1"]).update(unit_price=D("12.00"))

    r = world.client().post(f"/returns/{return_id}/approve", {})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["status"] == "approved" and body["rma_number"] == "RMA-000001"
    assert body["replacements"] == [{"line_number": 1, "sku": "A-1", "quantity": 2}]
    exchange = Order.objects.get(pk=body["exchange_order_id"])
    assert body["exchange_order_number"] == exchange.number
    assert (exchange.status, exchange.channel, exchange.company_id) == (
        "placed",
        "exchange",
        world.company.pk,
    )
    original = Order.objects.get(pk=order_id)
    assert exchange.notes == f"Exchange for RMA-000001 (order {original.number})"
    [line] = exchange.lines.all()
    assert (line.sku_code, line.quantity, line.unit_price) == ("A-1", 2, D("10.00"))
    assert line.pricing == {"source": "quote", "quote": "RMA-000001"}
    assert _available(world, "A-1") == 93  # reserved for the replacement
    assert_stock_consistent(world.tenant.pk)

    [placed] = Event.objects.filter(type="return.exchange_placed")
    assert placed.payload["rma"] == "RMA-000001"
    assert placed.payload["exchange_order"] == exchange.number
    timeline = world.client().get(f"/orders/{order_id}/timeline").json()
    assert "return.exchange_placed" in [entry["type"] for entry in timeline]


def test_another_sku_takes_todays_price(world: World) -> None:
    _, return_id = _requested(world, ("A-1", 5), replacements=[{"sku": "C-3", "quantity": 4}])
    body = world.client().post(f"/returns/{return_id}/approve", {}).json()
    [line] = Order.objects.get(pk=body["exchange_order_id"]).lines.all()
    assert (line.sku_code, line.quantity, line.unit_price) == ("C-3", 4, D("0.3333"))
    assert line.pricing["source"] != "quote"


def test_receiving_the_goods_confirms_the_replacement_and_the_credit_note_still_comes(
    world: World,
) -> None:
    _, return_id = _requested(world, ("A-1", 5))
    body = world.client().post(f"/returns/{return_id}/approve", {}).json()
    exchange_id = body["exchange_order_id"]
    received = world.client().post(
        f"/returns/{return_id}/receive",
        {"lines": [{"line_number": 1, "received_quantity": 2, "fate": "restock"}]},
    )
    assert received.status_code == 200, received.json()
    assert Order.objects.get(pk=exchange_id).status == "confirmed"
    confirmed = Event.objects.filter(type="order.confirmed", aggregate_id=exchange_id)
    assert confirmed.count() == 1
    assert world.client().post(f"/returns/{return_id}/close", {}).status_code == 200
    assert CreditNote.objects.get().total == D("20.00")  # the 2 returned units, credited


def test_a_seller_that_confirms_orders_at_once_still_holds_the_replacement(
    world: World,
) -> None:
    from tests.orders.support import set_policy as set_order_policy

    _, return_id = _requested(world, ("A-1", 5))
    set_order_policy(world, auto_confirm=True)
    body = world.client().post(f"/returns/{return_id}/approve", {}).json()
    held = Order.objects.get(pk=body["exchange_order_id"])
    assert (held.status, held.confirmed_automatically) == ("placed", False)
    received = world.client().post(
        f"/returns/{return_id}/receive",
        {"lines": [{"line_number": 1, "received_quantity": 2, "fate": "restock"}]},
    )
    assert received.status_code == 200, received.json()
    assert Order.objects.get(pk=held.pk).status == "confirmed"


def test_the_policy_can_ship_exchanges_at_once(world: World) -> None:
    _, return_id = _requested(world, ("A-1", 5))
    set_policy(world, auto_approve_limit=None, ship_exchange_at_once=True)
    body = world.client().post(f"/returns/{return_id}/approve", {}).json()
    assert Order.objects.get(pk=body["exchange_order_id"]).status == "confirmed"
    policy = world.client().get("/return-policy").json()
    assert policy["ship_exchange_at_once"] is True


def test_a_shortage_refuses_the_approval_and_changes_nothing(world: World) -> None:
    _, return_id = _requested(world, ("A-1", 5), replacements=[{"sku": "A-1", "quantity": 96}])
    events_before = Event.objects.count()
    r = world.client().post(f"/returns/{return_id}/approve", {})
    assert r.status_code == 409 and r.json()["code"] == "insufficient_stock"
    request = ReturnRequest.objects.get()
    assert (request.status, request.number, request.exchange_order_id) == ("requested", "", None)
    assert Order.objects.count() == 1 and _available(world, "A-1") == 95
    assert Event.objects.count() == events_before
    # Once stock arrives the same approval goes through, with the number not used up.
    receive_stock(
        tenant_id=world.tenant.pk, warehouse_code="main", sku_id=world.skus["A-1"].pk,
        quantity=1, reason="arrival",
    )  # fmt: skip
    r = world.client().post(f"/returns/{return_id}/approve", {})
    assert r.status_code == 200 and r.json()["rma_number"] == "RMA-000001"
    assert _available(world, "A-1") == 0


def test_a_straightforward_exchange_short_of_stock_waits_for_a_clerk(world: World) -> None:
    set_policy(world)  # approved by itself up to the limit
    order_id = delivered_order(world, ("A-1", 5))
    r = _exchange(world, order_id, (1, 1), replacements=[{"sku": "A-1", "quantity": 96}])
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["status"], body["rma_number"], body["exchange_order_id"]) == (
        "requested",
        None,
        None,
    )
    assert body["review_reasons"] == ["exchange_not_placed"]
    assert Order.objects.count() == 1 and not Event.objects.filter(type="return.approved")
    # In stock, the same request approves itself and orders the replacement.
    r = _exchange(world, order_id, (1, 1))
    assert r.json()["status"] == "approved" and r.json()["exchange_order_id"] is not None


def test_a_cancelled_replacement_leaves_the_return_valid(world: World) -> None:
    _, return_id = _requested(world, ("A-1", 5))
    exchange_id = (
        world.client().post(f"/returns/{return_id}/approve", {}).json()["exchange_order_id"]
    )
    assert world.client().post(f"/orders/{exchange_id}/cancel", {}).status_code == 200
    assert _available(world, "A-1") == 95
    received = world.client().post(
        f"/returns/{return_id}/receive",
        {"lines": [{"line_number": 1, "received_quantity": 2, "fate": "restock"}]},
    )
    assert received.status_code == 200
    assert Order.objects.get(pk=exchange_id).status == "cancelled"
    assert world.client().post(f"/returns/{return_id}/close", {}).json()["status"] == "closed"


def test_bad_replacements_are_refused_with_every_problem(world: World) -> None:
    set_policy(world, auto_approve_limit=None)
    order_id = delivered_order(world, ("A-1", 5))
    r = _exchange(
        world,
        order_id,
        (1, 1),
        replacements=[
            {"sku": "NOPE", "quantity": 1},
            {"sku": "C-3", "quantity": 1},
            {"sku": "C-3", "quantity": 2},
        ],
    )
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("replacements[0].sku", "unknown_sku"),
        ("replacements[2].sku", "duplicate_sku"),
    ]
    credit = world.client().post(
        f"/orders/{order_id}/returns",
        {
            "lines": [{"line_number": 1, "quantity": 1, "reason": "damaged"}],
            "replacements": [{"sku": "C-3", "quantity": 1}],
        },
    )
    assert credit.status_code == 422
    assert credit.json()["errors"][0]["code"] == "replacements_need_exchange"
    assert not ReturnRequest.objects.exists()


def test_a_buyer_asks_for_an_exchange_of_their_own_order(world: World) -> None:
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5), ("C-3", 3))
    _, buyer = add_buyer(world, "bea@buyer.example")
    body = {
        "lines": [
            {"line_number": 1, "quantity": 1, "reason": "defective"},
            {"line_number": 2, "quantity": 2, "reason": "wrong_item"},
        ],
        "outcome": "exchange",
    }
    r = buyer.post(f"/my/orders/{order_id}/returns", body)
    assert r.status_code == 201, r.json()
    assert [(x["sku"], x["quantity"]) for x in r.json()["replacements"]] == [
        ("A-1", 1),
        ("C-3", 2),
    ]
    exchange = Order.objects.get(pk=r.json()["exchange_order_id"])
    assert [
        (line.sku_code, line.unit_price) for line in exchange.lines.order_by("line_number")
    ] == [
        ("A-1", D("10.00")),
        ("C-3", D("0.3333")),
    ]
    mine = buyer.get(f"/my/orders/{exchange.pk}").json()
    assert mine["channel"] == "exchange"
