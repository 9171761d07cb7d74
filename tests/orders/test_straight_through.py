"""Straight-through processing: the automation rule confirms what needs no person, and the
report says how many orders that was and what stopped the rest."""

from decimal import Decimal

from tests.orders.support import add_rule, set_credit, set_policy


def test_in_stock_within_credit_no_approval_confirms_at_once(world):
    set_policy(world, auto_confirm=True)
    set_credit(world, "1000")
    r = world.client().place(world.order_body(("A-1", 2), ("C-3", 3)))
    assert r.status_code == 201
    order = r.json()
    assert (order["status"], order["confirmed_automatically"]) == ("confirmed", True)
    assert order["review_reasons"] == []
    assert order["allowed_actions"] == ["cancel", "ship"]
    timeline = [e["type"] for e in world.client().get(f"/orders/{order['id']}/timeline").json()]
    assert timeline[:2] == ["order.placed", "order.confirmed"]


def test_every_exception_waits_for_a_person_and_says_why(world):
    set_policy(world, auto_confirm=True)
    api = world.client()
    backorder = api.place(world.order_body(("D-4", 1)), key="bo").json()
    assert (backorder["status"], backorder["review_reasons"]) == ("placed", ["backorder"])
    set_policy(world, auto_confirm=False)
    manual = api.place(world.order_body(("A-1", 1)), key="m").json()
    assert manual["review_reasons"] == ["automation_off"]
    set_policy(world, auto_confirm=True)
    add_rule(world, "Above 500", min_amount=Decimal("500"))
    approval = api.place(world.order_body(("A-1", 60)), key="ap").json()
    assert approval["status"] == "awaiting_approval"
    set_credit(world, "100")
    held = api.place(world.order_body(("A-1", 20)), key="h").json()
    assert held["status"] == "credit_hold"

    report = api.get("/reports/straight-through").json()
    assert report["orders"] == 4
    assert report["straight_through"] == 0
    assert report["share"] == 0.0
    assert report["reasons"]["backorder"] == 1
    assert report["reasons"]["automation_off"] == 1
    assert report["reasons"]["approval"] == 1
    assert report["reasons"]["credit_hold"] == 1

    set_credit(world, None)
    api.place(world.order_body(("C-3", 1)), key="ok")
    report = api.get("/reports/straight-through").json()
    assert (report["orders"], report["straight_through"], report["share"]) == (5, 1, 0.2)


def test_policy_and_rules_through_the_api(world):
    api = world.client()
    default = api.get("/order-policy").json()
    assert default == {
        "seller": world.seller.slug,
        "auto_confirm": False,
        "credit_action": "hold",
        "overdue_grace_days": 0,
        "approval_expiry_hours": 72,
        "backorder_fill": "oldest",
        "priority_group_id": None,
        "buyer_amend_hours": 24,
    }
    body = {"auto_confirm": True, "credit_action": "refuse", "overdue_grace_days": 10,
            "approval_expiry_hours": 48}  # fmt: skip
    r = api.send("PUT", "/order-policy", __import__("json").dumps(body))
    assert r.status_code == 200, r.json()
    assert api.get("/order-policy").json()["credit_action"] == "refuse"
    bad = api.send(
        "PUT", "/order-policy", __import__("json").dumps({**body, "approval_expiry_hours": 0})
    )
    assert bad.status_code == 422
    assert api.get("/order-policy").json()["approval_expiry_hours"] == 48
    # Buyers' amendment window: 0 (staff only) to a year, in hours.
    for hours, status in ((0, 200), (8760, 200), (8761, 422), (-1, 422)):
        r = api.send(
            "PUT", "/order-policy", __import__("json").dumps({**body, "buyer_amend_hours": hours})
        )
        assert r.status_code == status, (hours, r.json())
    assert api.get("/order-policy").json()["buyer_amend_hours"] == 8760

    rule = api.post("/approval-rules", {"name": "Big", "approver": "seller", "level": 2,
                                        "min_amount": "1000"})  # fmt: skip
    assert rule.status_code == 201, rule.json()
    assert rule.json()["min_amount"] == "1000.00"
    unknown = api.post(
        "/approval-rules", {"name": "x", "approver": "company", "company_id": 999999}
    )
    assert (unknown.status_code, unknown.json()["errors"][0]["code"]) == (422, "unknown_company")
    negative = api.post("/approval-rules", {"name": "x", "approver": "company", "min_amount": "-1"})
    assert (negative.status_code, negative.json()["errors"][0]["code"]) == (
        422,
        "min_amount_negative",
    )
    rule_id = rule.json()["id"]
    patched = api.send("PATCH", f"/approval-rules/{rule_id}", '{"min_amount": null, "level": 3}')
    assert patched.status_code == 200
    assert (patched.json()["min_amount"], patched.json()["level"]) == (None, 3)
    assert [r["id"] for r in api.get("/approval-rules").json()["items"]] == [rule_id]


def test_the_checkout_preview_says_what_placing_will_do_and_writes_nothing(world):
    from dinghuo.integrations.models import Event
    from dinghuo.orders.judging import preview_routing
    from dinghuo.orders.line_checks import LineRequest
    from dinghuo.orders.models import Order
    from tests.builders import add_buyer

    set_policy(world, auto_confirm=True)
    amy, api = add_buyer(world, "amy@buyer.example", spending_limit="50")
    t, c = world.tenant.pk, world.company.pk
    events_before, orders_before = Event.objects.count(), Order.objects.count()

    small = preview_routing(t, c, [LineRequest("A-1", 5)], placed_by_id=amy.pk)
    assert (small.status, small.review_reasons, small.subtotal) == (
        "confirmed",
        (),
        Decimal("50.00"),
    )
    big = preview_routing(t, c, [LineRequest("A-1", 6)], placed_by_id=amy.pk)
    assert big.status == "awaiting_approval"
    assert [(s.level, s.approver) for s in big.approvals] == [(1, "company")]
    set_credit(world, "40")
    held = preview_routing(t, c, [LineRequest("A-1", 5)], placed_by_id=amy.pk)
    assert held.status == "credit_hold"
    assert held.credit_blocked == ("over_limit",)
    assert not held.refused
    assert (Event.objects.count(), Order.objects.count()) == (events_before, orders_before)

    # and placing agrees with the preview
    body = {"ship_to_id": world.ship_to.pk, "lines": [{"sku": "A-1", "quantity": 5}]}
    assert api.post("/my/orders", body, key="p").json()["status"] == held.status
