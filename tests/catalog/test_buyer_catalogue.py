from decimal import Decimal

from dinghuo.catalog.models import Category, Product, Sku
from dinghuo.customers.models import Company
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import Warehouse
from dinghuo.pricing.models import PriceTier
from tests.catalog.support import problem


def _catalogue(world, **params):
    r = world.client().get("/catalog", company_id=world.company.pk, **params)
    assert r.status_code == 200, r.content
    return r.json()


def _codes(world, **params):
    return [item["sku"] for item in _catalogue(world, **params)["items"]]


def test_catalogue_item_has_ladder_price_of_one_and_availability(world):
    page = _catalogue(world)

    assert page["currency"] == "USD"
    assert page["next_cursor"] is None
    assert [item["sku"] for item in page["items"]] == ["A-1", "B-2", "C-3", "D-4"]
    sku = world.skus["A-1"]
    assert page["items"][0] == {
        "sku_id": sku.pk,
        "sku": "A-1",
        "name": {"en": "Item A-1", "zh-hant": None, "zh-hans": None},
        "unit": "pc",
        "min_order_quantity": 1,
        "pack_size": 1,
        "product_id": sku.product_id,
        "product": "P-A-1",
        "product_name": {"en": "Product A-1", "zh-hant": "產品 A-1", "zh-hans": None},
        "category_id": sku.product.category_id,
        "allow_backorder": False,
        "unit_price": "10.00",
        "tiers": [
            {"min_quantity": 1, "unit_price": "10.00"},
            {"min_quantity": 10, "unit_price": "9.00"},
            {"min_quantity": 100, "unit_price": "8.00"},
        ],
        "available": 100,
    }
    assert [(i["unit_price"], i["available"]) for i in page["items"][1:]] == [
        ("2.50", 100),
        ("0.3333", 100),
        ("100.00", 0),
    ]


def test_available_is_on_hand_less_reserved_over_active_warehouses(world):
    sku = world.skus["A-1"]
    stock.receive_stock(
        tenant_id=world.tenant.pk, warehouse_code="north", sku_id=sku.pk, quantity=50, reason="in"
    )
    assert world.client().place(world.order_body(("A-1", 12))).status_code == 201

    assert _catalogue(world)["items"][0]["available"] == 138

    Warehouse.objects.filter(tenant=world.tenant, code="north").update(is_active=False)

    assert _catalogue(world)["items"][0]["available"] == 88


def test_skus_without_a_price_or_not_active_are_left_out(world):
    api = world.client()
    api.post("/skus", {"product_id": world.skus["A-1"].product_id, "code": "A-1-UNPRICED"})
    api.post(f"/skus/{world.skus['B-2'].pk}/deactivate")
    api.post(f"/products/{world.skus['C-3'].product_id}/deactivate")

    assert _codes(world) == ["A-1", "D-4"]


def test_prices_come_from_the_companys_list_only(world, other_world):
    PriceTier.objects.filter(price_list=world.price_list, sku=world.skus["A-1"]).update(
        unit_price=Decimal("11.5")
    )

    assert _catalogue(world)["items"][0]["unit_price"] == "11.50"
    assert _catalogue(other_world)["items"][0]["unit_price"] == "10.00"


def test_price_of_one_unit_is_null_when_the_ladder_starts_higher(world):
    PriceTier.objects.filter(
        price_list=world.price_list, sku=world.skus["A-1"], min_quantity=1
    ).delete()

    item = _catalogue(world)["items"][0]

    assert item["unit_price"] is None
    assert item["tiers"] == [
        {"min_quantity": 10, "unit_price": "9.00"},
        {"min_quantity": 100, "unit_price": "8.00"},
    ]


def test_catalogue_pages_by_cursor(world):
    first = _catalogue(world, limit=3)
    second = _catalogue(world, limit=3, after=first["next_cursor"])

    assert [i["sku"] for i in first["items"]] == ["A-1", "B-2", "C-3"]
    assert first["next_cursor"] == str(world.skus["C-3"].pk)
    assert ([i["sku"] for i in second["items"]], second["next_cursor"]) == (["D-4"], None)


