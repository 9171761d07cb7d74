"""The approver's inbox: orders waiting for the company, decided in place, never another's."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.orders.models import Order
from dinghuo.orders.states import OrderStatus
from tests.builders import World
from tests.portal.ordering import SignedIn, csrf_post, second_company, sign_in


def over_limit(world: World, buyer: SignedIn, quantity: int = 10) -> Order:
    """An order over the buyer's spending limit: it waits for a company approver."""
    order = buyer.place(world, ("A-1", quantity), purchase_order_number="PO-77")
    assert order.status == OrderStatus.AWAITING_APPROVAL
    return order


def decide(client, order: Order, decision: str, comment: str = "", htmx: bool = True):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return csrf_post(
        client, f"/approvals/{order.pk}/", {"decision": decision, "comment": comment}, **extra
    )


def test_the_inbox_shows_what_waits_with_total_buyer_reasons_and_lines(world: World) -> None:
    buyer = sign_in(world, "ann@buyer.test", spending_limit="50")
    order = over_limit(world, buyer)
    approver = sign_in(world, "amy@buyer.test", "approver")
    html = approver.client.get("/approvals/").content.decode()
    assert f'data-testid="approval-{order.number}"' in html
    assert "$90.00" in html and "Placed by ann" in html and "PO-77" in html
    assert "$90.00 is over the buyer&#x27;s spending limit of $50.00" in html
    assert "10 × Item A-1 (A-1)" in html
    assert 'href="/approvals/"' in html  # the nav links the inbox for approvers


def test_only_approvers_and_admins_open_the_inbox(world: World) -> None:
    buyer = sign_in(world, "ann@buyer.test", spending_limit="50")
    assert buyer.client.get("/approvals/").status_code == 403
    order = over_limit(world, buyer)
    assert decide(buyer.client, order, "approve").status_code == 403
    admin = sign_in(world, "ada@buyer.test", "admin")
    assert admin.client.get("/approvals/").status_code == 200
    anonymous = admin.client.__class__()
    r = anonymous.get("/approvals/")
    assert r.status_code == 302 and "/signin/" in r["Location"]


def test_approving_with_a_comment_takes_it_off_the_list_and_onto_the_timeline(
    world: World,
) -> None:
    buyer = sign_in(world, "ann@buyer.test", spending_limit="50")
    order = over_limit(world, buyer)
    approver = sign_in(world, "amy@buyer.test", "approver")
    r = decide(approver.client, order, "approve", "Fine for the launch")
    html = r.content.decode()
    assert "<html" not in html and f'data-testid="decided-{order.number}"' in html
    assert f"You approved order {order.number}." in html
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED  # the seller confirms by hand (default policy)
    assert order.number not in approver.client.get("/approvals/").content.decode()
    page = buyer.client.get(f"/orders/{order.pk}/").content.decode()
    assert "Approved" in page and "Fine for the launch" in page


def test_a_plain_form_post_decides_too(world: World) -> None:
    buyer = sign_in(world, "ann@buyer.test", spending_limit="50")
    order = over_limit(world, buyer)
    approver = sign_in(world, "amy@buyer.test", "approver")
    r = decide(approver.client, order, "approve", htmx=False)
    assert r.status_code == 302 and r["Location"] == "/approvals/"
    html = approver.client.get("/approvals/").content.decode()
    assert f"You approved order {order.number}." in html
    assert "Nothing waits for your approval." in html


def test_rejecting_needs_a_comment_next_to_the_field(world: World) -> None:
    buyer = sign_in(world, "ann@buyer.test", spending_limit="50")
    order = over_limit(world, buyer)
    approver = sign_in(world, "amy@buyer.test", "approver")
    html = decide(approver.client, order, "reject", "   ").content.decode()
    assert 'data-testid="error-comment"' in html and "Say why you reject the order." in html
    assert f'data-testid="approval-{order.number}"' in html  # still in the list
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_APPROVAL  # nothing changed
    html = decide(approver.client, order, "reject", "Too many").content.decode()
    assert "it is cancelled" in html
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    page = buyer.client.get(f"/orders/{order.pk}/").content.decode()
    assert "Rejected" in page and "Too many" in page


def test_an_approver_cannot_decide_their_own_order(world: World) -> None:
    approver = sign_in(world, "amy@buyer.test", "approver", spending_limit="50")
    order = over_limit(world, approver)
    html = decide(approver.client, order, "approve").content.decode()
    assert "You placed this order: another approver of your company must decide on it." in html
    assert 'data-testid="approval-errors"' in html
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_APPROVAL


def test_an_order_decided_meanwhile_leaves_the_list_with_a_note(world: World) -> None:
    buyer = sign_in(world, "ann@buyer.test", spending_limit="50")
    order = over_limit(world, buyer)
    first = sign_in(world, "amy@buyer.test", "approver")
    second = sign_in(world, "al@buyer.test", "admin")
    decide(first.client, order, "approve")
    html = decide(second.client, order, "reject", "late").content.decode()
    assert f'data-testid="decided-{order.number}"' in html
    assert "This order no longer waits for approval." in html


def test_another_companys_order_is_neither_listed_nor_decided(
    world: World, other_world: World
) -> None:
    approver = sign_in(world, "amy@buyer.test", "approver")
    neighbour = sign_in(world, "bob@other.test", company=second_company(world))
    neighbour.member.spending_limit = 5
    neighbour.member.save()
    theirs = over_limit(world, neighbour)
    far = sign_in(other_world, "eve@globex.test", spending_limit="5")
    far_order = over_limit(other_world, far)
    assert theirs.number not in approver.client.get("/approvals/").content.decode()
    for order in (theirs, far_order):
        assert decide(approver.client, order, "approve").status_code == 404
        order.refresh_from_db()
        assert order.status == OrderStatus.AWAITING_APPROVAL
    assert decide(approver.client, Order(pk=999999), "approve").status_code == 404


def test_the_inbox_takes_the_same_number_of_queries_however_long(world: World) -> None:
    buyer = sign_in(world, "ann@buyer.test", spending_limit="5")
    approver = sign_in(world, "amy@buyer.test", "approver")
    buyer.place(world, ("A-1", 1), ("C-3", 1))
    approver.client.get("/approvals/")
    with CaptureQueriesContext(connection) as one:
        approver.client.get("/approvals/")
    for _ in range(9):
        buyer.place(world, ("A-1", 2), ("C-3", 1), ("D-4", 1), ("B-2", 6))
    with CaptureQueriesContext(connection) as many:
        html = approver.client.get("/approvals/").content.decode()
    assert html.count('data-testid="approval-SO-') == 10
    assert "and 1 more line" in html
    assert len(many) == len(one)
