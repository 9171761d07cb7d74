from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.catalog.models import Sku
from dinghuo.pricing.models import PriceTier
from tests.catalog.support import catalogue_state, events_of, problem, put


def _ladder(*tiers):
    return [{"min_quantity": q, "unit_price": p} for q, p in tiers]


def _put(world, *entries):
    return put(
        world.client(), f"/price-lists/{world.price_list.pk}/prices", {"entries": list(entries)}
    )


def _stored(world, code):
    return [
        (t.min_quantity, str(t.unit_price))
        for t in PriceTier.objects.filter(
            price_list=world.price_list, sku=world.skus[code]
        ).order_by("min_quantity")
    ]


def test_read_prices_by_sku(world):
    api = world.client()

    first = api.get(f"/price-lists/{world.price_list.pk}/prices", limit=3).json()
    rest = api.get(f"/price-lists/{world.price_list.pk}/prices", after=first["next_cursor"]).json()

    assert first["currency"] == "USD"
    assert first["items"] == [
        {
            "sku_id": world.skus["A-1"].pk,
            "sku": "A-1",
            "tiers": _ladder((1, "10.00"), (10, "9.00"), (100, "8.00")),
        },
        {"sku_id": world.skus["B-2"].pk, "sku": "B-2", "tiers": _ladder((1, "2.50"))},
        {"sku_id": world.skus["C-3"].pk, "sku": "C-3", "tiers": _ladder((1, "0.3333"))},
    ]
    assert first["next_cursor"] == str(world.skus["C-3"].pk)
    assert ([i["sku"] for i in rest["items"]], rest["next_cursor"]) == (["D-4"], None)
    one = api.get(f"/price-lists/{world.price_list.pk}/prices", sku="B-2").json()
    assert [i["sku"] for i in one["items"]] == ["B-2"]


def test_replace_ladders_of_the_named_skus_only(world):
    r = _put(
        world,
        {"sku": "A-1", "tiers": _ladder((1, "12"), (50, "11.125"))},
        {"sku": "B-2", "tiers": _ladder((1, "2.5"))},
    )

    assert (r.status_code, r.json()) == (200, {"changed": 1, "unchanged": 1})
    assert _stored(world, "A-1") == [(1, "12.0000"), (50, "11.1250")]
    assert _stored(world, "B-2") == [(1, "2.5000")]
    assert _stored(world, "C-3") == [(1, "0.3333")]
    [event] = events_of("prices.changed")
    assert (event.aggregate_type, event.aggregate_id) == ("price_list", world.price_list.pk)
    assert event.payload == {
        "price_list": "std",
        "currency": "USD",
        "prices": [{"sku": "A-1", "tiers": _ladder((1, "12.00"), (50, "11.125"))}],
    }


def test_same_ladders_again_write_and_record_nothing(world):
    entry = {"sku": "A-1", "tiers": _ladder((1, "10"), (10, "9"), (100, "8.00"))}
    before = catalogue_state()

    r = _put(world, entry)

    assert r.json() == {"changed": 0, "unchanged": 1}
    assert catalogue_state() == before


def test_empty_ladder_removes_the_price(world):
    r = _put(world, {"sku": "C-3", "tiers": []})

    assert r.json() == {"changed": 1, "unchanged": 0}
    assert _stored(world, "C-3") == []
    codes = world.client().get(f"/price-lists/{world.price_list.pk}/prices").json()["items"]
    assert [i["sku"] for i in codes] == ["A-1", "B-2", "D-4"]


