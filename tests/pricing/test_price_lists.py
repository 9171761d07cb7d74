from decimal import Decimal

from dinghuo.core.models import Seller
from dinghuo.pricing.models import PriceList, PriceTier
from tests.catalog.support import catalogue_state, events_of, patch, problem


def _body(**extra):
    return {"code": "vip", "name": "VIP", "currency": "HKD", **extra}


def test_create_price_list(world):
    r = world.client().post("/price-lists", _body())

    assert r.status_code == 201
    created = PriceList.objects.get(tenant=world.tenant, code="vip")
    assert r.json() == {
        "id": created.pk,
        "code": "vip",
        "name": "VIP",
        "currency": "HKD",
        "prices_include_tax": False,
        "seller": "acme",
        "is_active": True,
    }
    [event] = events_of("price_list.created")
    assert (event.aggregate_type, event.aggregate_id) == ("price_list", created.pk)
    assert event.payload["currency"] == "HKD"


def test_create_price_list_for_a_named_seller(world):
    Seller.objects.create(tenant=world.tenant, slug="vendor", name="Vendor")

    r = world.client().post("/price-lists", _body(seller="vendor"))

    assert (r.status_code, r.json()["seller"]) == (201, "vendor")


def test_create_price_list_refusals_change_nothing(world):
    api = world.client()
    before = catalogue_state()

    lower_case = api.post("/price-lists", _body(currency="hkd"))
    made_up = api.post("/price-lists", _body(currency="ABC"))
    taken = api.post("/price-lists", _body(code="std"))
    unknown_seller = api.post("/price-lists", _body(seller="nobody"))
    no_name = api.post("/price-lists", _body(name=""))

    for r in (lower_case, made_up):
        assert problem(r) == (422, "validation_failed", [("currency", "invalid_currency")])
    assert problem(taken) == (409, "code_taken", [("code", "code_taken")])
    assert problem(unknown_seller) == (422, "validation_failed", [("seller", "unknown_seller")])
    assert problem(no_name) == (422, "invalid_request", [("name", "string_too_short")])
    assert catalogue_state() == before


def test_list_and_read_price_lists(world):
    api = world.client()
    vip_id = api.post("/price-lists", _body(is_active=False)).json()["id"]

    everything = api.get("/price-lists").json()
    inactive = api.get("/price-lists", is_active="false").json()

    assert [p["code"] for p in everything["items"]] == ["std", "vip"]
    assert [p["code"] for p in inactive["items"]] == ["vip"]
    assert api.get(f"/price-lists/{vip_id}").json()["is_active"] is False


def test_patch_price_list(world):
    r = patch(
        world.client(), f"/price-lists/{world.price_list.pk}", {"name": "List", "is_active": False}
    )

    assert r.status_code == 200
    assert (r.json()["name"], r.json()["is_active"]) == ("List", False)
    [event] = events_of("price_list.updated")
    assert event.payload["changed"] == ["name", "is_active"]


def test_currency_changes_only_while_the_list_has_no_prices(world):
    api = world.client()
    empty_id = api.post("/price-lists", _body()).json()["id"]
    before = catalogue_state()

    locked = patch(api, f"/price-lists/{world.price_list.pk}", {"currency": "EUR"})
    invalid = patch(api, f"/price-lists/{empty_id}", {"currency": "EURO"})

    assert problem(locked) == (409, "currency_locked", [("currency", "currency_locked")])
    assert problem(invalid) == (422, "validation_failed", [("currency", "invalid_currency")])
    assert catalogue_state() == before

    changed = patch(api, f"/price-lists/{empty_id}", {"currency": "EUR"})

    assert (changed.status_code, changed.json()["currency"]) == (200, "EUR")


def test_patch_price_list_refusals_change_nothing(world):
    api = world.client()
    api.post("/price-lists", _body())
    before = catalogue_state()

    taken = patch(api, f"/price-lists/{world.price_list.pk}", {"code": "vip"})
    null_name = patch(api, f"/price-lists/{world.price_list.pk}", {"name": None})

    assert problem(taken) == (409, "code_taken", [("code", "code_taken")])
    assert problem(null_name) == (422, "invalid_request", [("name", "value_error")])
    assert catalogue_state() == before


def test_another_tenant_gets_404_for_every_price_list_action(world, other_world):
    list_id = world.price_list.pk
    theirs = other_world.client()
    before = catalogue_state()

    answers = [
        theirs.get(f"/price-lists/{list_id}"),
        patch(theirs, f"/price-lists/{list_id}", {"name": "Mine"}),
        theirs.get(f"/price-lists/{list_id}/prices"),
        theirs.send(
            "PUT",
            f"/price-lists/{list_id}/prices",
            '{"entries": [{"sku": "A-1", "tiers": [{"min_quantity": 1, "unit_price": "0.01"}]}]}',
        ),
    ]

    assert [problem(a) for a in answers] == [(404, "not_found", [])] * 4
    assert [p["id"] for p in theirs.get("/price-lists").json()["items"]] == [
        other_world.price_list.pk
    ]
    assert catalogue_state() == before
    assert PriceTier.objects.get(
        price_list=world.price_list, sku=world.skus["A-1"], min_quantity=1
    ).unit_price == Decimal("10.00")
