"""A stock count over the API: start, count blind, review, post; what moved during the count
is kept; bad input changes nothing."""

from dinghuo.integrations.models import Event
from dinghuo.inventory.models import StockMovement
from tests.backoffice.staffing import place
from tests.invariants import assert_stock_consistent
from tests.inventory.state import stock_state
from tests.stocktaking.support import lines, on_hand, put, role_client, start


def test_a_whole_count_has_every_sku_and_counting_is_blind(world):
    api = world.client()
    count = start(api, note="Year end")
    assert (count["status"], count["scope"], count["lines"]) == ("open", "whole", 4)
    assert count["reference"] == f"CNT-{count['id']:07d}"
    assert put(api, count["id"], "a-1", 97).status_code == 200  # codes as people type them
    shown = lines(api, count["id"])
    assert shown["A-1"]["counted"] == 97
    assert shown["A-1"]["on_hand_at_count"] is None and shown["A-1"]["variance"] is None
    assert api.get(f"/stock-counts/{count['id']}").json()["status"] == "counting"


def test_posting_adjusts_by_the_variance_with_the_count_as_reason(world):
    api = world.client()
    count = start(api)
    put(api, count["id"], "A-1", 97)  # 3 missing
    put(api, count["id"], "B-2", 100)  # as the ledger says
    put(api, count["id"], "C-3", 104)  # 4 found
    assert api.post(f"/stock-counts/{count['id']}/submit").status_code == 200
    shown = lines(api, count["id"], only_variances="true")
    assert {sku: line["variance"] for sku, line in shown.items()} == {"A-1": -3, "C-3": 4}
    posted = api.post(f"/stock-counts/{count['id']}/post")
    assert posted.status_code == 200, posted.json()
    assert posted.json()["status"] == "posted"
    assert (on_hand(world, "A-1"), on_hand(world, "B-2"), on_hand(world, "C-3")) == (97, 100, 104)
    rows = StockMovement.objects.filter(reference=count["reference"]).order_by("sku__code")
    assert [(r.sku.code, r.on_hand_delta, r.reason) for r in rows] == [
        ("A-1", -3, "stock count"),
        ("C-3", 4, "stock count"),
    ]
    assert Event.objects.filter(type="stock_count.posted", aggregate_id=count["id"]).exists()
    assert_stock_consistent(world.tenant.pk)


def test_an_order_shipped_between_counting_and_posting_is_kept(world):
    api = world.client()
    count = start(api)
    put(api, count["id"], "A-1", 98)  # ledger 100, shelf 98: 2 missing
    order = place(world, ("A-1", 10))
    assert api.post(f"/orders/{order.pk}/confirm").status_code == 200
    shipped = api.post(f"/orders/{order.pk}/shipments", {"carrier": "DHL", "tracking_number": "T1"})
    assert shipped.status_code == 201, shipped.json()
    assert on_hand(world, "A-1") == 90
    api.post(f"/stock-counts/{count['id']}/submit")
    assert api.post(f"/stock-counts/{count['id']}/post").status_code == 200
    assert on_hand(world, "A-1") == 88  # 98 on the shelf, 10 shipped since: never 98
    assert_stock_consistent(world.tenant.pk)


def test_a_recount_replaces_the_count_and_its_moment(world):
    api = world.client()
    count = start(api)
    put(api, count["id"], "A-1", 50)
    world.client().post(
        "/stock/receipts", {"warehouse": "main", "sku_id": world.skus["A-1"].pk, "quantity": 5}
    )
    put(api, count["id"], "A-1", 105)
    api.post(f"/stock-counts/{count['id']}/submit")
    assert lines(api, count["id"])["A-1"]["on_hand_at_count"] == 105
    assert lines(api, count["id"])["A-1"]["variance"] == 0


def test_lines_sent_back_are_counted_again(world):
    api = world.client()
    count = start(api)
    put(api, count["id"], "A-1", 50)
    put(api, count["id"], "B-2", 100)
    api.post(f"/stock-counts/{count['id']}/submit")
    line_id = lines(api, count["id"])["A-1"]["id"]
    back = api.post(f"/stock-counts/{count['id']}/recount", {"line_ids": [line_id]})
    assert back.status_code == 200 and back.json()["status"] == "counting"
    shown = lines(api, count["id"])
    assert shown["A-1"]["counted"] is None and shown["B-2"]["counted"] == 100
    assert put(api, count["id"], "A-1", 100).status_code == 200


