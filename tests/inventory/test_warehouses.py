import json

import pytest

from dinghuo.inventory.models import Warehouse
from tests.inventory.state import events_since, last_event_id, stock_state


def patch(api, path, body):
    return api.send("PATCH", path, json.dumps(body))


def test_list_and_read_warehouses(world):
    api = world.client()
    main, north = world.warehouses

    listed = api.get("/warehouses")
    read = api.get(f"/warehouses/{north.pk}")

    assert listed.status_code == 200
    assert listed.json() == {
        "items": [
            {
                "id": main.pk,
                "code": "main",
                "name": "Main",
                "priority": 1,
                "is_active": True,
                "address": "",
            },
            {
                "id": north.pk,
                "code": "north",
                "name": "North",
                "priority": 2,
                "is_active": True,
                "address": "",
            },
        ],
        "next_cursor": None,
    }
    assert read.json() == listed.json()["items"][1]
    assert api.get("/warehouses", limit=1).json()["next_cursor"] == str(main.pk)
    assert api.get("/warehouses/999999").status_code == 404


def test_create_a_warehouse(world):
    mark = last_event_id()

    body = {"code": "south-2", "name": "South", "priority": 5, "address": " 1 Dock Road "}
    r = world.client().post("/warehouses", body)

    assert r.status_code == 201, r.content
    warehouse = Warehouse.objects.get(tenant=world.tenant, code="south-2")
    assert r.json() == {
        "id": warehouse.pk,
        "code": "south-2",
        "name": "South",
        "priority": 5,
        "is_active": True,
        "address": "1 Dock Road",
    }
    [event] = events_since(mark)
    assert (event.type, event.aggregate_type, event.aggregate_id) == (
        "warehouse.created",
        "warehouse",
        warehouse.pk,
    )
    assert event.payload == {
        "warehouse": "south-2",
        "name": "South",
        "priority": 5,
        "is_active": True,
        "address": "1 Dock Road",
    }


def test_priority_defaults_to_100(world):
    r = world.client().post("/warehouses", {"code": "east", "name": "East"})

    assert (r.status_code, r.json()["priority"]) == (201, 100)


def test_create_is_idempotent_with_a_key(world):
    api = world.client()
    body = {"code": "east", "name": "East"}

    first = api.post("/warehouses", body, key="wh-1")
    again = api.post("/warehouses", body, key="wh-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Warehouse.objects.filter(tenant=world.tenant, code="east").count() == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"code": "main", "name": "Again"}, 409, "warehouse_code_taken"),
        ({"code": "has space", "name": "X"}, 422, "invalid_request"),
        ({"code": "lager/1", "name": "X"}, 422, "invalid_request"),
        ({"code": "w" * 33, "name": "X"}, 422, "invalid_request"),
        ({"code": "", "name": "X"}, 422, "invalid_request"),
        ({"code": "east", "name": ""}, 422, "invalid_request"),
        ({"code": "east", "name": "N" * 201}, 422, "invalid_request"),
        ({"code": "east", "name": "X", "priority": -1}, 422, "invalid_request"),
        ({"code": "east", "name": "X", "priority": 32_768}, 422, "invalid_request"),
        ({"code": "east", "name": "X", "priority": "1"}, 422, "invalid_request"),
        ({"code": "east", "name": "X", "is_active": False}, 422, "invalid_request"),
        ({"name": "X"}, 422, "invalid_request"),
    ],
)
def test_bad_warehouse_is_refused_and_changes_nothing(world, body, status, code):
    before = stock_state()

    r = world.client().post("/warehouses", body)

    assert r.status_code == status
    assert r.json()["code"] == code
    assert stock_state() == before


def test_patch_a_warehouse(world):
    north = world.warehouses[1]
    mark = last_event_id()

    r = patch(world.client(), f"/warehouses/{north.pk}", {"name": "North DC", "priority": 0})

    assert r.status_code == 200, r.content
    assert r.json() == {
        "id": north.pk,
        "code": "north",
        "name": "North DC",
        "priority": 0,
        "is_active": True,
        "address": "",
    }
    [event] = events_since(mark)
    assert event.type == "warehouse.updated"
    assert event.payload["changed"] == ["name", "priority"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"code": "main"}, 409, "warehouse_code_taken"),
        ({"code": "no good"}, 422, "invalid_request"),
        ({"priority": 40_000}, 422, "invalid_request"),
        ({"name": None}, 422, "invalid_request"),
        ({"on_hand": 5}, 422, "invalid_request"),
    ],
)
def test_bad_patch_changes_nothing(world, body, status, code):
    before = stock_state()

    r = patch(world.client(), f"/warehouses/{world.warehouses[1].pk}", body)

    assert r.status_code == status
    assert r.json()["code"] == code
    assert stock_state() == before


def test_orders_reserve_from_the_first_active_warehouse_by_priority(world):
    api = world.client()
    main = world.warehouses[0]
    a1 = world.skus["A-1"].pk
    receipt = {"warehouse": "north", "sku_id": a1, "quantity": 50, "reference": "GRN-1"}
    assert api.post("/stock/receipts", receipt).status_code == 201

    off = patch(api, f"/warehouses/{main.pk}", {"is_active": False})
    placed = api.place(world.order_body(("A-1", 10)), key="o-1")

    assert (off.status_code, off.json()["is_active"]) == (200, False)
    assert placed.status_code == 201, placed.content
    levels = {
        row["warehouse"]: row["reserved"] for row in api.get("/stock", sku_id=a1).json()["items"]
    }
    assert levels == {"main": 0, "north": 10}
    assert [w["code"] for w in api.get("/warehouses", is_active="false").json()["items"]] == [
        "main"
    ]


def test_read_only_key_cannot_write_warehouses(world):
    api = world.client(world.read_key)
    before = stock_state()

    answers = [
        api.post("/warehouses", {"code": "east", "name": "East"}),
        api.send("PATCH", f"/warehouses/{world.warehouses[0].pk}", json.dumps({"name": "X"})),
    ]

    assert [(r.status_code, r.json()["code"]) for r in answers] == [(403, "insufficient_scope")] * 2
    assert stock_state() == before
    assert api.get("/warehouses").status_code == 200
