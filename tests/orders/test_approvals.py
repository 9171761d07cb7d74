"""Approval workflow: rules decide who approves, in sequential levels; decisions are on the
timeline; stock stays reserved while an order waits and is released when approval expires."""

from datetime import timedelta
from decimal import Decimal

from dinghuo.core import clock
from dinghuo.inventory.models import StockLevel
from dinghuo.orders import services
from dinghuo.orders.models import Order, OrderApproval
from tests.builders import add_buyer, build_world
from tests.invariants import assert_stock_consistent
from tests.orders.support import add_rule, exposure, set_credit, set_policy


def buyer_order(client, world, *lines, key="k1"):
    body = {
        "ship_to_id": world.ship_to.pk,
        "lines": [{"sku": s, "quantity": q} for s, q in lines],
    }
    r = client.post("/my/orders", body, key=key)
    assert r.status_code == 201, r.json()
    return r.json()


def reserved(world, sku="A-1"):
    return StockLevel.objects.get(sku=world.skus[sku], warehouse__code="main").reserved


def test_over_the_spending_limit_needs_a_company_approver(world):
    set_policy(world, auto_confirm=True)
    _, amy = add_buyer(world, "amy@buyer.example", spending_limit="50")
    _, bob = add_buyer(world, "bob@buyer.example", role="approver")
    small = buyer_order(amy, world, ("A-1", 5), key="s")  # 50.00: at the limit
    assert small["status"] == "confirmed"
    assert small["confirmed_automatically"] is True
    big = buyer_order(amy, world, ("A-1", 6), key="b")  # 60.00
    assert big["status"] == "awaiting_approval"
    assert big["review_reasons"] == ["approval"]
    [step] = big["approvals"]
    assert (step["level"], step["approver"], step["status"]) == (1, "company", "pending")
    assert "spending limit of 50" in step["reasons"][0]

    inbox = bob.get("/my/approvals").json()["items"]
    assert [o["id"] for o in inbox] == [big["id"]]
    r = bob.post(f"/my/orders/{big['id']}/approve", {"comment": "ok for the trade fair"})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "confirmed"
    assert r.json()["confirmed_automatically"] is True
    assert r.json()["approvals"][0]["decided_by"].startswith("bob")
    assert bob.get("/my/approvals").json()["items"] == []
    types = [e["type"] for e in amy.get(f"/my/orders/{big['id']}/timeline").json()]
    assert types == [
        "order.placed",
        "order.approval_requested",
        "order.approved",
        "order.confirmed",
    ]


def test_levels_are_sequential_company_then_seller(world):
    add_rule(world, "Big orders: purchasing manager", min_amount=Decimal("100"))
    add_rule(world, "Very big orders: our sales desk", approver="seller", level=2,
             min_amount=Decimal("500"))  # fmt: skip
    _, amy = add_buyer(world, "amy@buyer.example")
    _, bob = add_buyer(world, "bob@buyer.example", role="approver")
    staff = world.client()
    order = buyer_order(amy, world, ("A-1", 60))  # 60 × 9.00 = 540
    assert [(a["level"], a["approver"], a["status"]) for a in order["approvals"]] == [
        (1, "company", "pending"),
        (2, "seller", "waiting"),
    ]
    early = staff.post(f"/orders/{order['id']}/approve", {"comment": "fine"})
    assert (early.status_code, early.json()["code"]) == (409, "no_pending_approval")
    assert bob.post(f"/my/orders/{order['id']}/approve").status_code == 200
    seller_inbox = staff.get("/orders", awaiting_seller_approval="true").json()["items"]
    assert [o["id"] for o in seller_inbox] == [order["id"]]
    r = staff.post(f"/orders/{order['id']}/approve", {"comment": "Stock checked"})
    assert r.json()["status"] == "placed"  # automation off: a person confirms
    assert [a["status"] for a in r.json()["approvals"]] == ["approved", "approved"]
    assert r.json()["approvals"][1]["comment"] == "Stock checked"


def test_rules_by_category_role_and_credit_state(world):
    from dinghuo.catalog.models import Category

    parent = world.skus["A-1"].product.category
    child = Category.objects.create(
        tenant=world.tenant, code="drills", name_en="Drills", parent=parent
    )
    product = world.skus["C-3"].product
    product.category = child
    product.save()
    add_rule(world, "Tools need the manager", category=parent)
    add_rule(world, "Buyers' orders near the limit", approver="seller", buyer_role="buyer",
             credit_state="near_limit")  # fmt: skip
    set_credit(world, "100.00")
    _, amy = add_buyer(world, "amy@buyer.example")
    order = buyer_order(amy, world, ("C-3", 3))  # child category matches the parent's rule
    assert [(a["approver"], a["reasons"]) for a in order["approvals"]] == [
        ("company", ["Tools need the manager"])
    ]
    near = buyer_order(amy, world, ("A-1", 10), key="near")  # 90 of 100 (+1.00 held) → ≥ 90%
    assert sorted(a["approver"] for a in near["approvals"]) == ["company", "seller"]
    staff_order = world.client().place(world.order_body(("B-2", 6)), key="staff").json()
    # staff-entered orders have no buyer role; the category rule still applies
    assert [a["approver"] for a in staff_order["approvals"]] == ["company"]


