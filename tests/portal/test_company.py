"""My company: every buyer reads it; its admins manage users and addresses through the same
services as the API, with refusals next to the field; another company's ids find nothing."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.customers.models import Company, CompanyUser, CreditLine, Location
from tests.builders import World
from tests.portal.ordering import csrf_post, second_company, sign_in


def test_every_buyer_reads_the_company_credit_and_addresses_but_not_the_users(
    world: World,
) -> None:
    parent = Company.objects.create(
        tenant=world.tenant, code="G01", name="Harbour Group", price_list=world.price_list
    )
    Company.objects.filter(pk=world.company.pk).update(parent=parent)
    CreditLine.objects.create(
        tenant=world.tenant, company=world.company, credit_limit=Decimal("1000"),
        order_exposure=Decimal("250"), terms="net", terms_days=45,
    )  # fmt: skip
    buyer = sign_in(world)
    html = buyer.client.get("/company/").content.decode()
    assert "Harbour Group" in html and "Net 45 days" in html
    assert 'data-testid="credit-limit">$1,000.00<' in html
    assert 'data-testid="credit-available">$750.00<' in html
    assert 'data-status="ok"' in html and "In good standing" in html
    assert world.ship_to.name in html
    assert 'data-testid="users"' not in html and 'data-testid="add-address"' not in html


def test_changes_are_for_company_admins_only(world: World) -> None:
    approver = sign_in(world, "amy@buyer.test", "approver")
    ann = sign_in(world, "ann@buyer.test")
    for path, data in [
        ("/company/users/", {"email": "x@buyer.test", "name": "X", "role": "buyer"}),
        (f"/company/users/{ann.member.pk}/", {f"user-{ann.member.pk}-role": "admin"}),
        ("/company/addresses/", {}),
        (f"/company/addresses/{world.ship_to.pk}/", {}),
    ]:
        assert csrf_post(approver.client, path, data).status_code == 403
    assert approver.client.get(f"/company/addresses/{world.ship_to.pk}/").status_code == 403
    assert CompanyUser.objects.get(pk=ann.member.pk).role == "buyer"


def test_an_admin_adds_a_user_and_sees_refusals_next_to_the_field(world: World) -> None:
    admin = sign_in(world, "ada@buyer.test", "admin")
    r = csrf_post(
        admin.client,
        "/company/users/",
        {"email": "New.Person@Buyer.test", "name": "New", "role": "approver",
         "spending_limit": "2500"},
    )  # fmt: skip
    assert r.status_code == 302 and r["Location"] == "/company/"
    member = CompanyUser.objects.get(user__email="new.person@buyer.test")
    assert member.role == "approver" and member.spending_limit == Decimal("2500")
    html = admin.client.get("/company/").content.decode()
    assert 'data-testid="user-new.person@buyer.test"' in html
    r = csrf_post(
        admin.client,
        "/company/users/",
        {"email": "new.person@buyer.test", "name": "Again", "role": "buyer",
         "spending_limit": "-5"},
    )  # fmt: skip
    html = r.content.decode()
    assert 'data-testid="error-spending_limit"' in html
    assert "A spending limit cannot be negative." in html
    r = csrf_post(
        admin.client,
        "/company/users/",
        {"email": "new.person@buyer.test", "name": "Again", "role": "buyer"},
    )
    html = r.content.decode()
    assert 'data-testid="error-email"' in html
    assert "This person is already a user of your company." in html
    r = csrf_post(admin.client, "/company/users/", {"email": "nope", "name": "", "role": "x"})
    html = r.content.decode()
    assert 'data-testid="error-email"' in html and 'data-testid="error-name"' in html
    assert 'data-testid="error-role"' in html
    assert CompanyUser.objects.filter(company=world.company).count() == 2


def test_an_admin_changes_role_limit_and_sign_in_in_place(world: World) -> None:
    admin = sign_in(world, "ada@buyer.test", "admin")
    ann = sign_in(world, "ann@buyer.test")
    prefix = f"user-{ann.member.pk}"
    r = csrf_post(
        admin.client,
        f"/company/users/{ann.member.pk}/",
        {f"{prefix}-role": "approver", f"{prefix}-spending_limit": "300"},
        HTTP_HX_REQUEST="true",
    )
    html = r.content.decode()
    assert "<html" not in html and "Saved" in html and "Approver" in html
    assert "Cannot sign in" in html  # the box was left unticked
    assert 'value="300.00"' in html  # in the currency's decimals
    ann.member.refresh_from_db()
    ann.member.user.refresh_from_db()
    assert ann.member.role == "approver" and ann.member.spending_limit == Decimal("300")
    assert not ann.member.is_active and ann.member.user.is_active  # off here only


def test_the_last_admin_stays_one(world: World) -> None:
    admin = sign_in(world, "ada@buyer.test", "admin")
    prefix = f"user-{admin.member.pk}"
    r = csrf_post(
        admin.client,
        f"/company/users/{admin.member.pk}/",
        {f"{prefix}-role": "buyer", f"{prefix}-is_active": "on"},
        HTTP_HX_REQUEST="true",
    )
    html = r.content.decode()
    assert "last active admin" in html and 'data-testid="form-errors"' in html
    admin.member.refresh_from_db()
    assert admin.member.role == "admin"


def test_an_admin_adds_and_edits_addresses_with_errors_next_to_fields(world: World) -> None:
    admin = sign_in(world, "ada@buyer.test", "admin")
    good = {
        "new-address-kind": "ship_to", "new-address-name": "Yard 2",
        "new-address-line1": "8 Pier Rd", "new-address-city": "Kowloon",
        "new-address-country": "hk",
    }  # fmt: skip
    r = csrf_post(admin.client, "/company/addresses/", good)
    assert r.status_code == 302
    added = Location.objects.get(company=world.company, name="Yard 2")
    assert added.country == "HK" and added.kind == "ship_to"
    r = csrf_post(admin.client, "/company/addresses/", {**good, "new-address-country": "XX",
                                                         "new-address-city": ""})  # fmt: skip
    html = r.content.decode()
    assert 'data-testid="error-new-address-city"' in html
    r = csrf_post(admin.client, "/company/addresses/", {**good, "new-address-country": "XX"})
    html = r.content.decode()
    assert 'data-testid="error-new-address-country"' in html
    assert "Enter a two-letter country code, e.g. HK." in html
    page = admin.client.get(f"/company/addresses/{added.pk}/").content.decode()
    assert 'value="8 Pier Rd"' in page
    r = csrf_post(
        admin.client,
        f"/company/addresses/{added.pk}/",
        {"kind": "bill_to", "name": "Accounts", "line1": "1 Bank St", "city": "Central",
         "country": "HK"},
    )  # fmt: skip
    assert r.status_code == 302
    added.refresh_from_db()
    assert (added.kind, added.name, added.is_active) == ("bill_to", "Accounts", False)


def test_another_companys_user_and_address_are_not_found(world: World, other_world: World) -> None:
    admin = sign_in(world, "ada@buyer.test", "admin")
    other = second_company(world)
    neighbour = sign_in(world, "bob@other.test", company=other)
    far = sign_in(other_world, "eve@globex.test")
    for member in (neighbour.member, far.member):
        prefix = f"user-{member.pk}"
        r = csrf_post(admin.client, f"/company/users/{member.pk}/", {f"{prefix}-role": "admin"})
        assert r.status_code == 404
        member.refresh_from_db()
        assert member.role == "buyer"
    for location in (Location.objects.get(company=other), other_world.ship_to):
        assert admin.client.get(f"/company/addresses/{location.pk}/").status_code == 404
        r = csrf_post(
            admin.client,
            f"/company/addresses/{location.pk}/",
            {"kind": "ship_to", "name": "Mine", "line1": "x", "city": "y", "country": "HK"},
        )
        assert r.status_code == 404
    html = admin.client.get("/company/").content.decode()
    assert "bob@other.test" not in html and "Dock C002" not in html


def test_the_users_list_takes_the_same_number_of_queries_however_long(world: World) -> None:
    admin = sign_in(world, "ada@buyer.test", "admin")
    admin.client.get("/company/")
    with CaptureQueriesContext(connection) as one:
        admin.client.get("/company/")
    for i in range(10):
        sign_in(world, f"user{i}@buyer.test")
        Location.objects.create(
            tenant=world.tenant, company=world.company, kind="ship_to", name=f"Dock {i}",
            line1="1 Road", city="Hong Kong", country="HK",
        )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        html = admin.client.get("/company/").content.decode()
    assert html.count('data-testid="user-') == 11
    assert len(many) == len(one)


def test_the_company_page_names_its_currency_and_countries_in_the_readers_language(
    world: World,
) -> None:
    Location.objects.filter(pk=world.ship_to.pk).update(country="SG", postal_code="")
    buyer = sign_in(world)
    html = buyer.client.get("/company/").content.decode()
    assert 'data-testid="currency">US dollars<' in html
    assert f'data-testid="company-code">{world.company.code}<' in html
    assert f"<h1>{world.company.name}</h1>" in html  # the code is a fact, not the title
    assert f"{world.ship_to.city}, Singapore" in html
    buyer.client.cookies["django_language"] = "zh-hant"
    html = buyer.client.get("/company/").content.decode()
    assert 'data-testid="currency">美元<' in html and f"{world.ship_to.city}, 新加坡" in html
