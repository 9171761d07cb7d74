"""Orders, approvals, quotes and customer prices in the admin: pages to look at, never to
change (changes go through the services)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dinghuo.orders.models import Order
from tests.orders.support import add_rule


@pytest.fixture
def staff(db):
    user = get_user_model().objects.create_superuser("root", "root@example.test", "x" * 16)
    client = Client()
    client.force_login(user)
    return client


PAGES = [
    "orders/order",
    "orders/approvalrule",
    "orders/orderpolicy",
    "buying/quote",
    "pricing/contractprice",
    "pricing/promotion",
    "pricing/pricelistassignment",
    "pricing/assortment",
]


@pytest.mark.parametrize("page", PAGES)
def test_pages_list_and_refuse_adding(world, staff, page):
    assert staff.get(f"/admin/{page}/").status_code == 200
    assert staff.get(f"/admin/{page}/add/").status_code == 403


def test_an_order_shows_its_lines_and_approvals_but_cannot_be_changed(world, staff):
    add_rule(world, "Everything needs approval")
    placed = world.client().place(world.order_body(("A-1", 2))).json()
    page = staff.get(f"/admin/orders/order/{placed['id']}/change/")
    assert page.status_code == 200
    assert b"Everything needs approval" in page.content
    assert b"A-1" in page.content
    r = staff.post(f"/admin/orders/order/{placed['id']}/change/", {"status": "confirmed"})
    assert r.status_code == 403
    assert Order.objects.get(pk=placed["id"]).status == "awaiting_approval"
