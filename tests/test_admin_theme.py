"""The Django admin wears a modern theme (django-unfold) all through: every admin class is the
theme's, every page renders for a superuser with the theme's stylesheet, the sidebar groups
every model, and what the services alone may change stays read-only."""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.contrib.staticfiles import finders
from django.db import connection
from django.db.models import Model
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from unfold.admin import ModelAdmin as UnfoldModelAdmin
from unfold.admin import StackedInline, TabularInline

from dinghuo.buying.services import QuoteLineRequest, request_quote
from dinghuo.catalog.services import create_tax_category
from dinghuo.core.admin import ReadOnlyAdmin
from dinghuo.pricing.models import (
    Assortment,
    ContractPrice,
    ContractPriceTier,
    PriceListAssignment,
    Promotion,
    TaxRate,
)
from dinghuo.pricing.services import create_tax_rate, set_tax_policy
from dinghuo.pricing.tax import Rounding
from tests.builders import World, add_buyer
from tests.orders.support import add_rule, set_credit, set_policy
from tests.pricing.support import group, price_list
from tests.returns.support import ask, delivered_order
from tests.returns.support import set_policy as set_return_policy

THEME_CSS = "unfold/css/styles.css"


def _model(name: str) -> type[Model]:
    return apps.get_model(*name.split("/"))


# Every model of the admin, named as its URLs name it ("app_label/model_name"), and those
# only the services change.
MODELS = sorted(f"{m._meta.app_label}/{m._meta.model_name}" for m in admin.site._registry)
READ_ONLY = [
    name for name in MODELS if isinstance(admin.site._registry[_model(name)], ReadOnlyAdmin)
]


@pytest.fixture
def superuser(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw-123456"))
    client.get("/admin/")  # the session's first page notes it (once a minute)
    return client


@pytest.fixture
def rows(world: World) -> World:
    """A few rows of every model the admin shows: an order waiting for approval (lines,
    approval, reservations, ledger rows), a quote, customer prices, a buyer, a group, a
    return of a delivered order (its lines) and the return policy."""
    set_return_policy(world, window_days=14)
    returned = ask(world, delivered_order(world, ("A-1", 3)), (1, 1, "damaged"))
    assert returned.status_code == 201, returned.json()
    add_rule(world, "Everything needs approval")
    set_policy(world, overdue_grace_days=7)
    set_credit(world, "100000.00")
    world.client().place(world.order_body(("A-1", 2), ("B-2", 6)))
    add_buyer(world, "ann@buyer.test", "approver")
    request_quote(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        lines=[QuoteLineRequest("A-1", 50, "monthly")],
        ship_to_id=world.ship_to.pk,
    )
    dealers = group(world, "dealers", world.company)
    dealer_list = price_list(world, "dealer", {"A-1": [(1, "9.50"), (10, "8.80")]})
    PriceListAssignment.objects.create(
        tenant=world.tenant, price_list=dealer_list, customer_group=dealers, priority=5
    )
    contract = ContractPrice.objects.create(
        tenant=world.tenant,
        company=world.company,
        sku=world.skus["C-3"],
        valid_from=date(2020, 1, 1),
    )
    ContractPriceTier.objects.create(
        tenant=world.tenant, contract=contract, min_quantity=1, unit_price=Decimal("0.30")
    )
    promotion = Promotion.objects.create(
        tenant=world.tenant,
        seller=world.seller,
        code="a1-10",
        name="A-1 10%",
        kind="percent",
        value=10,
        starts_at="2000-01-01T00:00:00Z",
        ends_at="2100-01-01T00:00:00Z",
    )
    promotion.skus.add(world.skus["A-1"])
    assortment = Assortment.objects.create(
        tenant=world.tenant, seller=world.seller, code="core", name="Core range"
    )
    assortment.skus.add(world.skus["A-1"])
    standard = create_tax_category(
        tenant_id=world.tenant.pk, code="standard", name={"en": "Standard", "zh-hant": "標準"}
    )
    create_tax_rate(
        tenant_id=world.tenant.pk,
        category_id=standard.pk,
        country="SG",
        name={"en": "GST", "zh-hant": "消費稅"},
        percent=Decimal(9),
        valid_from=date(2024, 1, 1),
    )
    set_tax_policy(tenant_id=world.tenant.pk, rounding=Rounding.DOCUMENT)
    Group.objects.create(name="Clerks")
    return world


def _permits_adding(model: type[Model], user: User) -> bool:
    request = RequestFactory().get("/admin/")
    request.user = user
    return bool(admin.site._registry[model].has_add_permission(request))


# --- the theme everywhere ---------------------------------------------------------------------


def test_the_admin_site_is_the_themed_one() -> None:
    from unfold.sites import UnfoldAdminSite

    assert isinstance(admin.site, UnfoldAdminSite)


def test_every_admin_class_and_inline_is_the_themes() -> None:
    plain = [
        f"{model.__name__}: {type(model_admin).__name__}"
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, UnfoldModelAdmin)
    ]
    plain_inlines = [
        f"{type(model_admin).__name__}: {inline.__name__}"
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if not issubclass(inline, TabularInline | StackedInline)
    ]
    assert (plain, plain_inlines) == ([], [])
    # Django's users and groups are among them, with the theme's forms.
    assert {User, Group} <= set(admin.site._registry)