def test_category_filter_includes_the_categories_below(world):
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    hand = Category.objects.create(tenant=world.tenant, code="hand", name_en="Hand", parent=tools)
    hammers = Category.objects.create(tenant=world.tenant, code="ham", name_en="Ham", parent=hand)
    other = Category.objects.create(tenant=world.tenant, code="other", name_en="Other")
    Product.objects.filter(pk=world.skus["B-2"].product_id).update(category=hammers)
    Product.objects.filter(pk=world.skus["C-3"].product_id).update(category=other)

    assert _codes(world, category_id=tools.pk) == ["A-1", "B-2", "D-4"]
    assert _codes(world, category_id=hand.pk) == ["B-2"]
    assert _codes(world, category_id=other.pk) == ["C-3"]


def test_search_in_codes_and_names_of_any_language(world):
    Product.objects.filter(pk=world.skus["D-4"].product_id).update(name_zh_hant="電鑽")
    Sku.objects.filter(pk=world.skus["B-2"].pk).update(name_zh_hans="螺丝")

    assert _codes(world, q="c-3") == ["C-3"]
    assert _codes(world, q="電鑽") == ["D-4"]
    assert _codes(world, q="螺丝") == ["B-2"]
    assert _codes(world, q="p-a-1") == ["A-1"]
    assert _codes(world, q="nothing") == []


def test_unknown_inactive_or_foreign_company_is_not_found(world, other_world):
    api = world.client()
    inactive = Company.objects.create(
        tenant=world.tenant, code="C002", name="Gone", price_list=world.price_list, is_active=False
    )

    for company_id in (other_world.company.pk, inactive.pk, 10**9):
        r = api.get("/catalog", company_id=company_id)
        assert problem(r) == (404, "not_found", [("company_id", "unknown_company")])
    assert problem(api.get("/catalog"))[:2] == (422, "invalid_request")


def test_inactive_price_list_is_a_conflict(world):
    world.price_list.is_active = False
    world.price_list.save()

    r = world.client().get("/catalog", company_id=world.company.pk)

    assert problem(r) == (409, "price_list_inactive", [])


def _add_priced_skus(world, count):
    product = world.skus["A-1"].product
    skus = Sku.objects.bulk_create(
        Sku(tenant=world.tenant, seller=world.seller, product=product, code=f"X-{i}", name_en="")
        for i in range(count)
    )
    PriceTier.objects.bulk_create(
        PriceTier(
            tenant=world.tenant, price_list=world.price_list, sku=sku, min_quantity=q, unit_price=p
        )
        for sku in skus
        for q, p in ((1, Decimal("3")), (12, Decimal("2.5")))
    )
    for sku in skus[:5]:
        stock.receive_stock(
            tenant_id=world.tenant.pk,
            warehouse_code="north",
            sku_id=sku.pk,
            quantity=7,
            reason="in",
        )


def test_catalogue_takes_the_same_queries_for_one_sku_or_fifty(world, django_assert_num_queries):
    # The API key, the company with its price list, the SKU page, its ladders, its stock.
    _add_priced_skus(world, 60)
    tools = Category.objects.get(tenant=world.tenant, code="tools")

    with django_assert_num_queries(5):
        one = _catalogue(world, limit=1)
    with django_assert_num_queries(5):
        fifty = _catalogue(world, limit=50)
    with django_assert_num_queries(6):  # and the category tree
        by_category = _catalogue(world, limit=50, category_id=tools.pk)

    assert (len(one["items"]), len(fifty["items"]), len(by_category["items"])) == (1, 50, 50)
    x0 = next(i for i in fifty["items"] if i["sku"] == "X-0")
    assert (x0["unit_price"], x0["available"], len(x0["tiers"])) == ("3.00", 7, 2)
