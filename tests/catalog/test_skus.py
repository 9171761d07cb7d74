from dinghuo.catalog.models import Sku
from dinghuo.core.models import Seller
from tests.catalog.support import catalogue_state, events_of, patch, problem


def _body(world, **extra):
    return {"product_id": world.skus["A-1"].product_id, "code": "A-1-BOX", **extra}


def test_create_sku(world):
    body = _body(world, name={"en": "Box of 12"}, unit="box", min_order_quantity=2, pack_size=2)

    r = world.client().post("/skus", body)

    assert r.status_code == 201
    sku = Sku.objects.get(tenant=world.tenant, code="A-1-BOX")
    assert r.json() == {
        "id": sku.pk,
        "code": "A-1-BOX",
        "product_id": world.skus["A-1"].product_id,
        "product": "P-A-1",
        "name": {"en": "Box of 12", "zh-hant": None, "zh-hans": None},
        "unit": "box",
        "min_order_quantity": 2,
        "pack_size": 2,
        "gtin": "",
        "is_active": True,
        "updated_at": sku.updated_at.isoformat(),
    }
    assert sku.seller == world.seller
    [event] = events_of("sku.created")
    assert (event.aggregate_type, event.aggregate_id) == ("sku", sku.pk)
    assert event.payload["product"] == "P-A-1"


def test_sku_belongs_to_its_products_seller(world):
    vendor = Seller.objects.create(tenant=world.tenant, slug="vendor", name="Vendor")
    product_id = (
        world.client()
        .post("/products", {"code": "V-1", "name": {"en": "V"}, "seller": "vendor"})
        .json()["id"]
    )

    r = world.client().post("/skus", {"product_id": product_id, "code": "A-1"})

    assert r.status_code == 201
    assert Sku.objects.get(pk=r.json()["id"]).seller == vendor


def test_minimum_and_pack_size_must_be_at_least_one(world):
    api = world.client()
    before = catalogue_state()

    both = api.post("/skus", _body(world, min_order_quantity=0, pack_size=-6))
    pack = api.post("/skus", _body(world, pack_size=0))
    huge = api.post("/skus", _body(world, pack_size=10**10))

    assert problem(both) == (
        422,
        "validation_failed",
        [("min_order_quantity", "must_be_positive"), ("pack_size", "must_be_positive")],
    )
    assert problem(pack) == (422, "validation_failed", [("pack_size", "must_be_positive")])
    assert problem(huge) == (422, "invalid_request", [("pack_size", "less_than_equal")])
    assert catalogue_state() == before


def test_create_sku_refusals_change_nothing(world, other_world):
    api = world.client()
    before = catalogue_state()

    foreign_product = api.post("/skus", _body(world, product_id=other_world.skus["A-1"].product_id))
    taken = api.post("/skus", _body(world, code="B-2"))
    empty_code = api.post("/skus", _body(world, code="  "))
    text_quantity = api.post("/skus", _body(world, pack_size="6"))

    assert problem(foreign_product) == (
        422,
        "validation_failed",
        [("product_id", "unknown_product")],
    )
    assert problem(taken) == (409, "code_taken", [("code", "code_taken")])
    assert problem(empty_code) == (422, "invalid_request", [("code", "string_too_short")])
    assert problem(text_quantity) == (422, "invalid_request", [("pack_size", "int_type")])
    assert catalogue_state() == before


def test_list_skus_filters(world):
    api = world.client()
    api.post(f"/skus/{world.skus['C-3'].pk}/deactivate")

    def codes(**params):
        r = api.get("/skus", **params)
        assert r.status_code == 200
        return [s["code"] for s in r.json()["items"]]

    assert codes() == ["A-1", "B-2", "C-3", "D-4"]
    assert codes(product_id=world.skus["B-2"].product_id) == ["B-2"]
    assert codes(code="D-4") == ["D-4"]
    assert codes(is_active="false") == ["C-3"]
    assert codes(limit=3, after=str(world.skus["A-1"].pk)) == ["B-2", "C-3", "D-4"]


def test_patch_sku(world):
    sku = world.skus["A-1"]

    r = patch(world.client(), f"/skus/{sku.pk}", {"min_order_quantity": 5, "unit": "box"})

    assert r.status_code == 200
    assert (r.json()["min_order_quantity"], r.json()["unit"], r.json()["pack_size"]) == (
        5,
        "box",
        1,
    )
    [event] = events_of("sku.updated")
    assert event.payload["changed"] == ["unit", "min_order_quantity"]


def test_patch_sku_refusals_change_nothing(world):
    api = world.client()
    sku = world.skus["A-1"]
    before = catalogue_state()

    zero = patch(api, f"/skus/{sku.pk}", {"pack_size": 0})
    null = patch(api, f"/skus/{sku.pk}", {"min_order_quantity": None})
    taken = patch(api, f"/skus/{sku.pk}", {"code": "B-2"})

    assert problem(zero) == (422, "validation_failed", [("pack_size", "must_be_positive")])
    assert problem(null) == (422, "invalid_request", [("min_order_quantity", "value_error")])
    assert problem(taken) == (409, "code_taken", [("code", "code_taken")])
    assert catalogue_state() == before


def test_deactivate_and_activate_sku(world):
    api = world.client()
    sku = world.skus["B-2"]

    off = api.post(f"/skus/{sku.pk}/deactivate")
    on = api.post(f"/skus/{sku.pk}/activate")
    on_again = api.post(f"/skus/{sku.pk}/activate")

    assert [off.json()["is_active"], on.json()["is_active"], on_again.json()["is_active"]] == [
        False,
        True,
        True,
    ]
    assert [e.aggregate_id for e in events_of("sku.deactivated")] == [sku.pk]
    assert [e.aggregate_id for e in events_of("sku.activated")] == [sku.pk]


def test_another_tenant_gets_404_for_every_sku_action(world, other_world):
    sku_id = world.skus["A-1"].pk
    theirs = other_world.client()
    before = catalogue_state()

    answers = [
        theirs.get(f"/skus/{sku_id}"),
        patch(theirs, f"/skus/{sku_id}", {"pack_size": 2}),
        theirs.post(f"/skus/{sku_id}/deactivate"),
        theirs.post(f"/skus/{sku_id}/activate"),
    ]

    assert [problem(a) for a in answers] == [(404, "not_found", [])] * 4
    assert [s["code"] for s in theirs.get("/skus").json()["items"]] == ["A-1", "B-2", "C-3", "D-4"]
    assert {s["id"] for s in theirs.get("/skus").json()["items"]}.isdisjoint(
        {s.pk for s in world.skus.values()}
    )
    assert catalogue_state() == before