def test_rejecting_cancels_and_releases_stock_and_credit(world):
    set_credit(world, "10000")
    add_rule(world, "Everything needs approval")
    _, amy = add_buyer(world, "amy@buyer.example")
    _, bob = add_buyer(world, "bob@buyer.example", role="approver")
    order = buyer_order(amy, world, ("A-1", 10))
    assert reserved(world) == 10
    assert exposure(world) == Decimal("90.00")
    no_reason = bob.post(f"/my/orders/{order['id']}/reject", {"comment": ""})
    assert no_reason.status_code == 422
    r = bob.post(f"/my/orders/{order['id']}/reject", {"comment": "Wrong supplier"})
    assert r.status_code == 200
    assert r.json()["status"] == "cancelled"
    assert r.json()["approvals"][0]["status"] == "rejected"
    assert reserved(world) == 0
    assert exposure(world) == 0
    assert_stock_consistent(world.tenant.pk)


def test_who_may_decide(world, other_world):
    add_rule(world, "Everything needs approval")
    _, amy = add_buyer(world, "amy@buyer.example", role="approver")
    _, carl = add_buyer(world, "carl@buyer.example")
    _, outsider = add_buyer(other_world, "olga@other.example", role="approver")
    order = buyer_order(amy, world, ("A-1", 1))
    own = amy.post(f"/my/orders/{order['id']}/approve")
    assert (own.status_code, own.json()["code"]) == (403, "own_order")
    plain = carl.post(f"/my/orders/{order['id']}/approve")
    assert (plain.status_code, plain.json()["code"]) == (403, "approver_role_required")
    assert outsider.post(f"/my/orders/{order['id']}/approve").status_code == 404
    assert outsider.get(f"/my/orders/{order['id']}").status_code == 404
    staff = world.client().post(f"/orders/{order['id']}/approve")
    assert (staff.status_code, staff.json()["code"]) == (409, "no_pending_approval")
    assert Order.objects.get(pk=order["id"]).status == "awaiting_approval"
    assert OrderApproval.objects.get(order_id=order["id"]).status == "pending"


def test_an_expired_approval_cancels_the_order_and_frees_its_stock(world):
    set_policy(world, approval_expiry_hours=24)
    add_rule(world, "Everything needs approval")
    _, amy = add_buyer(world, "amy@buyer.example")
    order = buyer_order(amy, world, ("A-1", 7))
    assert reserved(world) == 7
    assert services.expire_approvals(now=clock.now() + timedelta(hours=23)) == 0
    assert services.expire_approvals(now=clock.now() + timedelta(hours=25)) == 1
    expired = Order.objects.get(pk=order["id"])
    assert expired.status == "cancelled"
    assert OrderApproval.objects.get(order=expired).status == "expired"
    assert reserved(world) == 0
    types = [e["type"] for e in amy.get(f"/my/orders/{order['id']}/timeline").json()]
    assert types[-2:] == ["order.approval_expired", "order.cancelled"]
    assert_stock_consistent(world.tenant.pk)


def test_a_held_order_goes_to_approval_after_release(world):
    set_credit(world, "5.00")
    add_rule(world, "Everything needs approval")
    order = world.client().place(world.order_body(("A-1", 1))).json()
    assert order["status"] == "credit_hold"
    assert order["approvals"][0]["status"] == "waiting"
    r = world.client().post(f"/orders/{order['id']}/release-hold", {"comment": "known customer"})
    assert r.json()["status"] == "awaiting_approval"
    assert r.json()["approvals"][0]["status"] == "pending"
    assert r.json()["approval_expires_at"] is not None


def test_buyer_keys_see_only_their_company_and_staff_keys_not_buyer_routes(world):
    other = build_world("initech")
    _, amy = add_buyer(world, "amy@buyer.example")
    foreign = other.client().place(other.order_body(("A-1", 1))).json()
    assert amy.get(f"/my/orders/{foreign['id']}").status_code == 404
    assert amy.get("/my/orders").json()["items"] == []
    staff_on_buyer = world.client().get("/my/orders")
    assert (staff_on_buyer.status_code, staff_on_buyer.json()["code"]) == (
        403,
        "buyer_key_required",
    )
    buyer_on_staff = amy.get("/orders")
    assert (buyer_on_staff.status_code, buyer_on_staff.json()["code"]) == (
        403,
        "staff_key_required",
    )
