"""Contract prices: a company's own ladder for a SKU over a period, never overlapping."""

from django.utils import timezone

from dinghuo.pricing.models import ContractPrice
from tests.catalog.support import events_of, patch, problem
from tests.pricing.support import ladder, pricing_state


def _path(world):
    return f"/companies/{world.company.pk}/contract-prices"


def _create(world, sku="A-1", since="2020-01-01", until=None, tiers=((1, "7.50"),), **extra):
    body = {
        "sku_id": world.skus[sku].pk,
        "valid_from": since,
        "valid_until": until,
        "tiers": ladder(*tiers),
        **extra,
    }
    return world.client().post(_path(world), body)


def _explain(world, quantity):
    r = world.client().get(
        f"/companies/{world.company.pk}/price-explanation", sku="A-1", quantity=quantity
    )
    return r.json()


def test_a_contract_price_wins_over_the_lists_for_the_quantities_it_prices(world):
    r = _create(world, tiers=((5, "7.50"), (50, "7.00")), reference="K-2020-7")

    assert r.status_code == 201, r.content
    body = r.json()
    assert body == {
        "id": body["id"],
        "company_id": world.company.pk,
        "sku_id": world.skus["A-1"].pk,
        "sku": "A-1",
        "valid_from": "2020-01-01",
        "valid_until": None,
        "reference": "K-2020-7",
        "currency": "USD",
        "tiers": ladder((5, "7.50"), (50, "7.00")),
    }
    below = _explain(world, 4)
    assert (below["source"], below["unit_price"]) == ("price_list", "10.00")
    at_five = _explain(world, 5)
    assert (at_five["source"], at_five["reference"], at_five["unit_price"], at_five["tier"]) == (
        "contract",
        "K-2020-7",
        "7.50",
        5,
    )
    assert at_five["line_total"] == "37.50"
    [event] = events_of("contract_price.created")
    assert (event.aggregate_type, event.aggregate_id) == ("company", world.company.pk)
    assert event.payload == {
        "company": "C001",
        "contract_id": body["id"],
        "sku": "A-1",
        "reference": "K-2020-7",
        "valid_from": "2020-01-01",
        "valid_until": None,
        "currency": "USD",
        "tiers": [
            {"min_quantity": 5, "unit_price": "7.50"},
            {"min_quantity": 50, "unit_price": "7.00"},
        ],
    }


def test_list_read_change_and_delete(world):
    api = world.client()
    first = _create(world, since="2020-01-01", until="2020-12-31").json()
    second = _create(world, since="2021-01-01").json()
    other_sku = _create(world, sku="B-2").json()

    everything = api.get(_path(world)).json()
    only_a1 = api.get(_path(world), sku_id=world.skus["A-1"].pk).json()

    assert [c["id"] for c in everything["items"]] == [first["id"], second["id"], other_sku["id"]]
    assert [c["id"] for c in only_a1["items"]] == [first["id"], second["id"]]
    assert api.get(f"/contract-prices/{first['id']}").json() == first

    r = patch(api, f"/contract-prices/{second['id']}", {"tiers": ladder((1, "6.90"))})
    assert (r.status_code, r.json()["tiers"]) == (200, ladder((1, "6.90")))
    r = patch(api, f"/contract-prices/{second['id']}", {"valid_until": "2021-06-30"})
    assert r.json()["valid_until"] == "2021-06-30"
    r = patch(api, f"/contract-prices/{second['id']}", {"valid_until": None})
    assert r.json()["valid_until"] is None
    assert [e.payload["changed"] for e in events_of("contract_price.changed")] == [
        ["tiers"],
        ["valid_until"],
        ["valid_until"],
    ]
    same = patch(api, f"/contract-prices/{second['id']}", {"reference": ""})
    assert same.status_code == 200
    assert len(events_of("contract_price.changed")) == 3

    assert api.send("DELETE", f"/contract-prices/{first['id']}").status_code == 204
    assert problem(api.get(f"/contract-prices/{first['id']}"))[:2] == (404, "not_found")
    [deleted] = events_of("contract_price.deleted")
    assert deleted.payload["contract_id"] == first["id"]


