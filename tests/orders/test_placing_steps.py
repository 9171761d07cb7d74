"""The steps of placing, each on its own: `judging.judge` (the one judgement placing and the
checkout's preview share) and `placing.write` (the order's own rows, nothing else)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from dinghuo.core import clock
from dinghuo.customers import credit
from dinghuo.integrations.models import Event
from dinghuo.inventory import allocation
from dinghuo.inventory.models import Reservation, StockLevel, StockMovement
from dinghuo.orders import judging, line_checks
from dinghuo.orders.line_checks import LineRequest
from dinghuo.orders.models import Order, OrderApproval, OrderLine
from dinghuo.orders.services import placing
from tests.builders import add_buyer
from tests.orders.support import add_rule, set_policy


def _lines(world, *lines):
    parties, errors = line_checks.resolve_parties(
        world.tenant.pk, world.company.pk, world.ship_to.pk, None
    )
    assert parties is not None and errors == []
    requests = [LineRequest(sku, quantity) for sku, quantity in lines]
    results, _book = line_checks.check_lines(world.tenant.pk, parties, requests)
    assert all(r.ok for r in results)
    return parties, results


def _credit(limit=None, exposure="0", terms="net_30"):
    return credit.CreditState(
        None if limit is None else Decimal(limit), Decimal(exposure), Decimal(0), None, terms
    )


def _judge(world, parties, results, amount, state, placed_by_id=None):
    return judging.judge(
        world.tenant.pk,
        parties,
        results,
        Decimal(amount),
        placed_by_id=placed_by_id,
        credit_state=state,
        today=clock.now().date(),
    )


class TestJudge:
    def test_within_credit_and_without_rules_it_goes_where_the_policy_says(
        self, world, django_assert_num_queries
    ):
        parties, results = _lines(world, ("A-1", 5))
        with django_assert_num_queries(1):  # the policy and rules; nothing is written
            judged = _judge(world, parties, results, "50.00", _credit("1000"))
        assert (judged.credit.blocked, judged.steps, judged.refused) == ((), [], False)
        assert str(judged.hold_reason) == ""
        manual = judged.route(backordered=False)
        assert (manual.status, manual.review_reasons) == ("placed", ("automation_off",))
        set_policy(world, auto_confirm=True)
        automatic = _judge(world, parties, results, "50.00", _credit("1000"))
        assert automatic.route(backordered=False).status == "confirmed"
        backordered = automatic.route(backordered=True)
        assert (backordered.status, backordered.review_reasons) == ("placed", ("backorder",))

    def test_over_the_limit_it_holds_or_refuses_as_the_seller_set(self, world):
        parties, results = _lines(world, ("A-1", 5))
        held = _judge(world, parties, results, "50.00", _credit("100", exposure="60"))
        assert (held.credit.blocked, held.refused) == (("over_limit",), False)
        assert held.route(backordered=False).status == "credit_hold"
        assert str(held.hold_reason).startswith("Credit: the order (50.00 USD) would take exposure")
        set_policy(world, credit_action="refuse")
        refused = _judge(world, parties, results, "50.00", _credit("100", exposure="60"))
        assert refused.refused

    def test_a_prepaid_company_uses_no_credit_and_waits_for_payment(self, world):
        parties, results = _lines(world, ("A-1", 5))
        set_policy(world, auto_confirm=True)
        judged = _judge(world, parties, results, "50.00", _credit(terms="prepaid"))
        assert not judged.credit.uses_credit
        route = judged.route(backordered=False)
        assert (route.status, route.review_reasons) == ("placed", ("prepaid",))

    def test_the_buyers_spending_limit_and_the_sellers_rules_ask_for_approvals(self, world):
        amy, _ = add_buyer(world, "amy@buyer.example", spending_limit="40")
        add_rule(world, "Big orders", approver="seller", level=2, min_amount=Decimal("45"))
        parties, results = _lines(world, ("A-1", 5))
        judged = _judge(world, parties, results, "50.00", _credit(), placed_by_id=amy.pk)
        assert [(s.level, s.approver) for s in judged.steps] == [(1, "company"), (2, "seller")]
        assert judged.route(backordered=False).status == "awaiting_approval"

    def test_the_preview_says_what_judge_says(self, world):
        amy, _ = add_buyer(world, "amy@buyer.example", spending_limit="40")
        parties, results = _lines(world, ("A-1", 5))
        judged = _judge(world, parties, results, "50.00", _credit(), placed_by_id=amy.pk)
        preview = judging.preview_routing(
            world.tenant.pk, world.company.pk, [LineRequest("A-1", 5)], placed_by_id=amy.pk
        )
        route = judged.route(backordered=False)
        assert (preview.status, preview.review_reasons, preview.approvals) == (
            route.status,
            route.review_reasons,
            judged.steps,
        )
        assert (preview.subtotal, preview.refused) == (Decimal("50.00"), judged.refused)


def _written_rows():
    return (
        Reservation.objects.count(),
        StockMovement.objects.count(),
        Event.objects.count(),
        sorted(StockLevel.objects.values_list("id", "on_hand", "reserved")),
    )


def test_write_inserts_the_order_its_lines_and_approvals_in_one_statement_each(
    world, django_assert_num_queries
):
    amy, _ = add_buyer(world, "amy@buyer.example", spending_limit="40")
    add_rule(world, "Big orders", approver="seller", level=2, min_amount=Decimal("45"))
    set_policy(world, approval_expiry_hours=24)
    now = clock.now()
    request = placing.OrderRequest(
        world.tenant.pk,
        world.company.pk,
        world.ship_to.pk,
        [LineRequest("A-1", 5), LineRequest("D-4", 2)],
        placed_by_id=amy.pk,
        notes="dock 3",
    )
    parties, errors = placing.validate(request, now)
    priced = placing.price(request, parties, errors, now)
    judged = _judge(world, parties, priced.results, priced.subtotal, _credit(), amy.pk)
    # A-1 from the main warehouse, D-4 (none in stock) backordered
    main = world.warehouses[0].pk
    plan = allocation.allocate(
        [
            allocation.Want(0, world.skus["A-1"].pk, 5, False),
            allocation.Want(1, world.skus["D-4"].pk, 2, True),
        ],
        [allocation.Level(main, world.skus["A-1"].pk, 100)],
    )
    before = _written_rows()

    with django_assert_num_queries(3):
        order = placing.write(request, priced, judged, plan, priced.subtotal, now)

    assert _written_rows() == before  # stock and events are other steps' (inventory, record)
    saved = Order.objects.get(pk=order.pk)
    assert (saved.status, saved.notes, saved.total, saved.credit_reserved) == (
        "awaiting_approval",
        "dock 3",
        Decimal("250.00"),
        Decimal("250.00"),
    )
    assert saved.review_reasons == ["approval", "backorder", "automation_off"]
    assert saved.approval_expires_at == now + timedelta(hours=24)
    lines = OrderLine.objects.filter(order=saved).order_by("line_number")
    assert [(x.line_number, x.sku_code, x.quantity, x.backordered_quantity) for x in lines] == [
        (1, "A-1", 5, 0),
        (2, "D-4", 2, 2),
    ]
    assert lines[0].pricing["source"] == "price_list"
    approvals = OrderApproval.objects.filter(order=saved).order_by("level")
    assert [(a.level, a.approver, a.status) for a in approvals] == [
        (1, "company", "pending"),
        (2, "seller", "waiting"),
    ]
    assert [line.pk for line in order.lines.all()] == [line.pk for line in lines]


def test_allocate_refuses_every_short_line_before_anything_is_written(world):
    from dinghuo.core.errors import Conflict

    now = clock.now()
    request = placing.OrderRequest(
        world.tenant.pk,
        world.company.pk,
        world.ship_to.pk,
        [LineRequest("A-1", 101), LineRequest("C-3", 5), LineRequest("B-2", 120)],
    )
    parties, errors = placing.validate(request, now)
    priced = placing.price(request, parties, errors, now)
    before = _written_rows()
    with pytest.raises(Conflict) as refused:
        placing.allocate(request, priced)
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("lines[0].quantity", "A-1: 100 available, 101 wanted"),
        ("lines[2].quantity", "B-2: 100 available, 120 wanted"),
    ]
    assert _written_rows() == before
