import pytest

from dinghuo.inventory.models import StockLevel
from tests.inventory.state import all_pages, events_since, last_event_id, stock_state


def receipt(world, sku="A-1", **extra):
    return {"warehouse": "main", "sku_id": world.skus[sku].pk, "quantity": 5, **extra}


def adjustment(world, sku="A-1", **extra):
    return {
        "warehouse": "main",
        "sku_id": world.skus[sku].pk,
        "delta": -3,
        "reason": "stock count",
        **extra,
    }


def level_of(world, sku, warehouse="main"):
    return StockLevel.objects.get(sku=world.skus[sku], warehouse__code=warehouse)


def test_list_stock_levels_with_filters(world):
    api = world.client()
    a1, b2 = world.skus["A-1"], world.skus["B-2"]
    assert api.post("/stock/receipts", receipt(world, warehouse="north")).status_code == 201

    everything = api.get("/stock")
    assert everything.status_code == 200
    assert [(r["sku"], r["warehouse"], r["on_hand"]) for r in everything.json()["items"]] == [
        ("A-1", "main", 100),
        ("B-2", "main", 100),
        ("C-3", "main", 100),
        ("A-1", "north", 5),
    ]
    assert everything.json()["items"][1] == {
        "id": level_of(world, "B-2").pk,
        "sku_id": b2.pk,
        "sku": "B-2",
        "warehouse": "main",
        "on_hand": 100,
        "reserved": 0,
        "available": 100,
    }

    def rows(**params):
        return [(r["sku"], r["warehouse"]) for r in api.get("/stock", **params).json()["items"]]

    assert rows(sku_id=a1.pk) == [("A-1", "main"), ("A-1", "north")]
    assert rows(sku="A-1", warehouse="north") == [("A-1", "north")]
    assert rows(warehouse="north") == [("A-1", "north")]
    assert rows(sku="Z-9") == []
    assert len(all_pages(api, "/stock", limit=1)) == 4


@pytest.mark.parametrize(
    "params", [{"sku_id": "x"}, {"sku_id": 0}, {"limit": 0}, {"after": "-1"}, {"sku": "s" * 65}]
)
def test_bad_stock_filters_are_refused(world, params):
    r = world.client().get("/stock", **params)

    assert r.status_code == 422
    assert r.json()["code"] in {"invalid_request", "invalid_cursor"}


def test_stock_of_one_sku_per_warehouse_and_in_total(world):
    api = world.client()
    a1 = world.skus["A-1"]
    api.post("/stock/receipts", receipt(world, warehouse="north", quantity=20))
    assert api.place(world.order_body(("A-1", 30))).status_code == 201

    r = api.get(f"/skus/{a1.pk}/stock")

    assert r.status_code == 200
    assert r.json() == {
        "sku_id": a1.pk,
        "sku": "A-1",
        "on_hand": 120,
        "reserved": 30,
        "available": 90,
        "warehouses": [
            {
                "warehouse": "main",
                "warehouse_is_active": True,
                "on_hand": 100,
                "reserved": 30,
                "available": 70,
            },
            {
                "warehouse": "north",
                "warehouse_is_active": True,
                "on_hand": 20,
                "reserved": 0,
                "available": 20,
            },
        ],
    }


def test_a_sku_never_stocked_has_no_levels(world):
    d4 = world.skus["D-4"]

    r = world.client().get(f"/skus/{d4.pk}/stock")

    assert r.json() == {
        "sku_id": d4.pk,
        "sku": "D-4",
        "on_hand": 0,
        "reserved": 0,
        "available": 0,
        "warehouses": [],
    }


