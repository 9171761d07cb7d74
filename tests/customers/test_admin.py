from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dinghuo.customers.models import CreditLine, CustomerGroup, Location
from dinghuo.customers.services import create_customer_group
from dinghuo.integrations.models import Event


@pytest.fixture
def staff(db):
    user = get_user_model().objects.create_superuser("root", "root@example.test", "x" * 16)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model", ["company", "location", "companyuser", "customergroup", "creditline"]
)
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


def test_admin_adds_a_group_through_the_service(world, staff):
    r = staff.post(
        "/admin/customers/customergroup/add/",
        {"tenant": world.tenant.pk, "code": "dealers", "name": "Dealers"},
    )

    assert r.status_code == 302, r.content
    group = CustomerGroup.objects.get(code="dealers")
    assert group.tenant_id == world.tenant.pk
    assert Event.objects.filter(type="customer_group.created", aggregate_id=group.pk).exists()


def test_admin_refuses_a_duplicate_group_code(world, staff):
    create_customer_group(tenant_id=world.tenant.pk, code="dealers", name="Dealers")
    other = create_customer_group(tenant_id=world.tenant.pk, code="vip", name="VIP")

    r = staff.post(
        f"/admin/customers/customergroup/{other.pk}/change/", {"code": "dealers", "name": "VIP"}
    )

    assert r.status_code == 200
    assert b"has this code" in r.content
    assert CustomerGroup.objects.get(pk=other.pk).code == "vip"


@pytest.fixture
def line(world):
    return CreditLine.objects.create(tenant=world.tenant, company=world.company)


def test_admin_changes_credit_terms_through_the_service(world, staff, line):
    r = staff.post(
        f"/admin/customers/creditline/{line.pk}/change/",
        {"credit_limit": "2500", "terms": "eom", "terms_days": "10", "deposit_percent": "0"},
    )

    assert r.status_code == 302, r.content
    line.refresh_from_db()
    assert (line.credit_limit, line.terms, line.terms_days) == (Decimal(2500), "eom", 10)
    assert Event.objects.filter(type="company.credit_changed").count() == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"credit_limit": "-1", "terms": "net", "terms_days": "30", "deposit_percent": "0"},
            b"cannot be negative",
        ),
        (
            {"credit_limit": "", "terms": "prepaid", "terms_days": "30", "deposit_percent": "0"},
            b"Prepaid terms take no",
        ),
        (
            {"credit_limit": "", "terms": "net", "terms_days": "400", "deposit_percent": "0"},
            b"Days are 0 to 365",
        ),
    ],
)
def test_admin_refuses_bad_credit_terms(world, staff, line, form, message):
    r = staff.post(f"/admin/customers/creditline/{line.pk}/change/", form)

    assert r.status_code == 200
    assert message in r.content
    line.refresh_from_db()
    assert (line.credit_limit, line.terms, line.terms_days) == (None, "net", 30)


def test_credit_lines_are_neither_added_nor_deleted_in_the_admin(world, staff, line):
    assert staff.get("/admin/customers/creditline/add/").status_code == 403
    assert staff.get(f"/admin/customers/creditline/{line.pk}/delete/").status_code == 403
