"""Staff roles in the back office: the menu shows a role what it may open, a refused page is
the styled 403 and changes nothing, the warehouse sees no money, and the role service lets
nobody give a role above their own."""

import pytest
from django.core.exceptions import PermissionDenied as Refused
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from dinghuo.backoffice import services
from dinghuo.backoffice.access import staff_required
from dinghuo.backoffice.models import StaffMember
from dinghuo.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from dinghuo.inventory.models import StockLevel
from dinghuo.orders.services import confirm_order
from tests.backoffice.staffing import csrf_post, make_staff, place, staff_client, texts
from tests.builders import build_world

MENU = {
    "Orders": "/staff/orders/",
    "Fulfilment": "/staff/fulfilment/",
    "Stock": "/staff/stock/",
    "Invoices": "/staff/invoices/",
    "Payments": "/staff/payments/",
    "Price lists": "/staff/prices/",
    "Webhooks": "/staff/webhooks/",
}


def _menu(page: str) -> set[str]:
    nav = page[page.index('<nav class="site-nav"') : page.index("</nav>")]
    return {name for name, url in MENU.items() if f'href="{url}"' in nav}


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("owner", set(MENU)),
        ("warehouse", {"Fulfilment", "Stock"}),
        ("finance", {"Orders", "Invoices", "Payments", "Price lists"}),
        ("sales", {"Orders", "Fulfilment", "Stock", "Invoices", "Payments", "Price lists"}),
        ("read_only", set(MENU)),
    ],
)
def test_the_menu_shows_what_the_role_may_open(world, role, shown):
    staff = staff_client(world, role=role)
    assert _menu(texts(staff.client.get("/staff/"))) == shown


