"""Master data in the back office: products and their SKUs, categories and warehouses are
created and changed through the services the API uses (the same events), with their names in
three languages; a refused input is a form error next to its field and changes nothing."""

import re

from dinghuo.catalog.models import Category, Product, Sku
from dinghuo.integrations.models import Event
from dinghuo.inventory.models import Warehouse
from tests.backoffice.staffing import csrf_post, staff_client, texts
from tests.catalog.support import catalogue_state

VALID_GTIN = "4006381333931"  # GS1's example EAN-13
WRONG_CHECK_DIGIT = "4006381333932"


def _product_form(**changes: str) -> dict[str, str]:
    return {
        "code": "P-NEW",
        "name_en": "Green tea",
        "name_zh_hant": "綠茶",
        "name_zh_hans": "绿茶",
        "description_en": "Loose leaves",
        "description_zh_hant": "",
        "description_zh_hans": "",
        "category": "",
        "is_active": "on",
        **changes,
    }


def _sku_form(**changes: str) -> dict[str, str]:
    return {
        "sku-code": "TEA-1",
        "sku-name_en": "Tin of 100 g",
        "sku-name_zh_hant": "",
        "sku-name_zh_hans": "",
        "sku-unit": "tin",
        "sku-min_order_quantity": "2",
        "sku-pack_size": "2",
        "sku-gtin": VALID_GTIN,
        "sku-is_active": "on",
        **changes,
    }


def _events(type: str) -> list[Event]:
    return list(Event.objects.filter(type=type).order_by("id"))


def test_a_product_created_on_the_page_keeps_three_languages_and_the_apis_event(world, other_world):
    staff = staff_client(world)
    response = csrf_post(staff.client, "/staff/products/new/", _product_form())
    product = Product.objects.get(tenant=world.tenant, code="P-NEW")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/products/{product.pk}/"
    assert (product.name_en, product.name_zh_hant, product.name_zh_hans) == (
        "Green tea",
        "綠茶",
        "绿茶",
    )
    assert product.description_en == "Loose leaves" and not product.description_zh_hant
    assert product.seller.is_primary and product.is_active and product.category_id is None
    # The API's create with the same content records the same event, word for word.
    api = other_world.client().post(
        "/products",
        {
            "code": "P-NEW",
            "name": {"en": "Green tea", "zh-hant": "綠茶", "zh-hans": "绿茶"},
            "description": {"en": "Loose leaves"},
        },
        key="same",
    )
    assert api.status_code == 201, api.json()
    page_event, api_event = _events("product.created")
    assert page_event.tenant_id == world.tenant.pk and page_event.aggregate_id == product.pk
    page_payload = {**page_event.payload, "seller": None}
    assert page_payload == {**api_event.payload, "seller": None}


def test_a_duplicate_product_code_is_a_form_error_and_changes_nothing(world):
    staff = staff_client(world)
    before = catalogue_state()
    response = csrf_post(staff.client, "/staff/products/new/", _product_form(code="P-A-1"))
    page = texts(response)
    assert response.status_code == 200
    assert 'data-testid="error-code">This code is already used.<' in page
    assert 'value="Green tea"' in page  # what was typed stays in the form
    assert catalogue_state() == before


def test_a_product_without_an_english_name_is_refused_by_the_form(world):
    staff = staff_client(world)
    before = catalogue_state()
    response = csrf_post(staff.client, "/staff/products/new/", _product_form(name_en=""))
    assert 'data-testid="error-name_en"' in texts(response)
    assert catalogue_state() == before


def test_a_product_is_changed_and_archived_with_the_apis_events(world):
    staff = staff_client(world)
    product = Product.objects.get(tenant=world.tenant, code="P-A-1")
    form = {
        f"product-{k}": v
        for k, v in _product_form(code="P-A-1", name_zh_hant="新名稱", is_active="").items()
    }
    del form["product-is_active"]  # an unticked box is not sent
    response = csrf_post(staff.client, f"/staff/products/{product.pk}/", form)
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name_zh_hant == "新名稱" and product.name_en == "Green tea"
    assert product.category_id is None and not product.is_active
    (updated,) = _events("product.updated")
    assert set(updated.payload["changed"]) == {"name", "description", "category_id"}
    (archived,) = _events("product.deactivated")
    assert archived.aggregate_id == product.pk and archived.payload["is_active"] is False