def test_stock_of_an_unknown_sku_is_not_found(world):
    r = world.client().get("/skus/999999/stock")

    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_receive_stock_answers_the_new_level_and_writes_the_ledger(world):
    api = world.client()
    mark = last_event_id()

    r = api.post("/stock/receipts", receipt(world, quantity=25, reference="GRN-7", reason="PO 12"))

    assert r.status_code == 201, r.content
    assert r.json() == {
        "id": level_of(world, "A-1").pk,
        "sku_id": world.skus["A-1"].pk,
        "sku": "A-1",
        "warehouse": "main",
        "on_hand": 125,
        "reserved": 0,
        "available": 125,
    }
    last = api.get("/stock/movements", reference="GRN-7").json()["items"]
    assert [
        (m["kind"], m["sku"], m["warehouse"], m["on_hand_delta"], m["reserved_delta"], m["reason"])
        for m in last
    ] == [("receipt", "A-1", "main", 25, 0, "PO 12")]
    [event] = events_since(mark)
    assert event.type == "stock.changed"
    assert event.payload == {
        "reference": "GRN-7",
        "levels": [
            {"sku": "A-1", "warehouse": "main", "on_hand": 125, "reserved": 0, "available": 125}
        ],
    }


def test_first_receipt_into_a_warehouse_creates_its_level(world):
    r = world.client().post("/stock/receipts", receipt(world, sku="D-4", warehouse="north"))

    assert r.status_code == 201
    assert (r.json()["sku"], r.json()["warehouse"], r.json()["on_hand"]) == ("D-4", "north", 5)


def test_a_retried_receipt_is_counted_once(world):
    api = world.client()

    first = api.post("/stock/receipts", receipt(world, quantity=7), key="grn-9")
    again = api.post("/stock/receipts", receipt(world, quantity=7), key="grn-9")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert level_of(world, "A-1").on_hand == 107


@pytest.mark.parametrize(
    ("change", "status", "code", "fields"),
    [
        ({"quantity": 0}, 422, "validation_failed", ["quantity"]),
        ({"quantity": -5}, 422, "validation_failed", ["quantity"]),
        ({"quantity": 1_000_000_000}, 422, "validation_failed", ["quantity"]),
        (
            {"quantity": 0, "warehouse": "nowhere", "sku_id": 999_999},
            422,
            "validation_failed",
            ["quantity", "warehouse", "sku_id"],
        ),
        ({"quantity": 1_000_000_001}, 422, "invalid_request", ["quantity"]),
        ({"quantity": "5"}, 422, "invalid_request", ["quantity"]),
        ({"quantity": 1.5}, 422, "invalid_request", ["quantity"]),
        ({"sku_id": 0}, 422, "invalid_request", ["sku_id"]),
        ({"reference": "R" * 65}, 422, "invalid_request", ["reference"]),
        ({"reason": "R" * 201}, 422, "invalid_request", ["reason"]),
        ({"on_hand": 5}, 422, "invalid_request", ["on_hand"]),
        ({"warehouse": "nowhere"}, 422, "validation_failed", ["warehouse"]),
        ({"sku_id": 999_999}, 422, "validation_failed", ["sku_id"]),
    ],
)
def test_bad_receipt_is_refused_and_changes_nothing(world, change, status, code, fields):
    before = stock_state()

    r = world.client().post("/stock/receipts", receipt(world, **change))

    assert r.status_code == status
    assert r.json()["code"] == code
    assert [e["field"] for e in r.json().get("errors", [])] == fields
    assert stock_state() == before


def test_adjust_stock_down_and_up(world):
    api = world.client()

    down = api.post("/stock/adjustments", adjustment(world, delta=-8, reason="damaged"))
    up = api.post("/stock/adjustments", adjustment(world, delta=3, reason="found in count"))

    assert (down.status_code, down.json()["on_hand"]) == (201, 92)
    assert (up.status_code, up.json()["on_hand"], up.json()["available"]) == (201, 95, 95)
    moves = api.get("/stock/movements", kind="adjustment").json()["items"]
    assert [(m["on_hand_delta"], m["reason"]) for m in moves] == [
        (-8, "damaged"),
        (3, "found in count"),
    ]


