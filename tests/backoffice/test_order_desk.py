"""The order desk and one order's page: filters, paging, bulk confirm, and each action with
its refusals — all through the order services."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.integrations.models import Event
from dinghuo.inventory.models import StockLevel
from dinghuo.orders.models import Order
from tests.backoffice.staffing import csrf_post, place, staff_client, texts
from tests.orders.support import add_rule, set_credit
from tests.portal.ordering import second_company

# Queries of a desk page whatever the number of orders: session, user, staff member, the page
# of orders with their companies, the companies for the filter.
DESK_QUERIES = 5


def _statuses(*orders: Order) -> list[str]:
    return [Order.objects.get(pk=o.pk).status for o in orders]


def test_the_desk_lists_the_tenants_orders_newest_first_with_company_and_status(world):
    staff = staff_client(world)
    first = place(world, ("A-1", 2), key="a", purchase_order_number="PO-77")
    second = place(world, ("C-3", 3), key="b")
    page = texts(staff.client.get("/staff/orders/"))
    assert page.index(second.number) < page.index(first.number)
    assert "Buyer One" in page and "PO-77" in page and "Placed" in page


def test_the_desk_filters_by_status_company_and_searches_order_and_po_numbers(world):
    staff = staff_client(world)
    other = second_company(world)
    mine = place(world, ("A-1", 2), key="a", purchase_order_number="PO-ALPHA-1")
    theirs = place(
        world, ("A-1", 2), key="b", company_id=other.pk, ship_to_id=other.locations.get().pk
    )
    Order.objects.filter(pk=theirs.pk).update(status="confirmed")

    def shown(**params: object) -> tuple[bool, bool]:
        page = texts(staff.client.get("/staff/orders/", params))
        return mine.number in page, theirs.number in page

    assert shown(status="placed") == (True, False)
    assert shown(status="to_ship") == (False, True)
    assert shown(company=other.pk) == (False, True)
    assert shown(q="alpha") == (True, False)
    assert shown(q=theirs.number.lower()) == (False, True)
    assert shown(q=str(mine.pk)) == (True, False)
    assert shown(status="nonsense") == (True, True)  # an unknown filter shows everything


def test_the_desk_pages_and_issues_the_same_queries_for_three_orders_or_thirty(world, settings):
    staff = staff_client(world)
    for i in range(3):
        place(world, ("C-3", 1), key=f"a{i}")
    staff.client.get("/staff/orders/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert staff.client.get("/staff/orders/").status_code == 200
    for i in range(27):
        place(world, ("C-3", 1), key=f"b{i}")
    with CaptureQueriesContext(connection) as many:
        page = staff.client.get("/staff/orders/?status=placed")
    assert len(few) == len(many) <= DESK_QUERIES, [q["sql"] for q in many]
    assert texts(page).count('data-testid="order-SO-') == 30

    import dinghuo.backoffice.views as views

    views.DESK_PAGE_SIZE = 10
    try:
        first = texts(staff.client.get("/staff/orders/"))
        assert first.count('data-testid="order-SO-') == 10
        newest = Order.objects.order_by("-id")
        cursor = newest[9].pk
        assert f"?before={cursor}" in first
        second = texts(staff.client.get(f"/staff/orders/?before={cursor}"))
        assert newest[10].number in second and newest[9].number not in second
    finally:
        views.DESK_PAGE_SIZE = 50


def test_htmx_filtering_answers_only_the_rows(world):
    staff = staff_client(world)
    order = place(world, ("A-1", 1))
    response = staff.client.get("/staff/orders/?status=placed", HTTP_HX_REQUEST="true")
    assert order.number in texts(response)
    assert "<html" not in texts(response)


def test_bulk_confirm_confirms_what_it_can_and_names_each_order_it_could_not(world):
    staff = staff_client(world)
    placed = [place(world, ("A-1", 1), key=f"p{i}") for i in range(2)]
    cancelled = place(world, ("A-1", 1), key="c")
    Order.objects.filter(pk=cancelled.pk).update(status="cancelled")
    response = csrf_post(
        staff.client,
        "/staff/orders/confirm/",
        {"order": [placed[0].pk, cancelled.pk, placed[1].pk, 999999], "query": "?status=placed"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/staff/orders/?status=placed"
    page = texts(response)
    assert "Confirmed 2 orders." in page
    assert f"{cancelled.number}: The order&#x27;s status does not allow this now." in page
    assert "SO-0999999: Not found" in page
    assert _statuses(*placed, cancelled) == ["confirmed", "confirmed", "cancelled"]
    events = Event.objects.filter(type="order.confirmed", aggregate_id__in=[o.pk for o in placed])
    assert events.count() == 2


def test_bulk_confirm_with_nothing_ticked_says_so(world):
    staff = staff_client(world)
    page = texts(csrf_post(staff.client, "/staff/orders/confirm/", {}, follow=True))
    assert "Tick the orders to confirm first." in page


def test_the_order_page_offers_only_what_the_status_allows(world):
    staff = staff_client(world)
    order = place(world, ("A-1", 2), ("B-2", 6))
    page = texts(staff.client.get(f"/staff/orders/{order.pk}/"))
    assert 'data-testid="confirm"' in page and 'data-testid="cancel"' in page
    assert 'data-testid="release"' not in page and 'data-testid="approve"' not in page
    assert 'data-testid="go-ship"' not in page
    assert "Item A-1" in page and "Order placed" in page

    assert csrf_post(staff.client, f"/staff/orders/{order.pk}/confirm/").status_code == 302
    page = texts(staff.client.get(f"/staff/orders/{order.pk}/"))
    assert 'data-status="confirmed"' in page
    assert 'data-testid="confirm"' not in page and 'data-testid="go-ship"' in page

    # Confirming again is refused by the service and said on the page; nothing changes.
    again = texts(csrf_post(staff.client, f"/staff/orders/{order.pk}/confirm/", follow=True))
    assert "The order&#x27;s status does not allow this now." in again
    assert Event.objects.filter(type="order.confirmed", aggregate_id=order.pk).count() == 1


def test_cancelling_releases_the_stock_and_keeps_the_reason(world):
    staff = staff_client(world)
    order = place(world, ("A-1", 5))
    level = StockLevel.objects.get(sku=world.skus["A-1"], warehouse__code="main")
    assert level.reserved == 5
    response = csrf_post(
        staff.client, f"/staff/orders/{order.pk}/cancel/", {"reason": "customer phoned"}
    )
    assert response.status_code == 302
    assert _statuses(order) == ["cancelled"]
    level.refresh_from_db()
    assert level.reserved == 0
    page = texts(staff.client.get(f"/staff/orders/{order.pk}/"))
    assert "customer phoned" in page


def test_releasing_a_credit_hold_needs_a_comment_next_to_the_field(world):
    set_credit(world, "10.00")
    staff = staff_client(world)
    order = place(world, ("A-1", 5))
    assert order.status == "credit_hold"
    page = texts(staff.client.get(f"/staff/orders/{order.pk}/"))
    assert 'data-testid="release"' in page and 'data-testid="hold-reason"' in page

    refused = csrf_post(staff.client, f"/staff/orders/{order.pk}/release-hold/", {"comment": " "})
    assert refused.status_code == 200
    assert 'data-testid="error-comment"' in texts(refused)
    assert _statuses(order) == ["credit_hold"]
    assert not Event.objects.filter(type="order.hold_released").exists()

    done = csrf_post(
        staff.client, f"/staff/orders/{order.pk}/release-hold/", {"comment": "paid by wire"}
    )
    assert done.status_code == 302
    assert _statuses(order) == ["placed"]
    event = Event.objects.get(type="order.hold_released", aggregate_id=order.pk)
    assert event.payload["comment"] == "paid by wire"
    assert event.payload["by"] == "Sam Staff"


def test_staff_approve_or_reject_the_sellers_step_with_a_comment(world):
    add_rule(world, "desk looks at everything", approver="seller")
    staff = staff_client(world)
    approved = place(world, ("A-1", 1), key="a")
    rejected = place(world, ("A-1", 1), key="b")
    assert approved.status == rejected.status == "awaiting_approval"
    page = texts(staff.client.get(f"/staff/orders/{approved.pk}/"))
    assert 'data-testid="approve"' in page and 'data-testid="reject"' in page

    ok = csrf_post(staff.client, f"/staff/orders/{approved.pk}/approve/", {"comment": ""})
    assert ok.status_code == 302
    assert _statuses(approved) == ["placed"]
    step = approved.approvals.get()
    assert (step.status, step.decided_by) == ("approved", "Sam Staff (staff)")

    no_comment = csrf_post(staff.client, f"/staff/orders/{rejected.pk}/reject/", {"comment": ""})
    assert 'data-testid="error-comment"' in texts(no_comment)
    assert _statuses(rejected) == ["awaiting_approval"]
    csrf_post(staff.client, f"/staff/orders/{rejected.pk}/reject/", {"comment": "not today"})
    assert _statuses(rejected) == ["cancelled"]
    assert rejected.approvals.get().comment == "not today"


def test_a_company_step_is_not_the_staffs_to_decide(world):
    add_rule(world, "company approves", approver="company")
    staff = staff_client(world)
    order = place(world, ("A-1", 1))
    page = texts(staff.client.get(f"/staff/orders/{order.pk}/"))
    assert 'data-testid="approve"' not in page
    refused = csrf_post(
        staff.client, f"/staff/orders/{order.pk}/approve/", {"comment": "x"}, follow=True
    )
    assert "Nothing of this order waits for the seller" in texts(refused)
    assert _statuses(order) == ["awaiting_approval"]


def test_actions_need_the_csrf_token_and_post(world):
    staff = staff_client(world)
    order = place(world, ("A-1", 1))
    assert staff.client.post(f"/staff/orders/{order.pk}/confirm/").status_code == 403
    assert staff.client.get(f"/staff/orders/{order.pk}/confirm/").status_code == 405
    assert _statuses(order) == ["placed"]


def test_the_company_filter_takes_a_code_or_part_of_a_name(world):
    from tests.backoffice.staffing import place, staff_client

    staff = staff_client(world)
    order = place(world, ("A-1", 1))
    by_code = staff.client.get("/staff/orders/", {"company": world.company.code.lower()})
    by_name = staff.client.get("/staff/orders/", {"company": "uyer On"})
    nobody = staff.client.get("/staff/orders/", {"company": "no such company"})
    assert order.number.encode() in by_code.content
    assert order.number.encode() in by_name.content
    assert order.number.encode() not in nobody.content


def test_the_order_page_says_where_the_order_came_from_in_words(world):
    staff = staff_client(world)
    order = place(world, ("A-1", 2))
    said = {"api": "API", "edi": "EDI", "punchout": "PunchOut", "staff": "order desk"}
    for channel, words in said.items():
        Order.objects.filter(pk=order.pk).update(channel=channel)
        page = texts(staff.client.get(f"/staff/orders/{order.pk}/"))
        assert f'<span class="muted">{channel}</span>' not in page
        assert words in page, channel
    Order.objects.filter(pk=order.pk).update(channel="portal")
    page = texts(staff.client.get(f"/staff/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hant"))
    assert "於訂貨入口網站下單" in page


def test_the_order_page_shows_the_delivery_address_in_full(world):
    world.ship_to.line2 = "Pier 3"
    world.ship_to.postal_code = "999077"
    world.ship_to.save()
    staff = staff_client(world)
    order = place(world, ("A-1", 1))
    page = texts(staff.client.get(f"/staff/orders/{order.pk}/"))
    address = page.split('data-testid="delivery-address"')[1].split("</p>")[0]
    for part in ("Dock 1", "1 Harbour Rd", "Pier 3", "Hong Kong 999077", "Hong Kong SAR China"):
        assert part in address
