"""A company's own SKU terms, and assortments: what a company may see and buy."""

from dinghuo.catalog.models import Category, Product
from dinghuo.pricing.models import Assortment, CompanySkuTerms
from tests.catalog.support import events_of, patch, problem, put
from tests.pricing.support import group, pricing_state


def _terms_path(world):
    return f"/companies/{world.company.pk}/sku-terms"


def test_sku_terms_replace_the_set_and_override_the_skus_field_by_field(world):
    api = world.client()
    a1, b2 = world.skus["A-1"].pk, world.skus["B-2"].pk

    r = put(api, _terms_path(world), {"terms": [{"sku_id": b2, "min_order_quantity": 12}]})

    assert r.status_code == 200, r.content
    assert r.json() == {
        "company_id": world.company.pk,
        "items": [{"sku_id": b2, "sku": "B-2", "min_order_quantity": 12, "pack_size": None}],
    }
    explained = api.get(
        f"/companies/{world.company.pk}/price-explanation", sku="B-2", quantity=6
    ).json()
    assert (explained["min_order_quantity"], explained["pack_size"]) == (12, 6)
    assert explained["problems"] == ["below_minimum"]

    r = put(api, _terms_path(world), {"terms": [{"sku_id": a1, "pack_size": 5}]})
    assert [i["sku"] for i in r.json()["items"]] == ["A-1"]
    assert api.get(_terms_path(world)).json() == r.json()
    put(api, _terms_path(world), {"terms": [{"sku_id": a1, "pack_size": 5}]})
    assert len(events_of("company.sku_terms_changed")) == 2
    assert put(api, _terms_path(world), {"terms": []}).json()["items"] == []
    assert not CompanySkuTerms.objects.exists()


def test_bad_sku_terms_are_refused_and_change_nothing(world, other_world):
    api = world.client()
    a1 = world.skus["A-1"].pk
    put(api, _terms_path(world), {"terms": [{"sku_id": a1, "pack_size": 5}]})
    before = pricing_state()

    r = put(
        api,
        _terms_path(world),
        {
            "terms": [
                {"sku_id": a1, "pack_size": 0},
                {"sku_id": a1},
                {"sku_id": other_world.skus["A-1"].pk, "min_order_quantity": 2},
            ]
        },
    )

    assert problem(r) == (
        422,
        "validation_failed",
        [
            ("terms[2].sku_id", "unknown_sku"),
            ("terms[1].sku_id", "duplicate_id"),
            ("terms[0].pack_size", "quantity_not_positive"),
            ("terms[1]", "no_terms"),
        ],
    )
    other = other_world.client()
    assert problem(put(other, _terms_path(world), {"terms": []}))[:2] == (404, "not_found")
    assert problem(other.get(_terms_path(world)))[:2] == (404, "not_found")
    assert pricing_state() == before


def _assortment_body(world, **overrides):
    return {"code": "core", "name": "Core range", **overrides}


def _catalogue_codes(world):
    r = world.client().get("/catalog", company_id=world.company.pk)
    return [i["sku"] for i in r.json()["items"]]


def test_an_assortment_limits_the_catalogue_of_its_companies_and_groups(world):
    api = world.client()
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    hand = Category.objects.create(tenant=world.tenant, code="hand", name_en="Hand", parent=tools)
    Product.objects.filter(pk=world.skus["A-1"].product_id).update(category=hand)
    Product.objects.filter(pk=world.skus["B-2"].product_id).update(category=None)

    r = api.post(
        "/assortments",
        _assortment_body(world, category_ids=[hand.pk], sku_ids=[world.skus["B-2"].pk]),
        key="as1",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body == {
        "id": body["id"],
        "code": "core",
        "name": "Core range",
        "seller": "acme",
        "category_ids": [hand.pk],
        "sku_ids": [world.skus["B-2"].pk],
        "company_ids": [],
        "customer_group_ids": [],
    }
    # nobody is in it yet: the whole catalogue
    assert _catalogue_codes(world) == ["A-1", "B-2", "C-3", "D-4"]

    dealers = group(world, "dealers", world.company)
    r = patch(api, f"/assortments/{body['id']}", {"customer_group_ids": [dealers.pk]})
    assert (r.status_code, r.json()["customer_group_ids"]) == (200, [dealers.pk])
    assert _catalogue_codes(world) == ["A-1", "B-2"]

    r = patch(api, f"/assortments/{body['id']}", {"category_ids": [tools.pk], "sku_ids": []})
    assert _catalogue_codes(world) == ["A-1", "C-3", "D-4"]
    assert [e.payload["changed"] for e in events_of("assortment.changed")] == [
        ["customer_group_ids"],
        ["category_ids", "sku_ids"],
    ]
    assert api.get(f"/assortments/{body['id']}").json()["category_ids"] == [tools.pk]
    assert [a["code"] for a in api.get("/assortments").json()["items"]] == ["core"]


def test_bad_assortments_are_refused_and_change_nothing(world, other_world):
    api = world.client()
    created = api.post("/assortments", _assortment_body(world)).json()
    before = pricing_state()

    r = api.post(
        "/assortments",
        _assortment_body(
            world,
            code="new",
            category_ids=[10**9],
            sku_ids=[other_world.skus["A-1"].pk],
            company_ids=[other_world.company.pk],
            customer_group_ids=[10**9],
        ),
    )

    assert problem(r) == (
        422,
        "validation_failed",
        [
            ("category_ids[0]", "unknown_category"),
            ("sku_ids[0]", "unknown_sku"),
            ("company_ids[0]", "unknown_company"),
            ("customer_group_ids[0]", "unknown_customer_group"),
        ],
    )
    assert problem(api.post("/assortments", _assortment_body(world)))[:2] == (409, "code_taken")
    r = patch(api, f"/assortments/{created['id']}", {"company_ids": [other_world.company.pk]})
    assert problem(r) == (422, "validation_failed", [("company_ids[0]", "unknown_company")])
    other = other_world.client()
    assert problem(other.get(f"/assortments/{created['id']}"))[:2] == (404, "not_found")
    r = patch(other, f"/assortments/{created['id']}", {"name": "x"})
    assert problem(r)[:2] == (404, "not_found")
    assert pricing_state() == before
    assert Assortment.objects.count() == 1
