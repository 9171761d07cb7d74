"""Asking for a return: only delivered goods of the caller's company, within the seller's
window, never more than delivered minus already asked back; straightforward requests approve
themselves, the rest wait for a clerk, who approves (RMA number) or rejects with a comment."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.core import clock
from dinghuo.customers.models import Company
from dinghuo.integrations.models import Event
from dinghuo.returns import services
from dinghuo.returns.models import ReturnLine, ReturnRequest
from tests.billing.support import confirmed_order, ship_lines
from tests.builders import add_buyer
from tests.returns.support import ask, days_after_today, delivered_order, set_policy


def _problem(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.json()
    assert r["Content-Type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == code, body
    return body


@pytest.mark.parametrize(("days", "accepted"), [(0, True), (14, True), (15, False)])
def test_the_window_counts_whole_days_from_delivery(world, days, accepted):
    set_policy(world, window_days=14)
    order_id = delivered_order(world, ("A-1", 5))
    with clock.as_of(days_after_today(days)):
        r = ask(world, order_id, (1, 1, "damaged"))
    if accepted:
        assert r.status_code == 201, r.json()
    else:
        _problem(r, 409, "return_window_closed")
        assert ReturnRequest.objects.count() == 0


def test_exactly_what_was_delivered_can_be_returned_and_one_more_is_refused(world):
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5), ("C-3", 3))
    body = _problem(ask(world, order_id, (1, 6, "damaged")), 422, "validation_failed")
    assert body["errors"][0]["code"] == "exceeds_returnable_quantity"
    assert body["errors"][0]["returnable"] == 5
    assert ask(world, order_id, (1, 3, "damaged")).status_code == 201
    # 3 of 5 asked back already: 2 more are fine, 3 are not.
    body = _problem(ask(world, order_id, (1, 3, "damaged")), 422, "validation_failed")
    assert body["errors"][0]["returnable"] == 2
    assert ask(world, order_id, (1, 2, "damaged")).status_code == 201
    assert sorted(ReturnLine.objects.values_list("quantity", flat=True)) == [2, 3]


def test_a_rejected_request_gives_its_units_back(world):
    set_policy(world, auto_approve_limit=None)
    order_id = delivered_order(world, ("A-1", 5))
    first = ask(world, order_id, (1, 5, "damaged")).json()
    r = world.client().post(f"/returns/{first['id']}/reject", {"comment": "Photos show wear"})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "rejected"
    assert r.json()["decision_comment"] == "Photos show wear"
    assert r.json()["rma_number"] is None
    rejected = Event.objects.get(type="return.rejected")
    assert rejected.payload["comment"] == "Photos show wear"
    assert rejected.payload["order"] == f"SO-{order_id:07d}"
    assert ask(world, order_id, (1, 5, "damaged")).status_code == 201


def test_rejecting_needs_a_comment_and_changes_nothing_without_one(world):
    set_policy(world, auto_approve_limit=None)
    order_id = delivered_order(world, ("A-1", 5))
    made = ask(world, order_id, (1, 1, "damaged")).json()
    r = world.client().post(f"/returns/{made['id']}/reject", {"comment": "  "})
    body = _problem(r, 422, "validation_failed")
    assert body["errors"][0]["code"] == "comment_required"
    assert ReturnRequest.objects.get().status == "requested"
    assert not Event.objects.filter(type="return.rejected").exists()


def test_an_order_not_delivered_and_a_cancelled_order_are_refused(world):
    set_policy(world)
    shipped = confirmed_order(world, ("A-1", 2))
    ship_lines(world, shipped)
    _problem(ask(world, shipped, (1, 1, "damaged")), 409, "order_not_delivered")
    cancelled = confirmed_order(world, ("A-1", 2))
    assert world.client().post(f"/orders/{cancelled}/cancel", {"reason": "x"}).status_code == 200
    _problem(ask(world, cancelled, (1, 1, "damaged")), 409, "order_cancelled")
    assert ReturnRequest.objects.count() == 0


def test_bad_lines_are_all_reported_at_once(world):
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5))
    r = world.client().post(
        f"/orders/{order_id}/returns",
        {
            "lines": [
                {"line_number": 9, "quantity": 1, "reason": "damaged"},
                {"line_number": 1, "quantity": 0, "reason": "damaged"},
            ]
        },
    )
    body = _problem(r, 422, "validation_failed")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("lines[0].line_number", "unknown_line"),
        ("lines[1].quantity", "quantity_not_positive"),
    ]
    r = world.client().post(
        f"/orders/{order_id}/returns",
        {"lines": [{"line_number": 1, "quantity": 1, "reason": "bored"}]},
    )
    assert r.status_code == 422
    assert ReturnRequest.objects.count() == 0


def test_straightforward_requests_approve_themselves_with_the_next_rma_number(world):
    set_policy(world, auto_approve_limit=Decimal("20"))
    order_id = delivered_order(world, ("A-1", 5))
    # A-1 at 10.00: two units are 20.00, the limit itself.
    made = ask(world, order_id, (1, 2, "damaged")).json()
    assert made["status"] == "approved"
    assert made["approved_automatically"] is True
    assert made["rma_number"] == "RMA-000001"
    assert made["review_reasons"] == []
    assert list(
        Event.objects.filter(aggregate_type="return").order_by("id").values_list("type", flat=True)
    ) == ["return.requested", "return.approved"]
    # 30.00 is over the limit: a clerk decides; the number comes with the approval.
    waiting = ask(world, order_id, (1, 3, "damaged")).json()
    assert waiting["status"] == "requested"
    assert waiting["rma_number"] is None
    assert waiting["review_reasons"] == ["over_approval_limit"]
    r = world.client().post(f"/returns/{waiting['id']}/approve", {})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "approved"
    assert r.json()["approved_automatically"] is False
    assert r.json()["rma_number"] == "RMA-000002"
    # Approving twice is refused.
    _problem(
        world.client().post(f"/returns/{waiting['id']}/approve", {}), 409, "invalid_return_status"
    )


def test_reason_other_and_non_returnable_goods_wait_for_a_clerk(world):
    set_policy(world, non_returnable_categories=("tools",))
    order_id = delivered_order(world, ("A-1", 5))
    made = ask(world, order_id, (1, 1, "other")).json()
    assert made["status"] == "requested"
    assert made["review_reasons"] == ["non_returnable", "reason_other"]


def test_a_buyer_returns_only_their_own_companys_orders(world, other_world):
    set_policy(world)
    _, client = add_buyer(world, "ann@buyer.one")
    order_id = delivered_order(world, ("A-1", 5))
    r = ask(world, order_id, (1, 1, "damaged"), client=client, mine=True, key="r1")
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "approved"
    # Another company of the same tenant, and another tenant: not found.
    other = Company.objects.create(
        tenant=world.tenant, code="C002", name="Buyer Two", price_list=world.price_list
    )
    _, stranger = add_buyer(world, "bob@other.co", company=other)
    _problem(ask(world, order_id, (1, 1, "damaged"), client=stranger, mine=True), 404, "not_found")
    _problem(stranger.get(f"/my/returns/{r.json()['id']}"), 404, "not_found")
    _problem(other_world.client().get(f"/returns/{r.json()['id']}"), 404, "not_found")
    _problem(ask(other_world, order_id, (1, 1, "damaged")), 404, "not_found")
    assert stranger.get("/my/returns").json()["items"] == []
    assert [x["id"] for x in client.get("/my/returns").json()["items"]] == [r.json()["id"]]
    assert ReturnRequest.objects.count() == 1


def test_the_same_idempotency_key_creates_one_return(world):
    set_policy(world)
    _, client = add_buyer(world, "ann@buyer.one")
    order_id = delivered_order(world, ("A-1", 5))
    first = ask(world, order_id, (1, 1, "damaged"), client=client, mine=True, key="same")
    again = ask(world, order_id, (1, 1, "damaged"), client=client, mine=True, key="same")
    assert again.json() == first.json()
    assert ReturnRequest.objects.count() == 1


def test_staff_and_buyer_keys_keep_to_their_routes(world):
    _, client = add_buyer(world, "ann@buyer.one")
    _problem(client.get("/returns"), 403, "staff_key_required")
    _problem(world.client().get("/my/returns"), 403, "buyer_key_required")


def test_asking_costs_the_same_queries_for_one_line_or_three(world):
    set_policy(world)
    one = delivered_order(world, ("A-1", 5))
    three = delivered_order(world, ("A-1", 5), ("B-2", 6), ("C-3", 3))
    ask(world, one, (1, 1, "damaged"))  # the first RMA number starts the seller's series
    counts = []
    for order_id, lines in [(one, [(1, 1)]), (three, [(1, 1), (2, 1), (3, 1)])]:
        with CaptureQueriesContext(connection) as queries:
            services.request_return(
                tenant_id=world.tenant.pk,
                order_id=order_id,
                lines=[services.LineAsked(n, q, "damaged") for n, q in lines],
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]
