"""The company's orders: list, detail with shipments and timeline, reorder; never another's."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.buying import queries as buying
from dinghuo.fulfilment import services as fulfilment
from dinghuo.fulfilment.services import ShipLine
from dinghuo.orders import services as orders
from dinghuo.pricing.models import PriceTier
from tests.builders import World
from tests.portal.ordering import csrf_post, second_company, sign_in


def confirmed(world: World, buyer, *lines, **extra):
    order = buyer.place(world, *lines, **extra)
    return orders.confirm_order(tenant_id=world.tenant.pk, order_id=order.pk)


def test_the_orders_list_shows_the_companys_orders_by_status(world: World) -> None:
    buyer = sign_in(world)
    first = buyer.place(world, ("A-1", 10), purchase_order_number="PO-1")
    second = confirmed(world, buyer, ("C-3", 3))
    other = sign_in(world, "bob@other.test", company=second_company(world))
    theirs = other.place(world, ("A-1", 1))
    html = buyer.client.get("/orders/").content.decode()
    assert first.number in html and second.number in html and theirs.number not in html
    assert "PO-1" in html and "$90.00" in html
    assert html.index(second.number) < html.index(first.number)  # newest first
    html = buyer.client.get("/orders/", {"status": "confirmed"}).content.decode()
    assert second.number in html and first.number not in html


def test_the_orders_list_pages_with_a_constant_number_of_queries(world: World) -> None:
    buyer = sign_in(world)
    buyer.place(world, ("A-1", 1))
    buyer.client.get("/orders/")
    with CaptureQueriesContext(connection) as one:
        buyer.client.get("/orders/")
    for _ in range(29):
        buyer.place(world, ("A-1", 1))
    with CaptureQueriesContext(connection) as many:
        html = buyer.client.get("/orders/").content.decode()
    assert html.count('data-testid="order-') == 25
    assert len(many) == len(one)
    older = buyer.client.get("/orders/", {"before": html.split("?before=")[1].split('"')[0]})
    assert older.content.decode().count('data-testid="order-') == 5


def test_the_order_page_shows_lines_shipments_tracking_and_timeline(world: World) -> None:
    buyer = sign_in(world)
    order = confirmed(world, buyer, ("A-1", 10), ("C-3", 3))
    for tracking, quantity in [("TRK-1", 4), ("TRK-2", 6)]:
        fulfilment.ship_order(
            tenant_id=world.tenant.pk,
            order_id=order.pk,
            carrier="SF Express",
            tracking_number=tracking,
            lines=[ShipLine(1, quantity)],
        )
    html = buyer.client.get(f"/orders/{order.pk}/").content.decode()
    assert f"Order {order.number}" in html
    assert 'data-status="partially_shipped"' in html and "Partially shipped" in html
    assert "SF Express, tracking number TRK-1" in html and "TRK-2" in html
    assert html.count('data-testid="shipment"') == 2
    assert "Order placed" in html and "Confirmed" in html and "Shipped" in html
    assert "$90.00" in html and "$1.00" in html and "$91.00" in html


def test_the_order_page_in_chinese(world: World) -> None:
    buyer = sign_in(world)
    order = buyer.place(world, ("A-1", 10))
    html = buyer.client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert 'lang="zh-hant"' in html
    assert "產品 A-1" in html  # the product's Chinese name stands in for the SKU's


def test_another_companys_order_is_not_found(world: World, other_world: World) -> None:
    buyer = sign_in(world)
    neighbour = sign_in(world, "bob@other.test", company=second_company(world))
    theirs = neighbour.place(world, ("A-1", 1))
    far = sign_in(other_world, "eve@globex.test")
    far_order = far.place(other_world, ("A-1", 1))
    for order in (theirs, far_order):
        assert buyer.client.get(f"/orders/{order.pk}/").status_code == 404
        assert csrf_post(buyer.client, f"/orders/{order.pk}/reorder/").status_code == 404
    assert buyer.client.get("/orders/999999/").status_code == 404


def test_reorder_fills_the_cart_at_todays_prices_and_says_what_changed(world: World) -> None:
    buyer = sign_in(world)
    order = buyer.place(world, ("A-1", 10), ("C-3", 3))
    PriceTier.objects.filter(sku=world.skus["A-1"], min_quantity=10).update(
        unit_price=Decimal("9.50")
    )
    r = csrf_post(buyer.client, f"/orders/{order.pk}/reorder/")
    assert r.status_code == 302 and r["Location"] == "/cart/"
    html = buyer.client.get("/cart/").content.decode()
    assert "2 of 2 lines were added to your cart at today&#x27;s prices." in html
    assert 'data-testid="repricing"' in html and "$9.00" in html and "$9.50" in html
    assert "changed" in html
    cart = buying.cart(world.tenant.pk, world.company.pk, buyer.member.pk)
    assert [(line.check.sku, line.check.quantity) for line in cart.lines] == [
        ("A-1", 10),
        ("C-3", 3),
    ]
    # The report shows once.
    assert 'data-testid="repricing"' not in buyer.client.get("/cart/").content.decode()


def test_the_order_page_shows_where_and_when_it_is_delivered(world: World) -> None:
    import datetime

    from dinghuo.core import clock

    world.ship_to.line2 = "Pier 3"
    world.ship_to.postal_code = "999077"
    world.ship_to.save()
    buyer = sign_in(world)
    wanted = clock.now().date() + datetime.timedelta(days=5)
    order = buyer.place(world, ("A-1", 10), requested_delivery_date=wanted)
    plain = buyer.place(world, ("A-1", 1))
    html = buyer.client.get(f"/orders/{order.pk}/").content.decode()
    address = html.split('data-testid="delivery-address"')[1].split("</p>")[0]
    for part in ("Delivery address", "Dock 1", "1 Harbour Rd", "Pier 3", "Hong Kong 999077"):
        assert part in address
    assert "Hong Kong SAR China" in address  # the country by its name, not "HK"
    assert 'data-testid="requested-date">' in html
    html = buyer.client.get(f"/orders/{plain.pk}/").content.decode()
    assert "Dock 1" in html and 'data-testid="requested-date"' not in html
    buyer.client.cookies["django_language"] = "zh-hant"
    html = buyer.client.get(f"/orders/{order.pk}/").content.decode()
    assert "送貨地址" in html and "香港" in html
