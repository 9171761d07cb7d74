from dinghuo.catalog.models import Category, Product
from dinghuo.core.models import Seller
from tests.catalog.support import catalogue_state, events_of, patch, problem


def _body(**extra):
    return {"code": "HAM", "name": {"en": "Hammer", "zh-hant": "錘子"}, **extra}


def test_create_product_for_the_tenants_own_store(world):
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    body = _body(description={"en": "Steel head"}, category_id=tools.pk, allow_backorder=True)

    r = world.client().post("/products", body)

    assert r.status_code == 201
    product = Product.objects.get(tenant=world.tenant, code="HAM")
    assert r.json() == {
        "id": product.pk,
        "code": "HAM",
        "seller": "acme",
        "name": {"en": "Hammer", "zh-hant": "錘子", "zh-hans": None},
        "description": {"en": "Steel head", "zh-hant": None, "zh-hans": None},
        "category_id": tools.pk,
        "tax_category_id": None,
        "is_active": True,
        "allow_backorder": True,
        "updated_at": product.updated_at.isoformat(),
        "skus": [],
    }
    assert product.seller == world.seller
    [event] = events_of("product.created")
    assert (event.aggregate_type, event.aggregate_id) == ("product", product.pk)
    assert event.payload["code"] == "HAM"
    assert event.payload["seller"] == "acme"


def test_create_product_for_a_named_seller(world):
    Seller.objects.create(tenant=world.tenant, slug="vendor", name="Vendor")

    r = world.client().post("/products", _body(code="P-A-1", seller="vendor"))

    assert r.status_code == 201
    assert r.json()["seller"] == "vendor"


def test_create_product_refusals_change_nothing(world, other_world):
    theirs = Category.objects.get(tenant=other_world.tenant, code="tools")
    api = world.client()
    before = catalogue_state()

    no_english = api.post("/products", {"code": "HAM", "name": {"zh-hant": "錘子"}})
    foreign_category = api.post("/products", _body(category_id=theirs.pk))
    unknown_seller = api.post("/products", _body(seller="nobody"))
    taken = api.post("/products", _body(code="P-A-1"))
    too_long = api.post("/products", _body(name={"en": "x" * 301}))
    not_a_bool = api.post("/products", _body(is_active="yes"))

    assert problem(no_english) == (422, "validation_failed", [("name.en", "name_required")])
    assert problem(foreign_category) == (
        422,
        "validation_failed",
        [("category_id", "unknown_category")],
    )
    assert problem(unknown_seller) == (422, "validation_failed", [("seller", "unknown_seller")])
    assert problem(taken) == (409, "code_taken", [("code", "code_taken")])
    assert problem(too_long) == (422, "invalid_request", [("name.en", "string_too_long")])
    assert problem(not_a_bool) == (422, "invalid_request", [("is_active", "bool_type")])
    assert catalogue_state() == before


def test_read_product_with_its_skus(world):
    product = world.skus["B-2"].product

    r = world.client().get(f"/products/{product.pk}")

    assert r.status_code == 200
    [sku] = r.json()["skus"]
    assert sku == {
        "id": world.skus["B-2"].pk,
        "code": "B-2",
        "product_id": product.pk,
        "product": "P-B-2",
        "name": {"en": "Item B-2", "zh-hant": None, "zh-hans": None},
        "unit": "pc",
        "min_order_quantity": 6,
        "pack_size": 6,
        "gtin": "",
        "is_active": True,
        "updated_at": world.skus["B-2"].updated_at.isoformat(),
    }


def test_list_products_filters(world):
    api = world.client()
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    api.post("/products", _body(code="HAM"))
    api.post("/products", _body(code="SAW", name={"en": "Saw", "zh-hans": "锯子"}, is_active=False))

    def codes(**params):
        r = api.get("/products", **params)
        assert r.status_code == 200
        return [p["code"] for p in r.json()["items"]]

    assert codes() == ["P-A-1", "P-B-2", "P-C-3", "P-D-4", "HAM", "SAW"]
    assert codes(category_id=tools.pk) == ["P-A-1", "P-B-2", "P-C-3", "P-D-4"]
    assert codes(is_active="false") == ["SAW"]
    assert codes(q="锯") == ["SAW"]
    assert codes(q="p-b") == ["P-B-2"]
    page = api.get("/products", limit=4).json()
    assert page["next_cursor"] is not None
    assert codes(after=page["next_cursor"]) == ["HAM", "SAW"]


