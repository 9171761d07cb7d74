import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dinghuo.customers.models import Location


@pytest.fixture
def staff(db):
    user = get_user_model().objects.create_superuser("root", "root@example.test", "x" * 16)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["company", "location", "companyuser"])
def test_customer_pages_list(world, staff, model):
    assert staff.get(f"/admin/customers/{model}/").status_code == 200


def test_company_page_shows_its_locations(world, staff):
    r = staff.get(f"/admin/customers/company/{world.company.pk}/change/")

    assert r.status_code == 200
    assert b"1 Harbour Rd" in r.content


def test_admin_refuses_a_country_that_is_not_iso(world, staff):
    location = world.ship_to
    form = {
        "kind": "ship_to",
        "name": "Dock 1",
        "line1": "1 Harbour Rd",
        "line2": "",
        "city": "Hong Kong",
        "postal_code": "",
        "country": "hk",
        "is_active": "on",
    }

    r = staff.post(f"/admin/customers/location/{location.pk}/change/", form)

    assert r.status_code == 200  # the form again, with the error
    assert b"ISO 3166-1" in r.content
    assert Location.objects.get(pk=location.pk).country == "HK"


def test_admin_cannot_give_a_company_another_tenants_price_list(world, other_world, staff):
    form = {
        "code": "C001",
        "name": "Buyer One",
        "price_list": other_world.price_list.pk,
        "is_active": "on",
        "locations-TOTAL_FORMS": "0",
        "locations-INITIAL_FORMS": "0",
        "users-TOTAL_FORMS": "0",
        "users-INITIAL_FORMS": "0",
    }

    r = staff.post(f"/admin/customers/company/{world.company.pk}/change/", form)

    assert r.status_code == 200
    assert b"own tenant" in r.content
    world.company.refresh_from_db()
    assert world.company.price_list_id == world.price_list.pk
