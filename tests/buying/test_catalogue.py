from datetime import date
from decimal import Decimal

from dinghuo.catalog.models import Category, Product, Sku
from dinghuo.customers.models import Company
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import Warehouse
from dinghuo.pricing.models import (
    Assortment,
    CompanySkuTerms,
    ContractPrice,
    ContractPriceTier,
    PriceListAssignment,
    PriceTier,
    Promotion,
)
from tests.catalog.support import problem
from tests.customers.buyers import buyer_client
from tests.pricing.support import group, price_list


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

    with django_assert_num_queries(6):
        one = _catalogue(world, limit=1)
    with django_assert_num_queries(6):
        fifty = _catalogue(world, limit=50)
    with django_assert_num_queries(7):  # and the category tree
        by_category = _catalogue(world, limit=50, category_id=tools.pk)

    assert (len(one["items"]), len(fifty["items"]), len(by_category["items"])) == (1, 50, 50)
    x0 = next(i for i in fifty["items"] if i["sku"] == "X-0")
    assert (x0["unit_price"], x0["available"], len(x0["tiers"])) == ("3.00", 7, 2)


# --- the company's own prices ----------------------------------------------------------------


def _b2b(world):
    """C001 is a dealer: a dealer list (priority 5) for its group, a contract for C-3 and a new
    SKU priced by its contract only, 10% off A-1 for dealers, its own pack size for A-1."""
    dealers = group(world, "dealers", world.company)
    dealer = price_list(world, "dealer", {"A-1": [(1, "9.50"), (10, "8.80")]})
    PriceListAssignment.objects.create(
        tenant=world.tenant, price_list=dealer, customer_group=dealers, priority=5
    )
    euro = price_list(world, "euro", {}, currency="EUR")
    PriceListAssignment.objects.create(
        tenant=world.tenant, price_list=euro, company=world.company, priority=9
    )
    special = Sku.objects.create(
        tenant=world.tenant,
        seller=world.seller,
        product=world.skus["C-3"].product,
        code="C-3-SPECIAL",
    )
    PriceTier.objects.create(  # on the EUR list only: that does not price it for C001
        tenant=world.tenant, price_list=euro, sku=special, min_quantity=1, unit_price=1
    )
    for sku, tiers in ((world.skus["C-3"], [(1, "0.30")]), (special, [(5, "4.00")])):
        contract = ContractPrice.objects.create(
            tenant=world.tenant, company=world.company, sku=sku, valid_from=date(2020, 1, 1)
        )
        for m, p in tiers:
            ContractPriceTier.objects.create(
                tenant=world.tenant, contract=contract, min_quantity=m, unit_price=Decimal(p)
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
    promotion.customer_groups.add(dealers)
    CompanySkuTerms.objects.create(
        tenant=world.tenant, company=world.company, sku=world.skus["A-1"], pack_size=5
    )
    return dealers


def test_the_catalogue_shows_the_prices_and_terms_the_company_gets(world):
    _b2b(world)

    items = {i["sku"]: i for i in _catalogue(world)["items"]}

    assert list(items) == ["A-1", "B-2", "C-3", "D-4", "C-3-SPECIAL"]
    a1 = items["A-1"]
    assert (a1["unit_price"], a1["pack_size"], a1["min_order_quantity"]) == ("8.55", 5, 1)
    # the dealer list's ladder up to 99, the base list's from 100; 10% off throughout
    assert a1["tiers"] == [
        {"min_quantity": 1, "unit_price": "8.55"},
        {"min_quantity": 10, "unit_price": "7.92"},
    ]
    assert items["C-3"]["tiers"] == [{"min_quantity": 1, "unit_price": "0.30"}]
    special = items["C-3-SPECIAL"]
    assert (special["unit_price"], special["tiers"]) == (
        None,
        [{"min_quantity": 5, "unit_price": "4.00"}],
    )
    # another company of the tenant still sees the base list
    other = Company.objects.create(
        tenant=world.tenant, code="C002", name="Two", price_list=world.price_list
    )
    plain = world.client().get("/catalog", company_id=other.pk).json()["items"]
    assert [i["sku"] for i in plain] == ["A-1", "B-2", "C-3", "D-4"]
    assert plain[0]["unit_price"] == "10.00"


def test_a_buyer_reads_their_own_companys_catalogue(world):
    _b2b(world)
    _, buyer = buyer_client(world.company, "ann@example.com")

    mine = buyer.get("/my/catalog", limit=2)
    staff = world.client().get("/catalog", company_id=world.company.pk, limit=2)

    assert mine.status_code == 200, mine.content
    assert mine.json() == staff.json()
    assert problem(buyer.get("/catalog", company_id=world.company.pk))[:2] == (
        403,
        "staff_key_required",
    )


def test_the_catalogue_keeps_to_the_assortment(world):
    dealers = _b2b(world)
    assortment = Assortment.objects.create(
        tenant=world.tenant, seller=world.seller, code="a", name="A"
    )
    assortment.skus.add(world.skus["B-2"], world.skus["D-4"])
    assortment.customer_groups.add(dealers)

    assert _codes(world) == ["B-2", "D-4"]


def test_the_same_queries_for_one_sku_or_fifty_with_every_kind_of_source(
    world, django_assert_num_queries
):
    dealers = _b2b(world)
    _add_priced_skus(world, 60)
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    assortment = Assortment.objects.create(
        tenant=world.tenant, seller=world.seller, code="a", name="A"
    )
    assortment.categories.add(tools)
    assortment.customer_groups.add(dealers)

    # the key; the company with flags, its assigned lists; the page; ladders and contracts,
    # SKU terms, category lines, promotions, visible SKUs; stock
    with django_assert_num_queries(11):
        one = _catalogue(world, limit=1)
    with django_assert_num_queries(11):
        fifty = _catalogue(world, limit=50)

    assert (len(one["items"]), len(fifty["items"])) == (1, 50)