def test_a_category_count_refuses_skus_outside_it(world):
    api = world.client()
    from dinghuo.catalog.models import Category, Product

    other = Category.objects.create(tenant=world.tenant, code="paint", name_en="Paint")
    Product.objects.filter(skus__code="D-4").update(category=other)
    count = start(api, category_ids=[other.pk])
    assert (count["scope"], count["lines"], count["category_ids"]) == (
        "categories",
        1,
        [other.pk],
    )
    before = stock_state()
    refused = put(api, count["id"], "A-1", 3)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "sku_out_of_scope"
    assert stock_state() == before


def test_bad_counts_are_refused_and_change_nothing(world):
    api = world.client()
    count = start(api)
    before = (stock_state(), lines(api, count["id"]))
    negative = put(api, count["id"], "A-1", -1)
    assert negative.status_code == 422
    assert negative.headers["Content-Type"] == "application/problem+json"
    assert negative.json()["errors"][0]["field"].endswith("counted")
    unknown = put(api, count["id"], "NOPE", 1)
    assert (unknown.status_code, unknown.json()["errors"][0]["code"]) == (422, "unknown_sku")
    assert (stock_state(), lines(api, count["id"])) == before


def test_a_posted_count_cannot_change(world):
    api = world.client()
    count = start(api)
    put(api, count["id"], "A-1", 90)
    api.post(f"/stock-counts/{count['id']}/submit")
    api.post(f"/stock-counts/{count['id']}/post")
    before = (stock_state(), lines(api, count["id"]))
    for response in (
        put(api, count["id"], "A-1", 1),
        api.post(f"/stock-counts/{count['id']}/post"),
        api.post(f"/stock-counts/{count['id']}/cancel"),
        api.post(f"/stock-counts/{count['id']}/recount", {"line_ids": []}),
    ):
        assert response.status_code == 409, response.json()
        assert response.json()["code"] == "invalid_count_status"
    assert (stock_state(), lines(api, count["id"])) == before


def test_a_count_below_what_orders_reserved_posts_nothing(world):
    api = world.client()
    place(world, ("A-1", 95))
    count = start(api)
    put(api, count["id"], "A-1", 90)  # 10 missing, but 95 are reserved
    put(api, count["id"], "C-3", 101)
    api.post(f"/stock-counts/{count['id']}/submit")
    before = stock_state()
    refused = api.post(f"/stock-counts/{count['id']}/post")
    assert refused.status_code == 409
    assert refused.json()["code"] == "below_reserved"
    assert refused.json()["errors"][0]["field"] == "lines[A-1].counted"
    assert stock_state() == before
    assert api.get(f"/stock-counts/{count['id']}").json()["status"] == "in_review"


def test_a_stale_if_match_posts_nothing(world):
    api = world.client()
    count = start(api)
    put(api, count["id"], "A-1", 90)
    submitted = api.post(f"/stock-counts/{count['id']}/submit")
    tag = api.get(f"/stock-counts/{count['id']}")["ETag"]
    assert submitted.status_code == 200
    api.post(f"/stock-counts/{count['id']}/recount", {"line_ids": []})
    stale = api.send("POST", f"/stock-counts/{count['id']}/cancel", None, **{"If-Match": tag})
    assert stale.status_code == 412
    assert api.get(f"/stock-counts/{count['id']}").json()["status"] == "counting"


def test_a_cancelled_count_leaves_stock_alone(world):
    api = world.client()
    count = start(api)
    put(api, count["id"], "A-1", 1)
    assert api.post(f"/stock-counts/{count['id']}/cancel").json()["status"] == "cancelled"
    assert on_hand(world, "A-1") == 100


def test_a_counter_counts_and_only_a_manager_posts(world):
    counter, manager = role_client(world, "warehouse"), role_client(world, "manager")
    count = start(counter)
    assert put(counter, count["id"], "A-1", 99).status_code == 200
    assert counter.post(f"/stock-counts/{count['id']}/submit").status_code == 200
    assert counter.post(f"/stock-counts/{count['id']}/post").status_code == 403
    assert (
        role_client(world, "sales").post("/stock-counts", {"warehouse": "main"}).status_code == 403
    )
    assert manager.post(f"/stock-counts/{count['id']}/post").status_code == 200
    assert on_hand(world, "A-1") == 99


def test_starting_twice_with_one_key_makes_one_count(world):
    api = world.client()
    first = api.post("/stock-counts", {"warehouse": "main"}, key="once")
    again = api.post("/stock-counts", {"warehouse": "main"}, key="once")
    assert first.json() == again.json()
    assert len(api.get("/stock-counts").json()["items"]) == 1
    unknown = api.post("/stock-counts", {"warehouse": "nowhere"})
    assert unknown.json()["errors"][0]["code"] == "unknown_warehouse"