def test_a_refused_page_is_the_styled_403_in_the_readers_language(world):
    staff = staff_client(world, role="warehouse")
    english = staff.client.get("/staff/invoices/")
    assert english.status_code == 403
    assert "Not open to you" in texts(english) and 'href="/staff/"' in texts(english)
    chinese = staff.client.get("/staff/invoices/", HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert chinese.status_code == 403 and "Not open to you" not in texts(chinese)


def test_a_refused_action_changes_nothing(world):
    staff = staff_client(world, role="sales")
    sku = world.skus["A-1"]
    before = list(StockLevel.objects.filter(sku=sku).values("warehouse_id", "on_hand"))
    response = csrf_post(
        staff.client,
        f"/staff/stock/{sku.pk}/adjust/",
        {"warehouse": "main", "quantity": "-5", "reason": "count"},
    )
    assert response.status_code == 403
    assert list(StockLevel.objects.filter(sku=sku).values("warehouse_id", "on_hand")) == before


def test_read_only_sees_the_order_but_cannot_confirm_it(world):
    staff = staff_client(world, role="read_only")
    order = place(world, ("A-1", 2))
    assert staff.client.get(f"/staff/orders/{order.pk}/").status_code == 200
    assert csrf_post(staff.client, f"/staff/orders/{order.pk}/confirm/").status_code == 403
    order.refresh_from_db()
    assert order.status == "placed"


def test_the_warehouse_ships_from_pages_without_a_price(world):
    order = place(world, ("A-1", 3))
    confirm_order(tenant_id=world.tenant.pk, order_id=order.pk)
    staff = staff_client(world, role="warehouse")
    for url in ("/staff/", "/staff/fulfilment/", f"/staff/fulfilment/{order.pk}/", "/staff/stock/"):
        response = staff.client.get(url)
        assert response.status_code == 200, url
        assert "$" not in texts(response), url  # the world's prices are US dollars
    assert staff.client.get(f"/staff/orders/{order.pk}/").status_code == 403
    owner = staff_client(world, "olga@seller.test")
    assert "$" in texts(owner.client.get("/staff/"))  # the control: the owner sees the sums


def test_the_role_costs_no_query(world):
    owner = staff_client(world)
    clerk = staff_client(world, "kim@seller.test", role="warehouse")
    owner.client.get("/staff/fulfilment/")
    clerk.client.get("/staff/fulfilment/")
    with CaptureQueriesContext(connection) as as_owner:
        owner.client.get("/staff/fulfilment/")
    with CaptureQueriesContext(connection) as as_clerk:
        clerk.client.get("/staff/fulfilment/")
    staff_reads = [q for q in as_clerk if "backoffice_staffmember" in q["sql"]]
    assert len(as_owner) == len(as_clerk) and len(staff_reads) == 1


def test_a_page_without_a_declared_permission_is_the_owners_only(world, rf: RequestFactory):
    def undeclared(request: HttpRequest) -> HttpResponse:
        return HttpResponse("done")

    view = staff_required(undeclared)
    request = rf.get("/staff/x/")
    request.session = {}  # type: ignore[assignment]
    request.user = make_staff(world, "olga@seller.test").user
    assert view(request).status_code == 200
    request.user = make_staff(world, "mia@seller.test", role="manager").user
    with pytest.raises(Refused):
        view(request)


# --- changing a role -----------------------------------------------------------------------


def _roles(world) -> dict[str, str]:
    members = StaffMember.objects.filter(tenant=world.tenant)
    return dict(members.values_list("user__email", "role"))


def test_an_owner_makes_a_clerk_a_manager(world):
    owner = make_staff(world, "olga@seller.test")
    clerk = make_staff(world, "kim@seller.test", role="warehouse")
    changed = services.change_staff_role(
        tenant_id=world.tenant.pk, by_user_id=owner.user_id, member_id=clerk.pk, role="manager"
    )
    assert changed.role == "manager" and _roles(world)["kim@seller.test"] == "manager"


@pytest.mark.parametrize(
    ("target_role", "new_role"),
    [("sales", "owner"), ("owner", "sales"), ("manager", "owner")],
)
def test_a_manager_cannot_give_a_role_above_their_own(world, target_role, new_role):
    make_staff(world, "olga@seller.test")  # an owner, so the last-owner rule plays no part
    manager = make_staff(world, "mia@seller.test", role="manager")
    target = make_staff(world, "tom@seller.test", role=target_role)
    before = _roles(world)
    with pytest.raises(PermissionDenied) as refused:
        services.change_staff_role(
            tenant_id=world.tenant.pk,
            by_user_id=manager.user_id,
            member_id=target.pk,
            role=new_role,
        )
    assert refused.value.code == "role_above_own" and refused.value.status == 403
    assert _roles(world) == before


def test_a_manager_cannot_make_themselves_owner(world):
    manager = make_staff(world, "mia@seller.test", role="manager")
    with pytest.raises(PermissionDenied):
        services.change_staff_role(
            tenant_id=world.tenant.pk,
            by_user_id=manager.user_id,
            member_id=manager.pk,
            role="owner",
        )
    assert _roles(world) == {"mia@seller.test": "manager"}


def test_a_manager_may_make_a_clerk_a_manager_but_sales_may_change_nobody(world):
    manager = make_staff(world, "mia@seller.test", role="manager")
    seller = make_staff(world, "sal@seller.test", role="sales")
    clerk = make_staff(world, "kim@seller.test", role="warehouse")
    services.change_staff_role(
        tenant_id=world.tenant.pk, by_user_id=manager.user_id, member_id=clerk.pk, role="manager"
    )
    with pytest.raises(PermissionDenied):
        services.change_staff_role(
            tenant_id=world.tenant.pk, by_user_id=seller.user_id, member_id=clerk.pk, role="sales"
        )
    assert _roles(world)["kim@seller.test"] == "manager"


def test_the_last_owner_stays_an_owner(world):
    owner = make_staff(world, "olga@seller.test")
    with pytest.raises(Conflict) as refused:
        services.change_staff_role(
            tenant_id=world.tenant.pk, by_user_id=owner.user_id, member_id=owner.pk, role="manager"
        )
    assert refused.value.code == "last_owner"
    second = make_staff(world, "otto@seller.test")
    services.change_staff_role(
        tenant_id=world.tenant.pk, by_user_id=second.user_id, member_id=owner.pk, role="manager"
    )
    assert _roles(world) == {"olga@seller.test": "manager", "otto@seller.test": "owner"}


def test_another_tenants_staff_and_unknown_roles_are_refused(world):
    owner = make_staff(world, "olga@seller.test")
    other = build_world("initech")
    stranger = make_staff(other, "ivan@initech.test", role="sales")
    with pytest.raises(NotFound):
        services.change_staff_role(
            tenant_id=world.tenant.pk, by_user_id=owner.user_id, member_id=stranger.pk, role="owner"
        )
    with pytest.raises(ValidationFailed) as invalid:
        services.change_staff_role(
            tenant_id=world.tenant.pk, by_user_id=owner.user_id, member_id=owner.pk, role="admin"
        )
    assert invalid.value.errors[0].code == "invalid_role"
    assert StaffMember.objects.get(pk=stranger.pk).role == "sales"