def test_the_admin_index_and_a_changelist_render_with_the_theme(world, superuser) -> None:
    index = superuser.get("/admin/")
    changelist = superuser.get("/admin/pricing/pricelist/")
    assert (index.status_code, changelist.status_code) == (200, 200)
    for page in (index, changelist):
        assert f"/static/{THEME_CSS}" in page.content.decode()
    assert "std" in changelist.content.decode()
    assert "Dinghuo" in index.content.decode()


def test_the_themes_static_files_are_found() -> None:
    assert finders.find(THEME_CSS)
    assert finders.find("unfold/js/app.js")


def test_the_themed_sign_in_page_still_guards_the_admin(db: None) -> None:
    response = Client().get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert Client().get("/admin/login/").status_code == 200


# --- every page answers -----------------------------------------------------------------------


def test_every_model_of_the_admin_is_tested_with_rows(rows) -> None:
    assert len(MODELS) >= 20
    empty = [name for name in MODELS if not _model(name)._default_manager.exists()]
    assert empty == []


@pytest.mark.parametrize("name", MODELS)
def test_every_list_add_and_change_page_renders_with_the_theme(rows, superuser, name) -> None:
    model = _model(name)
    first = model._default_manager.order_by("pk").first()
    assert first is not None
    user = User.objects.get(username="admin")

    listed = superuser.get(f"/admin/{name}/")
    searched = superuser.get(f"/admin/{name}/", {"q": "A-1"})
    changed = superuser.get(f"/admin/{name}/{first.pk}/change/")
    added = superuser.get(f"/admin/{name}/add/")

    assert (listed.status_code, searched.status_code, changed.status_code) == (200, 200, 200)
    assert added.status_code == (200 if _permits_adding(model, user) else 403)
    for page in (listed, changed):
        assert f"/static/{THEME_CSS}" in page.content.decode()
    assert listed.context["cl"].result_count >= 1


def test_the_user_pages_use_the_themes_forms(rows, superuser) -> None:
    from unfold import forms

    ann = User.objects.get(username="ann@buyer.test")
    change = superuser.get(f"/admin/auth/user/{ann.pk}/change/")
    add = superuser.get("/admin/auth/user/add/")
    password = superuser.get(f"/admin/auth/user/{ann.pk}/password/")

    assert (change.status_code, add.status_code, password.status_code) == (200, 200, 200)
    assert isinstance(change.context["adminform"].form, forms.UserChangeForm)
    assert isinstance(add.context["adminform"].form, forms.UserCreationForm)
    assert isinstance(password.context["form"], forms.AdminPasswordChangeForm)


def test_the_order_list_takes_as_many_queries_for_twenty_orders_as_for_two(
    world, superuser
) -> None:
    def place(first: int, last: int) -> None:
        for i in range(first, last):
            r = world.client().place(world.order_body(("A-1", 1)), key=f"order-{i}")
            assert r.status_code == 201, r.content

    def list_orders() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            page = superuser.get("/admin/orders/order/")
        assert page.status_code == 200
        return len(page.context["cl"].result_list), len(queries)

    place(0, 2)
    two, queries_for_two = list_orders()
    place(2, 20)
    twenty, queries_for_twenty = list_orders()

    assert (two, twenty) == (2, 20)
    assert queries_for_twenty == queries_for_two


# --- what only the services change stays read-only --------------------------------------------