def test_stock_cannot_be_adjusted_below_what_orders_reserved(world):
    api = world.client()
    assert api.place(world.order_body(("A-1", 60))).status_code == 201
    before = stock_state()

    refused = api.post("/stock/adjustments", adjustment(world, delta=-41))

    assert refused.status_code == 409
    assert refused.json()["code"] == "below_reserved"
    assert stock_state() == before
    allowed = api.post("/stock/adjustments", adjustment(world, delta=-40))
    assert allowed.status_code == 201
    assert (allowed.json()["on_hand"], allowed.json()["reserved"], allowed.json()["available"]) == (
        60,
        60,
        0,
    )


def test_stock_cannot_be_adjusted_below_zero(world):
    before = stock_state()

    r = world.client().post("/stock/adjustments", adjustment(world, delta=-101))

    assert r.status_code == 409
    assert r.json()["code"] == "below_reserved"
    assert stock_state() == before


@pytest.mark.parametrize(
    ("change", "status", "code", "fields"),
    [
        ({"delta": 0}, 422, "validation_failed", ["delta"]),
        ({"reason": "  "}, 422, "validation_failed", ["reason"]),
        ({"delta": 0, "reason": ""}, 422, "validation_failed", ["delta", "reason"]),
        ({"delta": "-1"}, 422, "invalid_request", ["delta"]),
        ({"delta": -1_000_000_001}, 422, "invalid_request", ["delta"]),
        ({"reason": None}, 422, "invalid_request", ["reason"]),
        ({"warehouse": "nowhere"}, 422, "validation_failed", ["warehouse"]),
        ({"sku_id": 999_999}, 422, "validation_failed", ["sku_id"]),
    ],
)
def test_bad_adjustment_is_refused_and_changes_nothing(world, change, status, code, fields):
    before = stock_state()

    r = world.client().post("/stock/adjustments", adjustment(world, **change))

    assert r.status_code == status
    assert r.json()["code"] == code
    assert [e["field"] for e in r.json().get("errors", [])] == fields
    assert stock_state() == before


def test_an_adjustment_needs_a_reason(world):
    body = adjustment(world)
    del body["reason"]
    before = stock_state()

    r = world.client().post("/stock/adjustments", body)

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("reason", "missing")]
    assert stock_state() == before


def test_movements_filter_by_sku_warehouse_and_kind(world):
    api = world.client()
    a1, c3 = world.skus["A-1"], world.skus["C-3"]
    api.post("/stock/receipts", receipt(world, warehouse="north", reference="GRN-2"))
    api.post("/stock/adjustments", adjustment(world, sku="C-3", reference="CNT-1"))
    assert api.place(world.order_body(("C-3", 2))).status_code == 201

    def moves(**params):
        r = api.get("/stock/movements", **params)
        assert r.status_code == 200, r.content
        return [(m["kind"], m["sku"], m["warehouse"]) for m in r.json()["items"]]

    assert moves(sku_id=a1.pk) == [("receipt", "A-1", "main"), ("receipt", "A-1", "north")]
    assert moves(warehouse="north") == [("receipt", "A-1", "north")]
    assert moves(sku_id=c3.pk, kind="adjustment") == [("adjustment", "C-3", "main")]
    assert moves(sku="C-3") == [
        ("receipt", "C-3", "main"),
        ("adjustment", "C-3", "main"),
        ("reservation", "C-3", "main"),
    ]
    [reservation] = api.get("/stock/movements", kind="reservation").json()["items"]
    assert (reservation["on_hand_delta"], reservation["reserved_delta"]) == (0, 2)
    assert reservation["reference"].startswith("order:")
    assert api.get("/stock/movements", kind="theft").status_code == 422


def test_read_only_key_reads_stock_but_cannot_change_it(world):
    api = world.client(world.read_key)
    before = stock_state()

    answers = [
        api.post("/stock/receipts", receipt(world)),
        api.post("/stock/adjustments", adjustment(world)),
    ]

    assert [(r.status_code, r.json()["code"]) for r in answers] == [(403, "insufficient_scope")] * 2
    assert stock_state() == before
    for path in ["/stock", f"/skus/{world.skus['A-1'].pk}/stock", "/stock/movements"]:
        assert api.get(path).status_code == 200, path
