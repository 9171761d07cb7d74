from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.catalog.models import Category, Product, Sku, TaxCategory
from tests.catalog.support import catalogue_state, events_of, problem


def _item(code, *skus, **extra):
    return {"code": code, "name": {"en": f"Product {code}"}, "skus": list(skus), **extra}


def _bulk(api, *items, **extra):
    return api.post("/catalog/bulk", {"items": list(items), **extra})


def test_bulk_creates_new_codes_and_updates_known_ones(world):
    body = [
        _item(
            "P-A-1",
            {"code": "A-1", "pack_size": 5},
            {"code": "A-1-BOX", "unit": "box"},
            name={"en": "Product A-1"},
        ),
        _item(
            "NEW",
            {"code": "NEW-1", "name": {"en": "New one", "zh-hant": "新"}},
            name={"en": "New", "zh-hans": "新"},
            description={"en": "Fresh"},
            category="tools",
            allow_backorder=True,
        ),
    ]

    r = _bulk(world.client(), *body)

    assert r.status_code == 200
    assert r.json() == {
        "products": {"created": 1, "updated": 0, "unchanged": 1},
        "skus": {"created": 2, "updated": 1, "unchanged": 0},
    }
    new = Product.objects.get(tenant=world.tenant, code="NEW")
    assert (new.name_en, new.name_zh_hans, new.description_en, new.allow_backorder) == (
        "New",
        "新",
        "Fresh",
        True,
    )
    assert new.category == Category.objects.get(tenant=world.tenant, code="tools")
    assert new.seller == world.seller
    box = Sku.objects.get(tenant=world.tenant, code="A-1-BOX")
    assert (box.product_id, box.unit, box.min_order_quantity, box.pack_size) == (
        world.skus["A-1"].product_id,
        "box",
        1,
        1,
    )
    assert Sku.objects.get(pk=world.skus["A-1"].pk).pack_size == 5
    assert Sku.objects.get(tenant=world.tenant, code="NEW-1").product == new
    [event] = events_of("catalog.bulk_upserted")
    assert event.payload == {
        "seller": "acme",
        "products": {"created": ["NEW"], "updated": []},
        "skus": {"created": ["A-1-BOX", "NEW-1"], "updated": ["A-1"]},
    }


def test_bulk_keeps_what_an_item_leaves_out(world):
    product = world.skus["B-2"].product

    r = _bulk(
        world.client(),
        {"code": "P-B-2", "name": {"zh-hant": "乙"}, "skus": [{"code": "B-2", "is_active": False}]},
    )

    assert r.status_code == 200
    product.refresh_from_db()
    sku = Sku.objects.get(pk=world.skus["B-2"].pk)
    assert (product.name_en, product.name_zh_hant, product.category.code) == (
        "Product B-2",
        "乙",
        "tools",
    )
    assert (sku.name_en, sku.min_order_quantity, sku.pack_size, sku.is_active) == (
        "Item B-2",
        6,
        6,
        False,
    )


def test_bulk_resent_unchanged_writes_and_records_nothing(world):
    api = world.client()
    body = [_item("NEW", {"code": "NEW-1"}, category="tools")]
    _bulk(api, *body)
    before = catalogue_state()

    r = _bulk(api, *body)

    assert r.json() == {
        "products": {"created": 0, "updated": 0, "unchanged": 1},
        "skus": {"created": 0, "updated": 0, "unchanged": 1},
    }
    assert catalogue_state() == before


