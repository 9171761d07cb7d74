"""Bad input never yields a 500: a problem+json 4xx with a stable code, and nothing changes."""

import json

import pytest

from dinghuo.integrations.models import Event
from dinghuo.inventory.models import StockLevel, StockMovement
from dinghuo.orders.models import Order


def unchanged(world):
    return (
        Order.objects.count(),
        Event.objects.count(),
        StockMovement.objects.count(),
        sorted(StockLevel.objects.values_list("id", "on_hand", "reserved")),
    )


def good(world):
    return world.order_body(("A-1", 1))


def with_lines(world, count):
    body = good(world)
    body["lines"] = [{"sku": f"S{n}", "quantity": 1} for n in range(count)]
    return body


CASES = {
    "malformed json": lambda w: b'{"company_id": ',
    "not utf-8": lambda w: b'{"company_id": 1, "notes": "\xff\xfe"}',
    "lone surrogate": lambda w: b'{"notes": "\\ud800"}',
    "NaN": lambda w: b'{"company_id": NaN}',
    "nul in string": lambda w: json.dumps({**good(w), "notes": "a\u0000b"}).encode(),
    "array body": lambda w: b"[1, 2]",
    "empty body": lambda w: b"",
    "wrong type id": lambda w: {**good(w), "company_id": "one"},
    "number as string": lambda w: {**good(w), "lines": [{"sku": "A-1", "quantity": "1"}]},
    "float quantity": lambda w: {**good(w), "lines": [{"sku": "A-1", "quantity": 1.5}]},
    "bool quantity": lambda w: {**good(w), "lines": [{"sku": "A-1", "quantity": True}]},
    "huge quantity": lambda w: {**good(w), "lines": [{"sku": "A-1", "quantity": 10**12}]},
    "huger than 64 bits": lambda w: (
        json.dumps(good(w)).replace('"quantity": 1', '"quantity": ' + "9" * 40).encode()
    ),
    "huge id": lambda w: {**good(w), "company_id": 10**30},
    "negative id": lambda w: {**good(w), "company_id": -1},
    "unknown field": lambda w: {**good(w), "discount": "100%"},
    "unknown line field": lambda w: {
        **good(w),
        "lines": [{"sku": "A-1", "quantity": 1, "price": "0"}],
    },
    "lines not a list": lambda w: {**good(w), "lines": {"sku": "A-1"}},
    "missing lines": lambda w: {k: v for k, v in good(w).items() if k != "lines"},
    "ten thousand lines": lambda w: with_lines(w, 10_000),
    "empty lines": lambda w: {**good(w), "lines": []},
    "over-long sku": lambda w: {**good(w), "lines": [{"sku": "A" * 10_000, "quantity": 1}]},
    "over-long notes": lambda w: {**good(w), "notes": "x" * 100_000},
    "over-long po number": lambda w: {**good(w), "purchase_order_number": "x" * 65},
    "bad currency": lambda w: {**good(w), "currency": "dollars"},
    "null line": lambda w: {**good(w), "lines": [None]},
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_order_bodies(world, case):
    before = unchanged(world)
    body = CASES[case](world)
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    r = world.client().post("/orders", raw=raw, key=f"bad-{case}")
    assert 400 <= r.status_code < 500, (case, r.status_code, r.content[:300])
    assert r["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == r.status_code
    assert problem["code"] and problem["title"] and problem["detail"]
    assert unchanged(world) == before


def test_field_errors_name_the_field(world):
    r = world.client().place(
        {**good(world), "lines": [{"sku": "A-1", "quantity": "1"}], "extra": 1}
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"lines[0].quantity", "extra"}


def test_too_large_body_is_413(world):
    r = world.client().post(
        "/orders", raw=b'{"notes": "' + b"x" * (5 * 1024 * 1024) + b'"}', key="big"
    )
    assert (r.status_code, r.json()["code"]) == (413, "request_too_large")


@pytest.mark.parametrize(
    "path",
    [
        "/orders?status=lost",
        "/orders?limit=abc",
        "/orders?after=%00",
        "/orders/abc",
        "/orders/" + "9" * 40,
        "/events?after=-5",
    ],
)
def test_bad_query_and_path(world, path):
    r = world.client().get(path)
    assert 400 <= r.status_code < 500, (path, r.status_code)
    assert r["Content-Type"] == "application/problem+json"


def test_bad_idempotency_key(world):
    r = world.client().place(good(world), key="x" * 300)
    assert (r.status_code, r.json()["code"]) == (422, "invalid_idempotency_key")
    assert Order.objects.count() == 0


def test_unknown_route_and_method(world):
    api = world.client()
    assert api.get("/nothing-here").status_code == 404
    r = api.send("DELETE", "/orders")
    assert r.status_code == 405
    assert r["Content-Type"] == "application/problem+json"