def test_list_products_refuses_bad_filters(world):
    api = world.client()

    assert problem(api.get("/products", limit=0))[:2] == (422, "invalid_request")
    assert problem(api.get("/products", limit=501))[:2] == (422, "invalid_request")
    assert problem(api.get("/products", after="x")) == (
        422,
        "invalid_cursor",
        [("after", "invalid_cursor")],
    )
    assert problem(api.get("/products", q="x" * 101))[:2] == (422, "invalid_request")


def test_patch_product(world):
    api = world.client()
    product = world.skus["A-1"].product

    r = patch(
        api,
        f"/products/{product.pk}",
        {"name": {"zh-hant": "產品"}, "category_id": None, "allow_backorder": True},
    )

    assert r.status_code == 200
    body = r.json()
    assert body["name"] == {"en": "Product A-1", "zh-hant": "產品", "zh-hans": None}
    assert (body["category_id"], body["allow_backorder"]) == (None, True)
    assert [s["code"] for s in body["skus"]] == ["A-1"]
    [event] = events_of("product.updated")
    assert event.payload["changed"] == ["name", "category_id", "allow_backorder"]


def test_patch_product_refusals_change_nothing(world):
    api = world.client()
    product = world.skus["A-1"].product
    before = catalogue_state()

    null_flag = patch(api, f"/products/{product.pk}", {"allow_backorder": None})
    taken = patch(api, f"/products/{product.pk}", {"code": "P-B-2"})
    unknown_field = patch(api, f"/products/{product.pk}", {"is_active": False})
    bad_category = patch(api, f"/products/{product.pk}", {"category_id": 10**6})

    assert problem(null_flag) == (422, "invalid_request", [("allow_backorder", "value_error")])
    assert problem(taken) == (409, "code_taken", [("code", "code_taken")])
    assert problem(unknown_field) == (422, "invalid_request", [("is_active", "extra_forbidden")])
    assert problem(bad_category) == (
        422,
        "validation_failed",
        [("category_id", "unknown_category")],
    )
    assert catalogue_state() == before


def test_deactivate_and_activate_product(world):
    api = world.client()
    product = world.skus["A-1"].product

    off = api.post(f"/products/{product.pk}/deactivate")
    off_again = api.post(f"/products/{product.pk}/deactivate")
    on = api.post(f"/products/{product.pk}/activate")

    assert (off.status_code, off.json()["is_active"]) == (200, False)
    assert (off_again.status_code, off_again.json()["is_active"]) == (200, False)
    assert (on.status_code, on.json()["is_active"]) == (200, True)
    assert [e.aggregate_id for e in events_of("product.deactivated")] == [product.pk]
    assert [e.aggregate_id for e in events_of("product.activated")] == [product.pk]


def test_another_tenant_gets_404_for_every_product_action(world, other_world):
    product_id = world.skus["A-1"].product_id
    theirs = other_world.client()
    before = catalogue_state()

    answers = [
        theirs.get(f"/products/{product_id}"),
        patch(theirs, f"/products/{product_id}", {"name": {"en": "Mine"}}),
        theirs.post(f"/products/{product_id}/deactivate"),
        theirs.post(f"/products/{product_id}/activate"),
    ]

    assert [problem(a) for a in answers] == [(404, "not_found", [])] * 4
    assert catalogue_state() == before


def test_out_of_range_ids_are_bad_input_not_errors(world):
    api = world.client()

    huge = api.get(f"/products/{10**20}")
    zero = api.get("/products/0")
    text = api.post("/products/abc/deactivate")

    assert problem(huge) == (422, "invalid_request", [("product_id", "less_than_equal")])
    assert problem(zero) == (422, "invalid_request", [("product_id", "greater_than_equal")])
    assert problem(text) == (422, "invalid_request", [("product_id", "int_parsing")])


def test_read_only_key_cannot_create(world):
    before = catalogue_state()

    r = world.client(world.read_key).post("/products", _body())

    assert problem(r) == (403, "insufficient_scope", [])
    assert catalogue_state() == before