@pytest.mark.parametrize("name", READ_ONLY)
def test_read_only_admins_still_refuse_adding_changing_and_deleting(rows, superuser, name) -> None:
    model = _model(name)
    first = model._default_manager.order_by("pk").first()
    assert first is not None
    before = model._default_manager.count()

    listed = superuser.get(f"/admin/{name}/")
    shown = superuser.get(f"/admin/{name}/{first.pk}/change/")

    assert (listed.status_code, shown.status_code) == (200, 200)
    assert f"/admin/{name}/add/" not in listed.content.decode()
    assert 'name="_save"' not in shown.content.decode()
    assert f"/admin/{name}/{first.pk}/delete/" not in shown.content.decode()
    assert superuser.get(f"/admin/{name}/add/").status_code == 403
    assert superuser.post(f"/admin/{name}/add/", {}).status_code == 403
    assert superuser.post(f"/admin/{name}/{first.pk}/change/", {}).status_code == 403
    assert superuser.post(f"/admin/{name}/{first.pk}/delete/", {"post": "yes"}).status_code == 403
    assert model._default_manager.count() == before


def test_the_read_only_admins_are_the_ones_the_services_own() -> None:
    assert set(READ_ONLY) == {
        "audit/auditentry",
        "buying/quote",
        "customers/creditpolicy",
        "inventory/reservation",
        "inventory/stocklevel",
        "inventory/stockmovement",
        "orders/approvalrule",
        "orders/order",
        "orders/orderpolicy",
        "pricing/assortment",
        "pricing/contractprice",
        "pricing/pricelistassignment",
        "pricing/promotion",
        "pricing/taxpolicy",
        "returns/returnpolicy",
        "returns/returnrequest",
    }


def test_a_return_shows_its_lines_and_its_policy_the_window(rows, superuser) -> None:
    from dinghuo.returns.models import ReturnPolicy, ReturnRequest

    (request,) = ReturnRequest.objects.all()
    listed = superuser.get("/admin/returns/returnrequest/").content.decode()
    shown = superuser.get(f"/admin/returns/returnrequest/{request.pk}/change/").content.decode()
    policies = superuser.get("/admin/returns/returnpolicy/").content.decode()

    assert request.number == "RMA-000001" and request.number in listed
    assert "Arrived damaged" in shown and request.order.number in shown
    policy = ReturnPolicy.objects.get()
    assert (policy.window_days, f">{policy.window_days}<" in policies) == (14, True)


def test_a_tax_rate_added_in_the_admin_goes_through_the_service(rows, superuser) -> None:
    """Overlaps are refused on the form; an accepted rate records its event."""
    from dinghuo.integrations.models import Event

    base = {
        "seller": rows.seller.pk,
        "category": "",
        "country": "SG",
        "region": "",
        "name_en": "GST",
        "name_zh_hant": "消費稅",
        "name_zh_hans": "消费税",
        "percent": "9",
        "valid_from": "2024-01-01",
        "valid_until": "",
    }
    created = superuser.post("/admin/pricing/taxrate/add/", base)
    assert created.status_code == 302, created.content.decode()[:2000]
    rate = TaxRate.objects.get(category=None, country="SG")
    assert (rate.tenant_id, rate.name_zh_hans, rate.percent) == (
        rows.tenant.pk,
        "消费税",
        Decimal(9),
    )
    assert Event.objects.filter(type="tax_rate.created", aggregate_id=rate.pk).exists()

    again = superuser.post("/admin/pricing/taxrate/add/", {**base, "valid_from": "2025-01-01"})
    assert again.status_code == 200
    assert "Another rate for this category and destination" in again.content.decode()
    assert TaxRate.objects.filter(category=None, country="SG").count() == 1


# --- the sidebar --------------------------------------------------------------------------------


def _sidebar_links() -> list[str]:
    return [
        str(item["link"])
        for section in settings.UNFOLD["SIDEBAR"]["navigation"]
        for item in section["items"]
    ]


def test_the_sidebar_links_every_model_and_the_back_office(rows, superuser) -> None:
    links = _sidebar_links()
    assert sorted(f"/admin/{name}/" for name in MODELS) == sorted(
        link for link in links if link.startswith("/admin/")
    )
    assert "/staff/" in links

    index = superuser.get("/admin/").content.decode()
    for link in links:
        assert f'href="{link}"' in index


def test_a_staff_user_who_is_no_superuser_sees_no_list_at_all(rows) -> None:
    """The admin is for the operators of a deployment (docs/security.md): `is_staff` with a
    model permission no longer opens it; the back office covers a tenant's master data."""
    clerk = User.objects.create_user("clerk", "clerk@example.com", "pw-123456", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_product"))
    client = Client()
    client.force_login(clerk)

    for path in ("/admin/", "/admin/catalog/product/", "/admin/orders/order/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/"), path


def test_the_sidebar_speaks_the_chosen_language(rows, superuser) -> None:
    superuser.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    hant = superuser.get("/admin/").content.decode()
    superuser.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    hans = superuser.get("/admin/").content.decode()

    assert "價目表" in hant and "价目表" in hans
