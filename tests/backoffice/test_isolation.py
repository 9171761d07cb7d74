"""A staff member of one tenant never sees nor touches another tenant's orders, whatever ids
they guess: every such page answers 404 and nothing changes."""

import pytest

from dinghuo.backoffice.models import StaffMember
from dinghuo.fulfilment.models import Shipment
from dinghuo.fulfilment.services import ShipLine, ship_order
from dinghuo.orders.models import Order
from dinghuo.orders.services import confirm_order
from tests.backoffice.staffing import csrf_post, place, staff_client, texts


@pytest.fixture
def theirs(other_world):
    """An order of the other tenant, confirmed and partly shipped."""
    order = place(other_world, ("A-1", 4), key="theirs")
    confirm_order(tenant_id=other_world.tenant.pk, order_id=order.pk)
    ship_order(
        tenant_id=other_world.tenant.pk,
        order_id=order.pk,
        carrier="SF",
        tracking_number="THEIRS-1",
        lines=[ShipLine(1, 1)],
    )
    order.refresh_from_db()
    return order


def test_another_tenants_order_is_not_found_on_any_page(world, theirs):
    staff = staff_client(world)
    shipment = Shipment.objects.get(order=theirs)
    for url in (
        f"/staff/orders/{theirs.pk}/",
        f"/staff/fulfilment/{theirs.pk}/",
        f"/staff/orders/{theirs.pk}/shipments/{shipment.pk}/packing-slip.pdf",
    ):
        assert staff.client.get(url).status_code == 404, url


def test_another_tenants_order_cannot_be_changed(world, theirs):
    staff = staff_client(world)
    for action, body in (
        ("confirm", {}),
        ("cancel", {"reason": "x"}),
        ("release-hold", {"comment": "x"}),
        ("approve", {"comment": "x"}),
        ("reject", {"comment": "x"}),
    ):
        response = csrf_post(staff.client, f"/staff/orders/{theirs.pk}/{action}/", body)
        assert response.status_code == 404, action
    shipped = csrf_post(
        staff.client,
        f"/staff/fulfilment/{theirs.pk}/",
        {"token": "a" * 32, "ship_1": "1", "carrier": "SF", "tracking_number": "MINE"},
    )
    assert shipped.status_code == 404
    bulk = csrf_post(staff.client, "/staff/orders/confirm/", {"order": [theirs.pk]}, follow=True)
    assert f"{theirs.number}: Not found" in texts(bulk)
    theirs_now = Order.objects.get(pk=theirs.pk)
    assert theirs_now.status == "partially_shipped"
    assert Shipment.objects.filter(order=theirs).count() == 1


def test_the_desk_dashboard_and_fulfilment_show_only_the_own_tenant(world, theirs):
    staff = staff_client(world)
    mine = place(world, ("A-1", 1), key="mine")
    desk = texts(staff.client.get("/staff/orders/"))
    assert desk.count('data-testid="order-SO-') == 1
    assert f'data-testid="order-{mine.number}"' in desk
    searched = texts(staff.client.get(f"/staff/orders/?q={theirs.number}"))
    assert 'data-testid="order-SO-' not in searched
    assert "Nothing waits to be shipped." in texts(staff.client.get("/staff/fulfilment/"))
    board = texts(staff.client.get("/staff/"))
    assert 'data-testid="count-to-ship"' in board
    assert '<span class="tile__number">0</span> to ship' in board


def test_staff_of_the_other_tenant_see_their_own_order(other_world, theirs):
    staff = staff_client(other_world, "olga@globex.test")
    assert staff.client.get(f"/staff/orders/{theirs.pk}/").status_code == 200
    assert StaffMember.objects.get(user=staff.member.user).tenant_id == other_world.tenant.pk
