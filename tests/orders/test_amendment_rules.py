"""The pure rules of amending: who may amend when (the window's last second included), how
wanted lines become changes, and what each change does to stock."""

from datetime import UTC, datetime, timedelta

import pytest

from dinghuo.orders import amendment_rules as rules

PLACED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _order(status="confirmed", picking=False, shipped=False) -> rules.AmendingOrder:
    return rules.AmendingOrder(status, PLACED, picking, shipped)


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("credit_hold", True),
        ("awaiting_approval", True),
        ("placed", True),
        ("confirmed", True),
        ("partially_shipped", True),
        ("shipped", False),
        ("delivered", False),
        ("cancelled", False),
    ],
)
def test_staff_amend_every_order_not_yet_all_shipped(status, allowed):
    why = rules.refusal(_order(status), by_buyer=False, window_hours=0, now=PLACED)
    assert why == ("" if allowed else rules.NOT_AMENDABLE)


def test_staff_amend_after_picking_and_long_after_the_window():
    late = PLACED + timedelta(days=300)
    assert rules.refusal(_order(picking=True), by_buyer=False, window_hours=1, now=late) == ""


def test_the_buyers_window_includes_its_last_moment():
    end = PLACED + timedelta(hours=24)
    assert rules.refusal(_order(), by_buyer=True, window_hours=24, now=end) == ""
    after = end + timedelta(microseconds=1)
    assert rules.refusal(_order(), by_buyer=True, window_hours=24, now=after) == rules.WINDOW_CLOSED


def test_buyers_wait_for_nothing_but_stop_at_picking_or_a_shipment():
    now = PLACED + timedelta(minutes=5)
    assert rules.refusal(_order(picking=True), by_buyer=True, window_hours=24, now=now) == (
        rules.PICKING_STARTED
    )
    assert rules.refusal(_order(shipped=True), by_buyer=True, window_hours=24, now=now) == (
        rules.PICKING_STARTED
    )
    # A window of 0 hours: buyers never amend, even a second after placing.
    assert rules.refusal(_order(), by_buyer=True, window_hours=0, now=PLACED) == (
        rules.BUYERS_MAY_NOT
    )
    # A closed order says so before anything about the buyer.
    assert rules.refusal(_order("shipped"), by_buyer=True, window_hours=0, now=now) == (
        rules.NOT_AMENDABLE
    )
    assert rules.refusal(_order(), by_buyer=True, window_hours=1, now=now) == ""


def test_codes_are_the_stable_ones():
    assert (
        rules.NOT_AMENDABLE,
        rules.WINDOW_CLOSED,
        rules.PICKING_STARTED,
        rules.BUYERS_MAY_NOT,
    ) == ("order_not_amendable", "amend_window_closed", "picking_started", "buyer_amendments_off")


LINES = [
    rules.Line(1, "A", 10, shipped=4, backordered=2),
    rules.Line(2, "B", 5),
    rules.Line(3, "C", 1),
]


def test_wanted_lines_become_changes_matched_by_sku():
    found = rules.changes(LINES, [("B", 5), ("A", 12), ("D", 3)])
    assert [(c.sku, c.before, c.after, c.index) for c in found] == [
        ("A", 10, 12, 1),
        ("D", 0, 3, 2),
        ("C", 1, 0, None),
    ]
    assert [(c.added, c.removed, c.grows) for c in found] == [
        (False, False, True),
        (True, False, True),
        (False, True, False),
    ]
    assert found[0].line == LINES[0] and found[1].line is None
    assert rules.changes(LINES, [("A", 10), ("B", 5), ("C", 1)]) == []


def test_a_line_cannot_go_below_what_shipped():
    a = LINES[0]
    assert rules.below_shipped(rules.Change("A", 10, 3, a, 0))
    assert not rules.below_shipped(rules.Change("A", 10, 4, a, 0))
    assert rules.below_shipped(rules.Change("A", 10, 0, a))
    assert not rules.below_shipped(rules.Change("B", 5, 0, LINES[1]))
    assert not rules.below_shipped(rules.Change("D", 0, 2, None, 0))


def test_reserved_units_are_what_neither_shipped_nor_waits():
    assert LINES[0].reserved == 4  # 10 − 4 shipped − 2 backordered


@pytest.mark.parametrize(
    ("before", "after", "backordered", "move"),
    [
        (10, 12, 2, rules.StockMove(wanted=2)),
        (0, 3, 0, rules.StockMove(wanted=3)),
        (10, 9, 2, rules.StockMove(backorder_dropped=1)),
        (10, 8, 2, rules.StockMove(backorder_dropped=2)),
        (10, 7, 2, rules.StockMove(backorder_dropped=2, released=1)),
        (10, 0, 0, rules.StockMove(released=10)),
        (5, 3, 0, rules.StockMove(released=2)),
    ],
)
def test_what_a_change_does_to_stock(before, after, backordered, move):
    line = rules.Line(1, "A", before, backordered=backordered) if before else None
    assert rules.stock_move(rules.Change("A", before, after, line, 0)) == move
