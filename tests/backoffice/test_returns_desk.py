"""The returns desk: requests waiting for a decision first, approve (RMA number) or reject
(with a comment), receive each line with its fate (stock moves), close with a credit note
that the buyer then sees; refusals next to their field; another tenant's return not found."""

import re
from decimal import Decimal

import pytest

from dinghuo.billing.models import CreditNote, Payment
from dinghuo.inventory.models import StockLevel
from dinghuo.returns.models import ReturnRequest
from tests.backoffice.staffing import csrf_post, staff_client, texts
from tests.builders import World, build_world
from tests.invariants import assert_stock_consistent
from tests.portal.ordering import csrf_post as buyer_post
from tests.portal.ordering import sign_in
from tests.returns.support import delivered_order, set_policy

pytestmark = pytest.mark.django_db


def _on_hand(world: World, sku: str) -> int:
    return StockLevel.objects.get(sku=world.skus[sku], warehouse__code="main").on_hand


def _requested(world: World, order_id: int, **fields: str) -> tuple[ReturnRequest, object]:
    """The buyer asks through the portal's form; the request waits for a clerk."""
    buyer = sign_in(world)
    r = buyer_post(buyer.client, f"/orders/{order_id}/return/", fields)
    assert r.status_code == 302, texts(r)
    return ReturnRequest.objects.get(), buyer


def test_a_clerk_approves_receives_and_closes_and_the_buyer_sees_the_credit_note(
    world: World,
) -> None:
    set_policy(world, auto_approve_limit=None)
    order_id = delivered_order(world, ("A-1", 5), ("C-3", 3))
    made, buyer = _requested(
        world, order_id, quantity_1="1", reason_1="not_needed", quantity_2="1", reason_2="damaged"
    )
    staff = staff_client(world)
    desk = texts(staff.client.get("/staff/returns/"))
    assert f'data-testid="return-{made.pk}"' in desk  # opens on the requested ones

    r = csrf_post(staff.client, f"/staff/returns/{made.pk}/approve/", {"comment": ""})
    assert r.status_code == 302 and r["Location"] == f"/staff/returns/{made.pk}/"
    page = texts(staff.client.get(r["Location"]))
    assert 'data-testid="rma">RMA-000001<' in page and 'data-testid="receive-form"' in page
    assert "RMA-000001" in texts(buyer.client.get(f"/returns/{made.pk}/"))
    # Approved, it has left the desk's first view.
    assert f'data-testid="return-{made.pk}"' not in texts(staff.client.get("/staff/returns/"))

    received = {"received_1": "1", "fate_1": "restock", "received_2": "1", "fate_2": "scrap"}
    r = csrf_post(staff.client, f"/staff/returns/{made.pk}/receive/", received)
    assert r.status_code == 302
    assert _on_hand(world, "A-1") == 96 and _on_hand(world, "C-3") == 97
    assert_stock_consistent(world.tenant.pk)

    r = csrf_post(staff.client, f"/staff/returns/{made.pk}/close/", {"method": "bank_transfer"})
    assert r.status_code == 302
    note = CreditNote.objects.get()
    assert ReturnRequest.objects.get().status == "closed"
    assert not Payment.objects.filter(kind="refund").exists()
    seen = texts(buyer.client.get(f"/returns/{made.pk}/"))
    assert f"{note.number} (PDF)" in seen
    assert re.search(r'data-testid="credited">[^<]*\d', seen)


def test_rejecting_needs_a_comment_said_next_to_it(world: World) -> None:
    set_policy(world, auto_approve_limit=None)
    order_id = delivered_order(world, ("A-1", 5))
    made, buyer = _requested(world, order_id, quantity_1="2", reason_1="other")
    staff = staff_client(world)
    r = csrf_post(staff.client, f"/staff/returns/{made.pk}/reject/", {"comment": " "})
    assert r.status_code == 200
    assert 'data-testid="error-comment"' in texts(r)
    assert ReturnRequest.objects.get().status == "requested"
    r = csrf_post(staff.client, f"/staff/returns/{made.pk}/reject/", {"comment": "Worn"})
    assert r.status_code == 302
    seen = texts(buyer.client.get(f"/returns/{made.pk}/"))
    assert "The seller rejected this return." in seen and "Worn" in seen


def test_receiving_more_than_asked_is_refused_next_to_the_line(world: World) -> None:
    set_policy(world)  # approved at once
    order_id = delivered_order(world, ("A-1", 5))
    made, _ = _requested(world, order_id, quantity_1="2", reason_1="damaged")
    staff = staff_client(world)
    r = csrf_post(
        staff.client, f"/staff/returns/{made.pk}/receive/", {"received_1": "3", "fate_1": "restock"}
    )
    assert r.status_code == 200
    error = re.search(r'data-testid="error-received_1">([^<]+)<', texts(r))
    assert error and error.group(1) == "From 0 to the 2 units asked back."
    assert ReturnRequest.objects.get().status == "approved"
    assert _on_hand(world, "A-1") == 95


def test_another_tenants_return_is_not_found(world: World) -> None:
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5))
    made, _ = _requested(world, order_id, quantity_1="1", reason_1="damaged")
    other = staff_client(build_world("other"), "olga@other.test")
    assert other.client.get(f"/staff/returns/{made.pk}/").status_code == 404
    r = csrf_post(other.client, f"/staff/returns/{made.pk}/receive/", {"received_1": "1"})
    assert r.status_code == 404
    assert ReturnRequest.objects.get().status == "approved"


