"""Promotions: a percent or an amount off categories or SKUs, for a period, for groups."""

from dinghuo.catalog.models import Category
from dinghuo.pricing.models import Promotion
from tests.catalog.support import events_of, patch, problem
from tests.pricing.support import group, pricing_state

START, END = "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z"


def _body(world, **overrides):
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    return {
        "code": "spring",
        "name": "Spring sale",
        "kind": "percent",
        "value": "10",
        "starts_at": START,
        "ends_at": END,
        "category_ids": [tools.pk],
        **overrides,
    }


def _unit_price(world, sku="A-1", quantity=1):
    r = world.client().get(
        f"/companies/{world.company.pk}/price-explanation", sku=sku, quantity=quantity
    )
    return r.json()["unit_price"]


def test_a_percent_off_a_category_lowers_every_price_in_it(world):
    r = world.client().post("/promotions", _body(world), key="p1")

    assert r.status_code == 201, r.content
    body = r.json()
    assert body == {
        "id": body["id"],
        "code": "spring",
        "name": "Spring sale",
        "seller": "acme",
        "kind": "percent",
        "value": "10",
        "currency": "",
        "starts_at": "2000-01-01T00:00:00+00:00",
        "ends_at": "2100-01-01T00:00:00+00:00",
        "applies_to_contract_prices": False,
        "is_active": True,
        "category_ids": _body(world)["category_ids"],
        "sku_ids": [],
        "customer_group_ids": [],
    }
    assert [_unit_price(world, s) for s in ("A-1", "C-3")] == ["9.00", "0.30"]
    [event] = events_of("promotion.created")
    assert (event.aggregate_type, event.aggregate_id) == ("promotion", body["id"])


def test_an_amount_off_skus_for_a_group(world):
    dealers = group(world, "dealers")
    body = _body(
        world,
        kind="amount",
        value="1.5",
        currency="USD",
        category_ids=[],
        sku_ids=[world.skus["A-1"].pk],
        customer_group_ids=[dealers.pk],
    )
    r = world.client().post("/promotions", body)
    assert (r.status_code, r.json()["value"]) == (201, "1.50")

    assert _unit_price(world) == "10.00"
    world.company.groups.add(dealers)
    assert _unit_price(world) == "8.50"
    assert _unit_price(world, "B-2", 6) == "2.50"


def test_change_deactivate_and_list(world):
    api = world.client()
    promotion = api.post("/promotions", _body(world)).json()
    api.post("/promotions", _body(world, code="other", is_active=False))

    r = patch(
        api, f"/promotions/{promotion['id']}", {"value": "25", "sku_ids": [world.skus["C-3"].pk]}
    )
    assert (r.status_code, r.json()["value"], r.json()["sku_ids"]) == (
        200,
        "25",
        [world.skus["C-3"].pk],
    )
    assert _unit_price(world) == "7.50"
    r = api.post(f"/promotions/{promotion['id']}/deactivate")
    assert (r.status_code, r.json()["is_active"]) == (200, False)
    assert _unit_price(world) == "10.00"
    assert [e.payload["changed"] for e in events_of("promotion.changed")] == [
        ["value", "sku_ids"],
        ["is_active"],
    ]
    # deactivating again changes nothing
    api.post(f"/promotions/{promotion['id']}/deactivate")
    assert len(events_of("promotion.changed")) == 2
    listed = api.get("/promotions").json()["items"]
    assert [p["code"] for p in listed] == ["spring", "other"]
    assert [p["code"] for p in api.get("/promotions", is_active=True).json()["items"]] == []
    assert api.get(f"/promotions/{promotion['id']}").json()["value"] == "25"


def test_a_promotion_outside_its_period_does_not_count(world):
    world.client().post(
        "/promotions", _body(world, starts_at="2090-01-01T00:00:00+08:00", ends_at=END)
    )

    assert _unit_price(world) == "10.00"
    assert Promotion.objects.get().starts_at.isoformat() == "2089-12-31T16:00:00+00:00"


def test_bad_input_is_refused_with_a_code_and_changes_nothing(world, other_world):
    api = world.client()
    api.post("/promotions", _body(world))
    before = pricing_state()

    cases = [
        ({"value": "0"}, [("value", "value_not_positive")]),
        ({"value": "-5"}, [("value", "value_not_positive")]),
        ({"value": "100.01"}, [("value", "percent_above_100")]),
        ({"kind": "amount"}, [("currency", "currency_required")]),
        ({"kind": "amount", "currency": "XYZ"}, [("currency", "invalid_currency")]),
        ({"currency": "USD"}, [("currency", "currency_not_allowed")]),
        ({"ends_at": START}, [("ends_at", "period_reversed")]),
        ({"category_ids": []}, [("sku_ids", "no_targets")]),
        ({"category_ids": [10**9]}, [("category_ids[0]", "unknown_category")]),
        ({"sku_ids": [other_world.skus["A-1"].pk]}, [("sku_ids[0]", "unknown_sku")]),
        ({"customer_group_ids": [10**9]}, [("customer_group_ids[0]", "unknown_customer_group")]),
    ]
    for overrides, errors in cases:
        r = api.post("/promotions", _body(world, code="new", **overrides))
        assert problem(r) == (422, "validation_failed", errors), overrides
    assert problem(api.post("/promotions", _body(world)))[:2] == (409, "code_taken")
    r = api.post("/promotions", _body(world, code="new", starts_at="2000-01-01T00:00:00"))
    assert problem(r)[:2] == (422, "invalid_request")
    promotion_id = Promotion.objects.get().pk
    r = patch(api, f"/promotions/{promotion_id}", {"value": "101"})
    assert problem(r) == (422, "validation_failed", [("value", "percent_above_100")])
    r = patch(api, f"/promotions/{promotion_id}", {"category_ids": []})
    assert problem(r) == (422, "validation_failed", [("sku_ids", "no_targets")])
    assert pricing_state() == before


def test_another_tenants_promotions_are_not_found(world, other_world):
    promotion = world.client().post("/promotions", _body(world)).json()
    theirs = other_world.client()

    assert problem(theirs.get(f"/promotions/{promotion['id']}"))[:2] == (404, "not_found")
    r = patch(theirs, f"/promotions/{promotion['id']}", {"name": "Mine"})
    assert problem(r)[:2] == (404, "not_found")
    r = theirs.post(f"/promotions/{promotion['id']}/deactivate")
    assert problem(r)[:2] == (404, "not_found")
    assert theirs.get("/promotions").json()["items"] == []
    assert Promotion.objects.get().is_active


def test_listing_takes_the_same_queries_for_one_or_many(world, django_assert_num_queries):
    api = world.client()
    for i in range(6):
        api.post("/promotions", _body(world, code=f"p{i}", sku_ids=[world.skus["A-1"].pk]))

    # key, page, seller joined, three member sets
    with django_assert_num_queries(5):
        one = api.get("/promotions", limit=1)
    with django_assert_num_queries(5):
        six = api.get("/promotions", limit=6)

    assert (len(one.json()["items"]), len(six.json()["items"])) == (1, 6)