def test_the_product_list_searches_filters_by_category_and_pages(world):
    staff = staff_client(world)
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    drills = Category.objects.create(tenant=world.tenant, code="drills", name_en="Drills")
    drills.parent = tools
    drills.save()
    Product.objects.filter(code="P-B-2").update(category=drills)
    Product.objects.filter(code="P-C-3").update(category=None)

    def listed(query: str) -> list[str]:
        page = texts(staff.client.get(f"/staff/products/{query}"))
        return re.findall(r'data-testid="product-([^"]+)"', page)

    assert listed("") == ["P-A-1", "P-B-2", "P-C-3", "P-D-4"]
    assert listed("?q=產品 B") == ["P-B-2"]  # the Traditional Chinese name
    assert listed(f"?category={tools.pk}") == ["P-A-1", "P-B-2", "P-D-4"]  # and below it
    assert listed(f"?category={drills.pk}") == ["P-B-2"]
    assert listed("?category=999999") == ["P-A-1", "P-B-2", "P-C-3", "P-D-4"]

    import dinghuo.backoffice.views_products as views

    views.PRODUCTS_PAGE_SIZE = 3
    try:
        assert listed("?page=1") == ["P-A-1", "P-B-2", "P-C-3"]
        assert listed("?page=2") == ["P-D-4"]
    finally:
        views.PRODUCTS_PAGE_SIZE = 50


def test_a_sku_is_added_to_a_product_with_the_apis_event(world):
    staff = staff_client(world)
    product = Product.objects.get(tenant=world.tenant, code="P-A-1")
    response = csrf_post(staff.client, f"/staff/products/{product.pk}/skus/", _sku_form())
    assert response.status_code == 302
    sku = Sku.objects.get(tenant=world.tenant, code="TEA-1")
    assert (sku.product_id, sku.unit, sku.min_order_quantity, sku.pack_size, sku.gtin) == (
        product.pk,
        "tin",
        2,
        2,
        VALID_GTIN,
    )
    (created,) = _events("sku.created")
    assert created.payload["product"] == "P-A-1" and created.payload["gtin"] == VALID_GTIN
    assert 'data-testid="sku-TEA-1"' in texts(staff.client.get(f"/staff/products/{product.pk}/"))


def test_a_wrong_gtin_check_digit_and_a_taken_sku_code_are_form_errors(world):
    staff = staff_client(world)
    product = Product.objects.get(tenant=world.tenant, code="P-A-1")
    before = catalogue_state()
    wrong = csrf_post(
        staff.client,
        f"/staff/products/{product.pk}/skus/",
        _sku_form(**{"sku-gtin": WRONG_CHECK_DIGIT}),
    )
    taken = csrf_post(
        staff.client, f"/staff/products/{product.pk}/skus/", _sku_form(**{"sku-code": "B-2"})
    )
    assert 'data-testid="error-sku-gtin">A GTIN is 8, 12, 13 or 14 digits' in texts(wrong)
    assert 'data-testid="error-sku-code">This code is already used.<' in texts(taken)
    assert catalogue_state() == before


def test_a_sku_is_changed_and_archived(world):
    staff = staff_client(world)
    sku = world.skus["B-2"]
    path = f"/staff/products/{sku.product_id}/skus/{sku.pk}/"
    form = {k.removeprefix("sku-"): v for k, v in _sku_form(**{"sku-code": "B-2"}).items()}
    del form["is_active"]
    assert csrf_post(staff.client, path, form).status_code == 302
    sku.refresh_from_db()
    assert (sku.unit, sku.pack_size, sku.is_active, sku.name_en) == (
        "tin",
        2,
        False,
        "Tin of 100 g",
    )
    (updated,) = _events("sku.updated")
    assert set(updated.payload["changed"]) == {"name", "unit", "min_order_quantity", "pack_size",
                                                "gtin"}  # fmt: skip
    assert len(_events("sku.deactivated")) == 1


def test_a_sku_of_another_product_is_not_found(world):
    staff = staff_client(world)
    sku = world.skus["B-2"]
    other = world.skus["A-1"].product_id
    assert staff.client.get(f"/staff/products/{other}/skus/{sku.pk}/").status_code == 404