def test_the_desk_speaks_chinese(world: World) -> None:
    set_policy(world, auto_approve_limit=None)
    order_id = delivered_order(world, ("A-1", 5))
    made, _ = _requested(world, order_id, quantity_1="1", reason_1="damaged")
    staff = staff_client(world)
    staff.client.cookies["django_language"] = "zh-hans"
    page = texts(staff.client.get(f"/staff/returns/{made.pk}/"))
    assert "批准退货" in page and "到货时已损坏" in page
    assert "Approve the return" not in page


def _ask_again(buyer: object, order_id: int, **fields: str) -> ReturnRequest:
    """A further request of the same buyer: the newest return."""
    r = buyer_post(buyer.client, f"/orders/{order_id}/return/", fields)  # type: ignore[attr-defined]
    assert r.status_code == 302, texts(r)
    return ReturnRequest.objects.latest("id")


def test_the_clerk_reads_why_the_policy_left_the_request_to_them(world: World) -> None:
    set_policy(world, auto_approve_limit=Decimal("5000"))
    order_id = delivered_order(world, ("A-1", 5))
    made, buyer = _requested(world, order_id, quantity_1="2", reason_1="other")
    assert made.review_reasons == ["reason_other"]
    staff = staff_client(world)
    page = texts(staff.client.get(f"/staff/returns/{made.pk}/"))
    reasons = re.findall(r'data-testid="review-reason">([^<]+)<', page)
    assert reasons == ["A line gives &quot;Another reason&quot;: read the notes"]

    set_policy(world, auto_approve_limit=Decimal("1.00"))
    made = _ask_again(buyer, order_id, quantity_1="1", reason_1="damaged")
    assert made.review_reasons == ["over_approval_limit"]
    page = texts(staff.client.get(f"/staff/returns/{made.pk}/"))
    assert "Worth more than the automatic approval limit ($1.00)" in page
    staff.client.cookies["django_language"] = "zh-hant"
    page = texts(staff.client.get(f"/staff/returns/{made.pk}/"))
    reasons = re.findall(r'data-testid="review-reason">([^<]+)<', page)
    assert reasons == ["金額超過自動批准上限（US$1.00）"]
    # Approved by itself, a request shows no reasons.
    set_policy(world)
    made = _ask_again(buyer, order_id, quantity_1="1", reason_1="damaged")
    staff.client.cookies["django_language"] = "en"
    page = texts(staff.client.get(f"/staff/returns/{made.pk}/"))
    assert "Approved by the return policy." in page and "review-reason" not in page


def test_the_desk_links_the_slip_of_an_approved_return(world: World) -> None:
    set_policy(world)  # approved at once
    order_id = delivered_order(world, ("A-1", 5))
    made, _ = _requested(world, order_id, quantity_1="1", reason_1="damaged")
    staff = staff_client(world)
    page = texts(staff.client.get(f"/staff/returns/{made.pk}/"))
    assert f'href="/staff/returns/{made.pk}/slip/" data-testid="return-slip"' in page
    r = staff.client.get(f"/staff/returns/{made.pk}/slip/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    other = staff_client(build_world("other"), "olga@other.test")
    assert other.client.get(f"/staff/returns/{made.pk}/slip/").status_code == 404


def test_approving_an_exchange_on_the_desk_links_the_replacement_order(world: World) -> None:
    from dinghuo.orders.models import Order

    set_policy(world, auto_approve_limit=None)
    order_id = delivered_order(world, ("A-1", 5))
    made, _ = _requested(world, order_id, quantity_1="1", reason_1="defective", outcome="exchange")
    staff = staff_client(world)
    page = texts(staff.client.get(f"/staff/returns/{made.pk}/"))
    assert "Approving the return orders the replacement goods" in page
    r = csrf_post(staff.client, f"/staff/returns/{made.pk}/approve/", {"comment": ""})
    assert r.status_code == 302
    exchange = Order.objects.get(channel="exchange")
    page = texts(staff.client.get(f"/staff/returns/{made.pk}/"))
    assert (
        f'href="/staff/orders/{exchange.pk}/" data-testid="exchange-order">{exchange.number}<'
        in page
    )
    assert "confirmed, so it can ship, when the returned goods are received" in page


def test_an_exchange_short_of_stock_is_refused_on_the_desk(world: World) -> None:
    set_policy(world, auto_approve_limit=None)
    order_id = delivered_order(world, ("A-1", 5))
    made, _ = _requested(
        world,
        order_id,
        quantity_1="1",
        reason_1="defective",
        outcome="exchange",
        replacements="A-1 500",
    )
    staff = staff_client(world)
    r = csrf_post(staff.client, f"/staff/returns/{made.pk}/approve/", {"comment": ""})
    assert r.status_code == 200
    errors = re.search(r'data-testid="form-errors">\s*<li>([^<]+)<', texts(r))
    assert errors and errors.group(1) == "A-1: Only 95 available now."
    assert ReturnRequest.objects.get().status == "requested"


def test_the_desk_says_which_reasons_pay_the_restocking_fee(world: World) -> None:
    set_policy(world, auto_approve_limit=None, restocking_fee_percent=Decimal("10"))
    order_id = delivered_order(world, ("A-1", 5))
    made, _ = _requested(world, order_id, quantity_1="1", reason_1="damaged")
    staff = staff_client(world)
    page = texts(staff.client.get(f"/staff/returns/{made.pk}/"))
    said = re.search(r'data-testid="fee-reasons">([^<]*)<', page)
    assert said is not None
    assert "No longer needed" in said.group(1) and "Another reason" in said.group(1)
    assert "Arrived damaged" not in said.group(1)
    staff.client.cookies["django_language"] = "zh-hant"
    chinese = texts(staff.client.get(f"/staff/returns/{made.pk}/"))
    assert "適用於以下原因退回的貨品" in chinese and "on lines returned for" not in chinese
