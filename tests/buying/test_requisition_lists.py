"""Requisition (saved) lists: saved by a company's users or by staff, priced when read,
added to a cart with a report of what could and could not be ordered today."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.buying.support import add_buyer, cart_lines, patch, second_company, snapshot


@pytest.fixture
def bob(world):
    return add_buyer(world, "bob@buyer.test")


def _make(api, name="Weekly", lines=None, path="/my/requisition-lists"):
    body = {
        "name": name,
        "lines": lines
        if lines is not None
        else [
            {"sku": "A-1", "quantity": 10, "note": "for the workshop"},
            {"sku": "B-2", "quantity": 12},
        ],
    }
    r = api.post(path, body)
    assert r.status_code == 201, r.content
    return r.json()


def test_a_saved_list_is_read_priced_now(world, bob):
    member_id, api = bob
    made = _make(api)

    assert made["name"] == "Weekly"
    assert made["owner_id"] == member_id
    assert made["company_id"] == world.company.pk
    assert [
        (ln["sku"], ln["quantity"], ln["unit_price"], ln["line_total"], ln["note"])
        for ln in made["lines"]
    ] == [
        ("A-1", 10, "9.00", "90.00", "for the workshop"),
        ("B-2", 12, "2.50", "30.00", ""),
    ]
    assert made["subtotal"] == "120.00"
    assert made["can_order"] is True
    assert api.get(f"/my/requisition-lists/{made['id']}").json() == made

    page = api.get("/my/requisition-lists").json()
    assert [(i["id"], i["name"], i["line_count"]) for i in page["items"]] == [
        (made["id"], "Weekly", 2)
    ]


def test_rename_replace_lines_and_delete(world, bob):
    api = bob[1]
    made = _make(api)
    path = f"/my/requisition-lists/{made['id']}"

    renamed = patch(api, path, {"name": "Monthly"}).json()
    assert renamed["name"] == "Monthly"
    assert len(renamed["lines"]) == 2

    replaced = patch(api, path, {"lines": [{"sku": "C-3", "quantity": 30}]})
    assert replaced.status_code == 200, replaced.content
    assert cart_lines(replaced.json()) == [("C-3", 30)]
    assert replaced.json()["name"] == "Monthly"

    assert api.send("DELETE", path).status_code == 204
    assert api.get(path).status_code == 404
    assert api.get("/my/requisition-lists").json()["items"] == []


def test_lines_naming_what_the_company_cannot_buy_are_refused_and_change_nothing(world, bob):
    api = bob[1]
    made = _make(api)
    before = snapshot(world)
    bad = [
        {"sku": "NOPE", "quantity": 1},
        {"sku": "A-1", "quantity": 0},
        {"sku": "C-3", "quantity": 1},
        {"sku": "C-3", "quantity": 2},
    ]

    created = api.post("/my/requisition-lists", {"name": "Bad", "lines": bad})
    replaced = patch(api, f"/my/requisition-lists/{made['id']}", {"name": "X", "lines": bad})

    for r in (created, replaced):
        assert r.status_code == 422, r.content
        assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
            ("lines[0].sku", "unknown_sku"),
            ("lines[1].quantity", "quantity_not_positive"),
            ("lines[2].sku", "duplicate_sku"),
            ("lines[3].sku", "duplicate_sku"),
        ]
    assert snapshot(world) == before


def test_a_list_may_hold_a_line_that_cannot_be_ordered_today_and_says_why(world, bob):
    api = bob[1]
    made = _make(api, lines=[{"sku": "B-2", "quantity": 3}])
    line = made["lines"][0]
    assert [p["code"] for p in line["problems"]] == ["below_minimum", "not_pack_multiple"]
    assert made["can_order"] is False


def test_only_the_maker_or_a_company_admin_changes_a_list(world, bob):
    api = bob[1]
    made = _make(api)
    path = f"/my/requisition-lists/{made['id']}"
    _, carol = add_buyer(world, "carol@buyer.test")
    _, admin = add_buyer(world, "ada@buyer.test", role="admin")
    before = snapshot(world)

    assert carol.get(path).status_code == 200  # the whole company sees it
    refused = patch(carol, path, {"name": "Mine"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_list_owner"
    assert carol.send("DELETE", path).status_code == 403
    assert snapshot(world) == before

    assert patch(admin, path, {"name": "Admin's"}).json()["name"] == "Admin's"
    assert (
        patch(
            world.client(), f"/companies/{world.company.pk}{path[3:]}", {"name": "Staff's"}
        ).json()["name"]
        == "Staff's"
    )


def test_another_company_or_tenant_never_reaches_a_list(world, other_world, bob):
    made = _make(bob[1])
    other, _ = second_company(world)
    _, dave = add_buyer(world, "dave@two.test", role="admin", company=other)
    path = f"/my/requisition-lists/{made['id']}"
    before = snapshot(world)

    assert dave.get(path).status_code == 404
    assert patch(dave, path, {"name": "Gotcha"}).status_code == 404
    assert dave.send("DELETE", path).status_code == 404
    assert dave.post(f"{path}/add-to-cart").status_code == 404
    assert dave.get("/my/requisition-lists").json()["items"] == []
    staff_path = f"/companies/{other.pk}/requisition-lists/{made['id']}"
    assert world.client().get(staff_path).status_code == 404  # not that company's
    intruder = other_world.client()
    assert (
        intruder.get(f"/companies/{world.company.pk}/requisition-lists/{made['id']}").status_code
        == 404
    )
    assert intruder.get(f"/companies/{world.company.pk}/requisition-lists").status_code == 404
    assert snapshot(world) == before


def test_add_to_cart_adds_what_can_be_ordered_and_reports_the_rest(world, bob):
    api = bob[1]
    made = _make(
        api,
        lines=[
            {"sku": "A-1", "quantity": 10},
            {"sku": "C-3", "quantity": 3},
            {"sku": "B-2", "quantity": 6},
        ],
    )
    world.client().post(f"/skus/{world.skus['C-3'].pk}/deactivate")
    api.post("/my/cart/lines", {"sku": "B-2", "quantity": 6})

    r = api.post(f"/my/requisition-lists/{made['id']}/add-to-cart")

    assert r.status_code == 200, r.content
    report = r.json()
    assert (report["added"], report["not_added"], report["currency"]) == (2, 1, "USD")
    rows = [
        (
            ln["sku"],
            ln["quantity"],
            ln["cart_quantity"],
            ln["previous_unit_price"],
            ln["current_unit_price"],
            ln["change"],
            ln["added"],
            [p["code"] for p in ln["problems"]],
        )
        for ln in report["lines"]
    ]
    assert rows == [
        ("A-1", 10, 10, None, "9.00", None, True, []),
        ("C-3", 3, 0, None, None, None, False, ["inactive_sku"]),
        ("B-2", 6, 12, None, "2.50", None, True, []),
    ]
    assert cart_lines(report["cart"]) == [("B-2", 12), ("A-1", 10)]
    assert report["cart"] == api.get("/my/cart").json()


def test_staff_keep_lists_for_a_company_and_fill_its_staff_cart(world, bob):
    staff = world.client()
    base = f"/companies/{world.company.pk}/requisition-lists"
    made = _make(staff, path=base)
    assert made["owner_id"] is None
    assert staff.get(base).json()["items"][0]["id"] == made["id"]
    assert bob[1].get(f"/my/requisition-lists/{made['id']}").status_code == 200

    r = staff.post(f"{base}/{made['id']}/add-to-cart", key="l1")
    assert r.status_code == 200, r.content
    assert cart_lines(staff.get(f"/companies/{world.company.pk}/cart").json()) == [
        ("A-1", 10),
        ("B-2", 12),
    ]
    assert bob[1].get("/my/cart").json()["lines"] == []
    replay = staff.post(f"{base}/{made['id']}/add-to-cart", key="l1")
    assert replay.json() == r.json()  # a retried add does not add twice
    assert cart_lines(staff.get(f"/companies/{world.company.pk}/cart").json())[0] == ("A-1", 10)
    assert staff.send("DELETE", f"{base}/{made['id']}").status_code == 204


def _queries(api, path):
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


def test_reading_lists_costs_the_same_queries_whatever_their_size(
    world, bob, django_assert_num_queries
):
    api = bob[1]
    small = _make(api, lines=[{"sku": "A-1", "quantity": 1}])
    big = _make(
        api,
        lines=[
            {"sku": "A-1", "quantity": 1},
            {"sku": "B-2", "quantity": 6},
            {"sku": "C-3", "quantity": 1},
            {"sku": "D-4", "quantity": 1},
        ],
    )
    one_line = _queries(api, f"/my/requisition-lists/{small['id']}")
    page = _queries(api, "/my/requisition-lists")
    _make(api, name="Third")

    with django_assert_num_queries(one_line):
        api.get(f"/my/requisition-lists/{big['id']}")
    with django_assert_num_queries(page):
        assert len(api.get("/my/requisition-lists").json()["items"]) == 3