def test_categories_are_created_in_three_languages_and_cannot_sit_below_themselves(world):
    staff = staff_client(world)
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    created = csrf_post(
        staff.client,
        "/staff/categories/",
        {
            "new-code": "drills",
            "new-parent": str(tools.pk),
            "new-name_en": "Drills",
            "new-name_zh_hant": "電鑽",
            "new-name_zh_hans": "电钻",
        },
    )
    assert created.status_code == 302
    drills = Category.objects.get(tenant=world.tenant, code="drills")
    assert (drills.parent_id, drills.name_zh_hant, drills.name_zh_hans) == (
        tools.pk,
        "電鑽",
        "电钻",
    )
    assert _events("category.created")[0].payload["parent_id"] == tools.pk
    page = texts(staff.client.get("/staff/categories/"))
    assert page.index('data-testid="category-tools"') < page.index('data-testid="category-drills"')
    assert "— Drills" in page

    before = catalogue_state()
    cycle = csrf_post(
        staff.client,
        f"/staff/categories/{tools.pk}/",
        {"code": "tools", "parent": str(drills.pk), "name_en": "Tools"},
    )
    assert 'data-testid="error-parent">A category cannot sit below itself.<' in texts(cycle)
    assert catalogue_state() == before


def test_a_category_is_renamed_with_the_apis_event(world):
    staff = staff_client(world)
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    response = csrf_post(
        staff.client,
        f"/staff/categories/{tools.pk}/",
        {"code": "tools", "parent": "", "name_en": "Hand tools", "name_zh_hant": "手工具"},
    )
    assert response.status_code == 302
    tools.refresh_from_db()
    assert (tools.name_en, tools.name_zh_hant) == ("Hand tools", "手工具")
    (updated,) = _events("category.updated")
    assert updated.payload["changed"] == ["name"]


def test_warehouses_are_created_and_changed_and_a_taken_code_changes_nothing(world):
    staff = staff_client(world)
    created = csrf_post(
        staff.client,
        "/staff/warehouses/",
        {
            "new-code": "south",
            "new-name": "South",
            "new-priority": "5",
            "new-address": "8 Kwai Fung Crescent\nKwai Chung",
        },
    )
    assert created.status_code == 302
    south = Warehouse.objects.get(tenant=world.tenant, code="south")
    assert (south.name, south.priority, south.is_active) == ("South", 5, True)
    assert south.address == "8 Kwai Fung Crescent\nKwai Chung"
    assert _events("warehouse.created")[0].payload == {
        "warehouse": "south",
        "name": "South",
        "priority": 5,
        "is_active": True,
        "address": south.address,
    }
    assert "8 Kwai Fung Crescent<br>Kwai Chung" in texts(staff.client.get("/staff/warehouses/"))
    changed = csrf_post(
        staff.client,
        f"/staff/warehouses/{south.pk}/",
        {"code": "south", "name": "South hub", "priority": "5", "address": south.address},
    )
    assert changed.status_code == 302
    south.refresh_from_db()
    assert (south.name, south.is_active) == ("South hub", False)
    assert _events("warehouse.updated")[0].payload["changed"] == ["name", "is_active"]

    rows = list(Warehouse.objects.order_by("id").values())
    events = Event.objects.count()
    taken = csrf_post(
        staff.client,
        f"/staff/warehouses/{south.pk}/",
        {"code": "main", "name": "South hub", "priority": "5"},
    )
    assert 'data-testid="error-code">Another warehouse has this code.<' in texts(taken)
    assert list(Warehouse.objects.order_by("id").values()) == rows
    assert Event.objects.count() == events


def test_the_pages_speak_traditional_chinese(world):
    staff = staff_client(world)
    staff.client.cookies["django_language"] = "zh-hant"
    product = Product.objects.get(tenant=world.tenant, code="P-A-1")
    page = texts(staff.client.get(f"/staff/products/{product.pk}/"))
    assert "產品 A-1" in page
    for path in ("/staff/products/", "/staff/products/new/", "/staff/categories/",
                 "/staff/warehouses/"):  # fmt: skip
        assert staff.client.get(path).status_code == 200, path