def test_bulk_category_null_removes_it(world):
    r = _bulk(world.client(), {"code": "P-A-1", "category": None})

    assert r.json()["products"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert Product.objects.get(pk=world.skus["A-1"].product_id).category_id is None


def test_bulk_reports_every_problem_at_once_and_changes_nothing(world):
    before = catalogue_state()

    r = _bulk(
        world.client(),
        _item("OK", {"code": "OK-1"}),
        {"code": "NO-NAME", "skus": [{"code": "X-1", "min_order_quantity": 0}]},
        _item("P-C-3", {"code": "A-1"}, category="nowhere"),
        _item("DUP", {"code": "X-1"}),
        _item("DUP", {"code": "Y-1", "pack_size": -1}),
    )

    assert problem(r) == (
        422,
        "validation_failed",
        [
            ("items[1].skus[0].code", "duplicate_code"),
            ("items[3].code", "duplicate_code"),
            ("items[3].skus[0].code", "duplicate_code"),
            ("items[4].code", "duplicate_code"),
        ],
    )
    assert catalogue_state() == before

    r = _bulk(
        world.client(),
        _item("OK", {"code": "OK-1"}),
        {"code": "NO-NAME", "skus": [{"code": "X-1", "min_order_quantity": 0}]},
        _item("P-C-3", {"code": "A-1"}, category="nowhere"),
        _item("NEW", {"code": "B-2"}, {"code": "Y-1", "pack_size": -1}),
    )

    assert problem(r) == (
        422,
        "validation_failed",
        [
            ("items[1].name.en", "name_required"),
            ("items[1].skus[0].min_order_quantity", "must_be_positive"),
            ("items[2].category", "unknown_category"),
            ("items[2].skus[0].code", "sku_of_other_product"),
            ("items[3].skus[0].code", "sku_of_other_product"),
            ("items[3].skus[1].pack_size", "must_be_positive"),
        ],
    )
    assert catalogue_state() == before


def test_bulk_limits(world):
    api = world.client()
    before = catalogue_state()

    too_many_items = _bulk(api, *[_item(f"P{i}") for i in range(1001)])
    no_items = _bulk(api)
    too_many_skus_in_one = _bulk(api, _item("P", *[{"code": f"S{i}"} for i in range(101)]))
    too_many_skus = _bulk(
        api, *[_item(f"P{i}", *[{"code": f"S{i}-{j}"} for j in range(100)]) for i in range(51)]
    )
    unknown_seller = _bulk(api, _item("P"), seller="nobody")

    assert problem(too_many_items) == (422, "invalid_request", [("items", "too_long")])
    assert problem(no_items) == (422, "invalid_request", [("items", "too_short")])
    assert problem(too_many_skus_in_one) == (
        422,
        "invalid_request",
        [("items[0].skus", "too_long")],
    )
    assert problem(too_many_skus) == (422, "validation_failed", [("items", "too_many_skus")])
    assert problem(unknown_seller) == (422, "validation_failed", [("seller", "unknown_seller")])
    assert catalogue_state() == before


def test_bulk_is_idempotent_with_a_key(world):
    api = world.client()
    body = {"items": [_item("NEW", {"code": "NEW-1"})]}

    first = api.post("/catalog/bulk", body, key="import-7")
    again = api.post("/catalog/bulk", body, key="import-7")

    assert (
        again.json()
        == first.json()
        == {
            "products": {"created": 1, "updated": 0, "unchanged": 0},
            "skus": {"created": 1, "updated": 0, "unchanged": 0},
        }
    )
    assert again["Idempotent-Replayed"] == "true"
    assert len(events_of("catalog.bulk_upserted")) == 1


def _queries_for(api, items):
    with CaptureQueriesContext(connection) as queries:
        r = _bulk(api, *items)
    assert r.status_code == 200, r.content
    return len(queries)


def _items(prefix, count, unit="pc"):
    return [
        _item(f"{prefix}{i}", {"code": f"{prefix}{i}-S", "unit": unit}, category="tools")
        for i in range(count)
    ]


def test_bulk_queries_do_not_grow_with_the_number_of_items(world):
    # 50 items fit in one SQLite insert batch (999 parameters), so the count must be equal.
    api = world.client()

    create_one, create_fifty = _queries_for(api, _items("a", 1)), _queries_for(api, _items("b", 50))
    update_one = _queries_for(api, _items("a", 1, unit="box"))
    update_fifty = _queries_for(api, _items("b", 50, unit="box"))

    assert create_one == create_fifty
    assert update_one == update_fifty


def test_bulk_of_1000_items_stays_within_a_fixed_query_budget(world, django_assert_max_num_queries):
    # One item takes 14 queries. For 1,000, SQLite's 999-parameter batches add about 30
    # inserts (PostgreSQL none); an N+1 would need thousands.
    api = world.client()

    with django_assert_max_num_queries(50):
        created = _bulk(api, *_items("p", 1000))
    with django_assert_max_num_queries(50):
        updated = _bulk(api, *_items("p", 1000, unit="box"))

    assert created.json()["products"] == {"created": 1000, "updated": 0, "unchanged": 0}
    assert updated.json()["skus"] == {"created": 0, "updated": 1000, "unchanged": 0}
    assert Sku.objects.filter(tenant=world.tenant, unit="box").count() == 1000


def test_bulk_sets_changes_and_clears_the_tax_category_by_code(world):
    api = world.client()
    reduced = TaxCategory.objects.create(tenant=world.tenant, code="reduced", name="Reduced")
    zero = TaxCategory.objects.create(tenant=world.tenant, code="zero", name="Zero")
    name = {"en": "Rice"}
    assert _bulk(api, _item("RICE", name=name, tax_category="reduced")).status_code == 200
    assert Product.objects.get(code="RICE").tax_category_id == reduced.pk

    assert _bulk(api, _item("RICE", tax_category="zero")).status_code == 200
    assert Product.objects.get(code="RICE").tax_category_id == zero.pk
    assert _bulk(api, _item("RICE")).json()["products"]["unchanged"] == 1  # left out: kept
    assert Product.objects.get(code="RICE").tax_category_id == zero.pk

    assert _bulk(api, _item("RICE", tax_category=None)).status_code == 200
    assert Product.objects.get(code="RICE").tax_category_id is None


def test_bulk_refuses_an_unknown_tax_category_and_changes_nothing(world):
    api = world.client()
    before = catalogue_state()
    r = _bulk(api, _item("RICE", name={"en": "Rice"}, tax_category="luxury"))
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("items[0].tax_category", "unknown_tax_category")
    ]
    assert catalogue_state() == before
