"""The operator console: superusers only; suspending a tenant refuses its people, changes
nothing, and reactivating restores everything."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dinghuo.core.models import Seller, Tenant
from dinghuo.orders.models import Order
from tests.backoffice.staffing import PASSWORD, make_staff
from tests.builders import ApiClient, World, add_buyer
from tests.operators.support import first_trade, operator_client

pytestmark = pytest.mark.django_db


def test_anonymous_people_are_sent_to_sign_in_and_tenant_staff_find_nothing(world: World) -> None:
    assert Client().get("/operator/")["Location"].startswith("/admin/login/?next=/operator/")
    staff = Client()
    staff.force_login(make_staff(world).user)
    plain_admin = User.objects.create_user("helper", password="x", is_staff=True)
    admin_client = Client()
    admin_client.force_login(plain_admin)

    for client in (staff, admin_client):
        assert client.get("/operator/").status_code == 404
        assert client.get("/operator/tenants/new/").status_code == 404
        assert client.post(f"/operator/tenants/{world.tenant.slug}/suspend/").status_code == 404
    assert Tenant.objects.get(pk=world.tenant.pk).status == "active"


def test_the_console_lists_tenants_with_their_size(world: World) -> None:
    page = operator_client().get("/operator/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="tenant-acme"' in html and "Acme Wholesale" in html


def test_the_console_creates_a_seller_and_shows_the_owners_link() -> None:
    client = operator_client()
    form = {
        "name": "Lantau Foods",
        "slug": "lantau",
        "currency": "hkd",
        "languages": ["en", "zh-hans"],
        "time_zone": "Asia/Hong_Kong",
        "owner_email": "boss@lantau.test",
    }

    created = client.post("/operator/tenants/new/", form)

    assert created.status_code == 200
    assert b'data-testid="owner-link"' in created.content
    tenant = Tenant.objects.get(slug="lantau")
    assert tenant.languages == "en,zh-hans"
    assert Seller.objects.get(tenant=tenant).base_currency == "HKD"
    again = client.post("/operator/tenants/new/", form)
    assert again.status_code == 422
    assert b"This short name is taken; choose another." in again.content
    assert Tenant.objects.filter(slug="lantau").count() == 1


def test_suspension_refuses_pages_and_sign_in_then_reactivation_restores(world: World) -> None:
    member = make_staff(world)
    staff = Client()
    staff.force_login(member.user)
    key, body = world.key, world.order_body(("A-1", 1))
    operator = operator_client()

    buyer = Client()
    buyer.force_login(add_buyer(world, "kim@buyer.test")[0].user)
    assert operator.post("/operator/tenants/acme/suspend/").status_code == 302
    assert b'data-testid="tenant-suspended"' in buyer.get("/catalogue/").content
    page = staff.get("/staff/")
    assert page.status_code == 403
    assert b'data-testid="tenant-suspended"' in page.content
    assert b"This seller&#x27;s account is suspended." in page.content
    signing_in = Client().post("/staff/signin/", {"email": member.user.email, "password": PASSWORD})
    assert signing_in.status_code == 403 and "_auth_user_id" not in signing_in.client.session
    refused = world.client(key).place(body)
    assert refused.json()["code"] == "tenant_suspended"
    assert Order.objects.filter(tenant=world.tenant).count() == 0
    assert b"Suspended" in operator.get("/operator/").content

    assert operator.post("/operator/tenants/acme/reactivate/").status_code == 302
    assert staff.get("/staff/").status_code == 200
    assert buyer.get("/catalogue/").status_code == 200
    assert world.client(key).place(body).status_code == 201


def test_a_new_tenant_can_trade_after_being_made_in_the_console() -> None:
    operator_client().post(
        "/operator/tenants/new/",
        {
            "name": "Peak Supplies",
            "slug": "peak",
            "currency": "USD",
            "languages": ["en"],
            "time_zone": "UTC",
            "owner_email": "peak@peak.test",
        },
    )
    key, body = first_trade(Tenant.objects.get(slug="peak"))

    assert ApiClient(key).place(body).status_code == 201