def test_an_overlapping_period_is_a_conflict_that_names_the_other_contract(world):
    kept = _create(world, since="2024-01-01", until="2024-12-31").json()
    before = pricing_state()

    for since, until in [
        ("2024-12-31", None),
        ("2023-01-01", "2024-01-01"),
        ("2024-03-01", "2024-03-31"),
        ("2020-01-01", None),
    ]:
        r = _create(world, since=since, until=until)
        assert problem(r) == (
            409,
            "contract_period_overlap",
            [("valid_from", "contract_period_overlap")],
        )
        assert r.json()["errors"][0]["contract_id"] == kept["id"]
    assert pricing_state() == before
    # the day after is free, and another SKU never overlaps
    assert _create(world, since="2025-01-01").status_code == 201
    assert _create(world, sku="B-2", since="2024-06-01").status_code == 201


def test_moving_a_period_onto_another_is_refused_too(world):
    first = _create(world, since="2024-01-01", until="2024-06-30").json()
    second = _create(world, since="2024-07-01", until="2024-12-31").json()
    before = pricing_state()

    r = patch(world.client(), f"/contract-prices/{second['id']}", {"valid_from": "2024-06-30"})

    assert problem(r)[:2] == (409, "contract_period_overlap")
    assert r.json()["errors"][0]["contract_id"] == first["id"]
    assert pricing_state() == before


def test_bad_input_is_refused_with_a_code_and_changes_nothing(world, other_world):
    before = pricing_state()

    cases = [
        (
            {"tiers": ((1, "7.00"), (10, "6.00"), (5, "5.00"))},
            [("tiers[2].min_quantity", "tiers_not_rising")],
        ),
        ({"tiers": ((0, "7.00"),)}, [("tiers[0].min_quantity", "tier_below_one")]),
        ({"tiers": ((1, "-1"),)}, [("tiers[0].unit_price", "negative_price")]),
        ({"tiers": ()}, [("tiers", "no_tiers")]),
        (
            {"since": "2024-02-01", "until": "2024-01-31"},
            [("valid_until", "period_reversed")],
        ),
    ]
    for kw, errors in cases:
        assert problem(_create(world, **kw)) == (422, "validation_failed", errors), kw
    r = world.client().post(
        _path(world),
        {
            "sku_id": other_world.skus["A-1"].pk,
            "valid_from": "2024-01-01",
            "tiers": ladder((1, "1")),
        },
    )
    assert problem(r) == (422, "validation_failed", [("sku_id", "unknown_sku")])
    assert problem(_create(world, since="2024-13-01"))[:2] == (422, "invalid_request")
    assert pricing_state() == before


def test_another_tenants_company_and_contracts_are_not_found(world, other_world):
    mine = _create(world).json()
    theirs = other_world.client()
    body = {"sku_id": world.skus["A-1"].pk, "valid_from": "2030-01-01", "tiers": ladder((1, "1"))}

    assert problem(theirs.post(_path(world), body))[:2] == (404, "not_found")
    assert problem(theirs.get(_path(world)))[:2] == (404, "not_found")
    assert problem(theirs.get(f"/contract-prices/{mine['id']}"))[:2] == (404, "not_found")
    r = patch(theirs, f"/contract-prices/{mine['id']}", {"reference": "x"})
    assert problem(r)[:2] == (404, "not_found")
    assert problem(theirs.send("DELETE", f"/contract-prices/{mine['id']}"))[:2] == (
        404,
        "not_found",
    )
    assert ContractPrice.objects.get().reference == ""


def test_a_contract_is_valid_through_its_last_day(world):
    today = timezone.now().date()
    _create(world, since=str(today), until=str(today))

    assert _explain(world, 1)["source"] == "contract"
