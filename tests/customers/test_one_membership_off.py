"""Switching off one membership, not the person: a buyer of two sellers switched off at one
keeps buying from the other (API and pages); the seller chooser no longer offers the one
switched off, and that seller's keys stop working."""

import json
from decimal import Decimal

from django.contrib.auth.models import User
from django.test import Client

from dinghuo.customers.models import CompanyUser
from dinghuo.orders.models import Order
from tests.accounts.support import PASSWORD
from tests.builders import World, add_buyer
from tests.portal.ordering import csrf_post, sign_in
from tests.portal.test_cart_and_checkout import checkout_form


def _mei_at_both(world: World, other_world: World):
    """Mei buys for a company of each seller, with a buyer key at each."""
    here, here_api = add_buyer(world, "mei@buyer.test")
    user = here.user
    user.set_password(PASSWORD)
    user.save()
    there = CompanyUser.objects.create(
        tenant=other_world.tenant, company=other_world.company, user=user
    )
    from dinghuo.core.services import create_api_key
    from tests.builders import ApiClient

    key = create_api_key(
        tenant=other_world.tenant, name="mei", scopes={"read", "write"}, company_user_id=there.pk
    )
    return here, here_api, there, ApiClient(key.secret)


def _order(api, world: World):
    body = {"ship_to_id": world.ship_to.pk, "lines": [{"sku": "A-1", "quantity": 1}]}
    return api.post("/my/orders", body, key="mine-1")


def test_staff_switch_a_buyer_off_at_their_seller_only(world, other_world):
    here, here_api, there, there_api = _mei_at_both(world, other_world)

    r = world.client().send(
        "PATCH",
        f"/companies/{world.company.pk}/users/{here.pk}",
        json.dumps({"is_active": False}),
    )

    assert r.status_code == 200 and r.json()["is_active"] is False
    assert CompanyUser.objects.get(pk=here.pk).is_active is False
    assert CompanyUser.objects.get(pk=there.pk).is_active is True
    assert User.objects.get(pk=here.user_id).is_active is True
    # This seller's key of hers stops working; the other seller's still orders.
    refused = _order(here_api, world)
    assert refused.status_code == 401
    assert not Order.objects.filter(tenant=world.tenant).exists()
    placed = _order(there_api, other_world)
    assert placed.status_code == 201, placed.json()
    assert Order.objects.get(tenant=other_world.tenant).placed_by_id == there.pk

    # Switched on again, the key works again.
    world.client().send(
        "PATCH",
        f"/companies/{world.company.pk}/users/{here.pk}",
        json.dumps({"is_active": True}),
    )
    assert _order(here_api, world).status_code == 201


def test_a_company_admin_switches_a_user_off_through_the_api(world, other_world):
    here, _, there, there_api = _mei_at_both(world, other_world)
    _, admin_api = add_buyer(world, "ada@buyer.test", role="admin")

    r = admin_api.send("PATCH", f"/my/users/{here.pk}", json.dumps({"is_active": False}))

    assert r.status_code == 200 and r.json()["is_active"] is False
    assert CompanyUser.objects.get(pk=there.pk).is_active is True
    assert _order(there_api, other_world).status_code == 201


def test_the_last_admin_is_still_kept_on(world):
    admin, admin_api = add_buyer(world, "ada@buyer.test", role="admin")

    r = admin_api.send("PATCH", f"/my/users/{admin.pk}", json.dumps({"is_active": False}))

    assert r.status_code == 409 and r.json()["code"] == "last_company_admin"
    assert CompanyUser.objects.get(pk=admin.pk).is_active is True


def test_switched_off_on_the_page_she_still_orders_from_the_other_seller(world, other_world):
    here, _, there, _ = _mei_at_both(world, other_world)
    admin = sign_in(world, "ada@buyer.test", "admin")
    mei = Client()
    assert mei.post("/signin/", {"email": "mei@buyer.test", "password": PASSWORD}).status_code
    assert "Acme Wholesale" in mei.get("/seller/").content.decode()  # two sellers to choose

    prefix = f"user-{here.pk}"
    r = csrf_post(admin.client, f"/company/users/{here.pk}/", {f"{prefix}-role": "buyer"})
    assert r.status_code == 302
    assert CompanyUser.objects.get(pk=here.pk).is_active is False

    # One seller left: no choice to make, the chooser offers only it, and she orders there.
    page = mei.get("/seller/").content.decode()
    assert "Globex Wholesale" in page and "Acme Wholesale" not in page
    html = mei.get("/catalogue/").content.decode()
    assert "Globex Wholesale" in html
    buyer_there = _signed_in_as(there, mei)
    buyer_there.add(other_world, "A-1", 2)
    checkout = mei.get("/checkout/").content.decode()
    r = csrf_post(mei, "/checkout/", checkout_form(checkout))
    order = Order.objects.get(tenant=other_world.tenant)
    assert r.status_code == 302 and r["Location"] == f"/orders/{order.pk}/"
    assert order.placed_by_id == there.pk and order.total == Decimal("20.00")
    assert not Order.objects.filter(tenant=world.tenant).exists()


def test_a_seller_switched_off_cannot_be_chosen_nor_used(world, other_world):
    here, *_ = _mei_at_both(world, other_world)
    mei = Client()
    mei.force_login(here.user)
    mei.post("/seller/", {"seller": world.tenant.pk})
    assert "Acme Wholesale · switch seller" in mei.get("/catalogue/").content.decode()

    CompanyUser.objects.filter(pk=here.pk).update(is_active=False)

    # The seller chosen before is no longer hers: she works with the one left.
    assert "Globex Wholesale · switch seller" not in mei.get("/catalogue/").content.decode()
    assert "Globex Wholesale" in mei.get("/catalogue/").content.decode()
    mei.post("/seller/", {"seller": world.tenant.pk})
    assert "Acme Wholesale" not in mei.get("/catalogue/").content.decode()


def test_switched_off_at_her_only_seller_she_cannot_sign_in(world):
    here, _ = add_buyer(world, "mei@buyer.test")
    here.user.set_password(PASSWORD)
    here.user.save()
    CompanyUser.objects.filter(pk=here.pk).update(is_active=False)

    r = Client().post("/signin/", {"email": "mei@buyer.test", "password": PASSWORD})

    assert r.status_code == 200  # the form again, with its refusal; not signed in


def _signed_in_as(member: CompanyUser, client: Client):
    from tests.portal.ordering import SignedIn

    return SignedIn(member, client)


def test_staff_switch_her_off_on_the_company_page_and_she_orders_elsewhere(world, other_world):
    from tests.backoffice.staffing import csrf_post as staff_post
    from tests.backoffice.staffing import staff_client

    here, here_api, _there, there_api = _mei_at_both(world, other_world)
    staff = staff_client(world)
    path = f"/staff/companies/{world.company.pk}/users/{here.pk}/"
    assert staff.client.get(path).status_code == 200

    r = staff_post(staff.client, path, {"name": "Mei", "role": "buyer", "spending_limit": ""})

    assert r.status_code == 302
    assert CompanyUser.objects.get(pk=here.pk).is_active is False
    assert User.objects.get(pk=here.user_id).is_active is True
    company_page = staff.client.get(f"/staff/companies/{world.company.pk}/").content.decode()
    assert "Inactive" in company_page
    assert _order(here_api, world).status_code == 401
    assert _order(there_api, other_world).status_code == 201
