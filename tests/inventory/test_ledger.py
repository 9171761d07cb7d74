"""The ledger, read through the API, accounts for every unit the levels show."""

from collections import Counter

from tests.inventory.state import all_pages


def test_ledger_sums_exactly_to_the_levels(world):
    api = world.client()
    sku = {code: s.pk for code, s in world.skus.items()}
    receipts = [
        ("north", "A-1", 40),
        ("north", "C-3", 15),
        ("main", "D-4", 10),
        ("main", "A-1", 5),
    ]
    for n, (warehouse, code, quantity) in enumerate(receipts):
        r = api.post(
            "/stock/receipts",
            {
                "warehouse": warehouse,
                "sku_id": sku[code],
                "quantity": quantity,
                "reference": f"GRN-{n}",
            },
        )
        assert r.status_code == 201, r.content
    for warehouse, code, delta in [("main", "A-1", -7), ("north", "C-3", 4), ("main", "B-2", -12)]:
        r = api.post(
            "/stock/adjustments",
            {"warehouse": warehouse, "sku_id": sku[code], "delta": delta, "reason": "count"},
        )
        assert r.status_code == 201, r.content
    # 110 units of A-1 need both warehouses: 98 from main (priority 1), 12 from north.
    placed = api.place(world.order_body(("A-1", 110), ("B-2", 24), ("D-4", 3)))
    assert placed.status_code == 201, placed.content

    levels = {
        (row["sku"], row["warehouse"]): (row["on_hand"], row["reserved"], row["available"])
        for row in all_pages(api, "/stock", limit=2)
    }
    movements = all_pages(api, "/stock/movements", limit=3)
    on_hand: Counter[tuple[str, str]] = Counter()
    reserved: Counter[tuple[str, str]] = Counter()
    for m in movements:
        on_hand[(m["sku"], m["warehouse"])] += m["on_hand_delta"]
        reserved[(m["sku"], m["warehouse"])] += m["reserved_delta"]

    assert levels == {
        ("A-1", "main"): (98, 98, 0),
        ("B-2", "main"): (88, 24, 64),
        ("C-3", "main"): (100, 0, 100),
        ("A-1", "north"): (40, 12, 28),
        ("C-3", "north"): (19, 0, 19),
        ("D-4", "main"): (10, 3, 7),
    }
    assert {
        key: (on_hand[key], reserved[key], on_hand[key] - reserved[key]) for key in on_hand
    } == levels
    assert len(movements) == 3 + 4 + 3 + 4  # opening receipts, receipts, adjustments, reservations