def test_bad_ladders_and_unknown_skus_are_all_reported_and_change_nothing(world, other_world):
    Sku.objects.filter(pk=other_world.skus["A-1"].pk).update(code="THEIRS")
    before = catalogue_state()

    r = _put(
        world,
        {"sku": "A-1", "tiers": _ladder((1, "10"), (1, "9"))},
        {"sku": "B-2", "tiers": _ladder((0, "2"))},
        {"sku": "C-3", "tiers": _ladder((1, "-0.01"))},
        {"sku": "D-4", "tiers": _ladder((5, "3"), (2, "2"))},
        {"sku": "NOPE", "tiers": _ladder((1, "1"))},
        {"sku": "THEIRS", "tiers": _ladder((1, "1"))},
        {"sku": "A-1", "tiers": []},
    )

    assert problem(r) == (
        422,
        "validation_failed",
        [
            ("entries[0].sku", "duplicate_sku"),
            ("entries[0].tiers", "invalid_tiers"),
            ("entries[1].tiers", "invalid_tiers"),
            ("entries[2].tiers", "invalid_tiers"),
            ("entries[3].tiers", "invalid_tiers"),
            ("entries[4].sku", "unknown_sku"),
            ("entries[5].sku", "unknown_sku"),
            ("entries[6].sku", "duplicate_sku"),
        ],
    )
    messages = [e["message"] for e in r.json()["errors"]]
    assert messages[1] == "tiers[1]: min_quantity must be higher than the tier before"
    assert messages[2] == "tiers[0]: min_quantity must be at least 1"
    assert messages[3] == "tiers[0]: unit_price must not be negative"
    assert catalogue_state() == before


def test_unit_prices_are_bounded_decimal_strings(world):
    before = catalogue_state()

    def refused(price):
        r = _put(world, {"sku": "A-1", "tiers": [{"min_quantity": 1, "unit_price": price}]})
        return problem(r)

    for price in ("1.00001", "1e3", "100000000000", "", " 1", "NaN"):
        assert refused(price) == (
            422,
            "invalid_request",
            [("entries[0].tiers[0].unit_price", "string_pattern_mismatch")],
        ), price
    assert refused(10) == (
        422,
        "invalid_request",
        [("entries[0].tiers[0].unit_price", "string_type")],
    )
    assert catalogue_state() == before

    r = _put(world, {"sku": "A-1", "tiers": _ladder((1, "99999999999.9999"))})

    assert r.status_code == 200
    assert _stored(world, "A-1") == [(1, "99999999999.9999")]


def test_request_size_is_bounded(world):
    before = catalogue_state()
    entry = {"sku": "A-1", "tiers": _ladder((1, "1"))}

    too_many_entries = _put(world, *[entry] * 1001)
    too_many_tiers = _put(
        world, {"sku": "A-1", "tiers": _ladder(*[(i, "1") for i in range(1, 22)])}
    )

    assert problem(too_many_entries) == (422, "invalid_request", [("entries", "too_long")])
    assert problem(too_many_tiers) == (422, "invalid_request", [("entries[0].tiers", "too_long")])
    assert catalogue_state() == before


def _queries_for(world, entries):
    with CaptureQueriesContext(connection) as queries:
        r = _put(world, *entries)
    assert r.status_code == 200, r.content
    return len(queries)


def test_replacing_prices_takes_the_same_queries_for_one_sku_or_fifty(world):
    # 50 two-tier ladders fit in one SQLite insert batch (999 parameters).
    product = world.skus["A-1"].product
    Sku.objects.bulk_create(
        Sku(tenant=world.tenant, seller=world.seller, product=product, code=f"X-{i}", name_en="")
        for i in range(50)
    )

    def entries(count, price):
        return [{"sku": f"X-{i}", "tiers": _ladder((1, price), (10, "1"))} for i in range(count)]

    assert _queries_for(world, entries(1, "2")) == _queries_for(world, entries(50, "3"))
    assert PriceTier.objects.filter(price_list=world.price_list, sku__code="X-49").count() == 2


def test_a_thousand_ladders_stay_within_a_fixed_query_budget(world, django_assert_max_num_queries):
    # 12 queries for one ladder (its audit entry one of them); SQLite splits 1,000 tiers into
    # batches of 199 (PostgreSQL sends one insert). An N+1 would need a thousand.
    product = world.skus["A-1"].product
    Sku.objects.bulk_create(
        Sku(tenant=world.tenant, seller=world.seller, product=product, code=f"X-{i}", name_en="")
        for i in range(1000)
    )
    entries = [{"sku": f"X-{i}", "tiers": _ladder((1, "4.5"))} for i in range(1000)]

    with django_assert_max_num_queries(17):
        r = _put(world, *entries)

    assert r.json() == {"changed": 1000, "unchanged": 0}
    assert PriceTier.objects.filter(price_list=world.price_list, unit_price="4.5").count() == 1000
