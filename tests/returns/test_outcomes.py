"""Receiving a return (each line's fate moves stock through inventory, the ledger still sums
to the levels) and closing it (a credit note at the frozen prices with tax, less the
restocking fee on the lines whose reason bears it; a refund of what the credit freed)."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError

from dinghuo.billing.models import CreditNote, Invoice, Payment
from dinghuo.core import clock
from dinghuo.core.errors import ValidationFailed
from dinghuo.integrations.models import Event
from dinghuo.inventory.models import StockLevel, StockMovement, Warehouse
from dinghuo.inventory.services import receive_stock
from dinghuo.orders.models import OrderLine
from dinghuo.returns import policy
from dinghuo.returns.models import ReturnPolicy, ReturnReason, ReturnRequest
from tests.billing.support import pay, taxed_in_singapore
from tests.invariants import assert_stock_consistent
from tests.returns.support import ask, days_after_today, delivered_order, set_policy

D = Decimal


def _level(world, sku: str, warehouse: str = "main") -> tuple[int, int]:
    level = StockLevel.objects.get(sku=world.skus[sku], warehouse__code=warehouse)
    return level.on_hand, level.available


def _receive(world, return_id: int, *lines: tuple[int, int, str | None]):
    body = {"lines": [{"line_number": n, "received_quantity": q, "fate": f} for n, q, f in lines]}
    return world.client().post(f"/returns/{return_id}/receive", body)


def _approved(world, order_id: int, *lines: tuple[int, int, str]) -> int:
    r = ask(world, order_id, *lines)
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "approved"
    return r.json()["id"]


def test_restock_puts_units_back_and_scrap_writes_them_off(world):
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5), ("C-3", 3))
    assert _level(world, "A-1") == (95, 95)
    assert _level(world, "C-3") == (97, 97)
    return_id = _approved(world, order_id, (1, 2, "not_needed"), (2, 1, "damaged"))
    r = _receive(world, return_id, (1, 2, "restock"), (2, 1, "scrap"))
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "received"
    assert [(x["received_quantity"], x["fate"], x["warehouse"]) for x in r.json()["lines"]] == [
        (2, "restock", "main"),
        (1, "scrap", "main"),
    ]
    assert _level(world, "A-1") == (97, 97)
    assert _level(world, "C-3") == (97, 97)
    # The ledger says the scrapped unit came back and was written off.
    scrap = StockMovement.objects.filter(sku=world.skus["C-3"], reference="RMA-000001")
    assert sorted(scrap.values_list("kind", "on_hand_delta")) == [
        ("adjustment", -1),
        ("receipt", 1),
    ]
    assert_stock_consistent(world.tenant.pk)
    assert Event.objects.filter(type="return.received").count() == 1


def test_quarantine_holds_units_where_orders_do_not_reserve(world):
    quarantine = Warehouse.objects.create(
        tenant=world.tenant, code="quarantine", name="Quarantine", is_active=False
    )
    order_id = delivered_order(world, ("A-1", 5))
    set_policy(world)
    return_id = _approved(world, order_id, (1, 2, "damaged"))
    r = _receive(world, return_id, (1, 2, "quarantine"))
    body = r.json()
    assert body["code"] == "quarantine_not_set"
    assert ReturnRequest.objects.get().status == "approved"
    set_policy(world, quarantine_warehouse="quarantine")
    assert _receive(world, return_id, (1, 2, "quarantine")).status_code == 200
    assert _level(world, "A-1", "quarantine") == (2, 2)
    assert _level(world, "A-1") == (95, 95)
    # The quarantined units are not offered to orders: 95 are, 96 are not.
    too_many = world.client().place(world.order_body(("A-1", 96)), key="more")
    assert too_many.status_code == 409
    assert quarantine.is_active is False
    assert_stock_consistent(world.tenant.pk)


def test_an_active_warehouse_cannot_be_the_quarantine(world):
    body = {"window_days": 30, "quarantine_warehouse": "north"}
    r = world.client().send("PUT", "/return-policy", json.dumps(body))
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "quarantine_warehouse_active"
    assert world.client().get("/return-policy").json()["quarantine_warehouse"] is None
    body = {
        "window_days": 14,
        "restocking_fee_percent": "12.5",
        "non_returnable_categories": ["tools"],
        "auto_approve_limit": "250.00",
    }
    r = world.client().send("PUT", "/return-policy", json.dumps(body))
    assert r.status_code == 200, r.json()
    assert r.json() == {
        "seller": world.seller.slug,
        "window_days": 14,
        "restocking_fee_percent": "12.50",
        "non_returnable_categories": ["tools"],
        "auto_approve_limit": "250.00",
        "quarantine_warehouse": None,
        "ship_exchange_at_once": False,
        "fee_reasons": ["not_needed", "other"],
    }


def test_to_supplier_moves_no_stock_and_nothing_received_is_allowed(world):
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5), ("C-3", 3))
    movements = StockMovement.objects.count()
    return_id = _approved(world, order_id, (1, 2, "defective"), (2, 1, "damaged"))
    r = _receive(world, return_id, (1, 2, "to_supplier"), (2, 0, None))
    assert r.status_code == 200, r.json()
    assert [(x["received_quantity"], x["fate"]) for x in r.json()["lines"]] == [
        (2, "to_supplier"),
        (0, None),
    ]
    assert StockMovement.objects.count() == movements
    # The unit that never came back may be asked back again; the two received may not.
    assert ask(world, order_id, (2, 3, "damaged")).status_code == 201
    r = ask(world, order_id, (1, 4, "damaged"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["returnable"] == 3


def test_receiving_checks_every_line_and_changes_nothing_when_wrong(world):
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5), ("C-3", 3))
    return_id = _approved(world, order_id, (1, 2, "defective"), (2, 1, "damaged"))
    movements = StockMovement.objects.count()
    r = _receive(world, return_id, (1, 3, "restock"))
    assert r.status_code == 422
    assert [e["code"] for e in r.json()["errors"]] == [
        "exceeds_requested_quantity",
        "line_not_inspected",
    ]
    r = _receive(world, return_id, (1, 1, None), (2, 1, "restock"))
    assert [e["code"] for e in r.json()["errors"]] == ["unknown_fate"]
    assert StockMovement.objects.count() == movements
    assert ReturnRequest.objects.get().status == "approved"


def test_a_return_not_yet_approved_cannot_be_received(world):
    set_policy(world, auto_approve_limit=None)
    order_id = delivered_order(world, ("A-1", 5))
    made = ask(world, order_id, (1, 1, "damaged")).json()
    r = _receive(world, made["id"], (1, 1, "restock"))
    assert r.status_code == 409
    assert r.json()["code"] == "invalid_return_status"


def test_the_credit_note_is_the_frozen_gross_less_the_fee(world):
    taxed_in_singapore(world)
    set_policy(world, restocking_fee_percent=D("15"))
    order_id = delivered_order(world, ("A-1", 5))
    invoice = Invoice.objects.get()
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (D("50"), D("4.5"), D("54.5"))
    # The fee told when asking is the one kept, even if the policy changes meanwhile.
    return_id = _approved(world, order_id, (1, 2, "not_needed"))
    set_policy(world, restocking_fee_percent=D("50"))
    assert _receive(world, return_id, (1, 2, "restock")).status_code == 200
    r = world.client().post(f"/returns/{return_id}/close", {})
    assert r.status_code == 200, r.json()
    body = r.json()
    # 2 × 10.00 + 9% GST = 21.80; 15% of it is 3.27; 18.53 credited.
    assert (body["status"], body["credited_amount"], body["restocking_fee"]) == (
        "closed",
        "18.53",
        "3.27",
    )
    note = CreditNote.objects.get()
    assert (note.net_total, note.tax_total, note.total) == (D("17.00"), D("1.53"), D("18.53"))
    assert body["credit_notes"] == [{"id": note.pk, "number": note.number, "total": "18.53"}]
    assert invoice.receivable.open_amount == D("35.97")
    types = list(Event.objects.order_by("id").values_list("type", flat=True))
    assert types[-2:] == ["credit_note.issued", "return.closed"]


def test_without_a_fee_the_credit_note_credits_the_units(world):
    taxed_in_singapore(world)
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5), ("C-3", 3))
    return_id = _approved(world, order_id, (1, 2, "not_needed"), (2, 1, "damaged"))
    _receive(world, return_id, (1, 2, "restock"), (2, 1, "scrap"))
    body = world.client().post(f"/returns/{return_id}/close", {}).json()
    # 21.80 for the two A-1; C-3 at 0.3333 × 3 = 1.00 net, 5% = 0.05: one unit 0.33 + 0.02.
    note = CreditNote.objects.get()
    assert [(line.quantity, line.gross_amount) for line in note.lines.order_by("id")] == [
        (2, D("21.80")),
        (1, D("0.35")),
    ]
    assert body["credited_amount"] == "22.15"
    assert body["restocking_fee"] == "0.00"


def test_a_refund_pays_back_the_credit_a_paid_invoice_did_not_need(world):
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5))
    pay(world, "50.00")
    return_id = _approved(world, order_id, (1, 2, "not_needed"))
    _receive(world, return_id, (1, 2, "restock"))
    r = world.client().post(f"/returns/{return_id}/close", {"refund": {"method": "bank_transfer"}})
    assert r.status_code == 200, r.json()
    refund = Payment.objects.get(kind="refund")
    assert (refund.amount, refund.reference) == (D("20.00"), "RMA-000001")
    assert r.json()["refund_id"] == refund.pk


def test_a_refund_of_credit_that_settled_an_open_invoice_is_refused(world):
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5))
    return_id = _approved(world, order_id, (1, 2, "not_needed"))
    _receive(world, return_id, (1, 2, "restock"))
    r = world.client().post(f"/returns/{return_id}/close", {"refund": {"method": "cash"}})
    assert r.status_code == 409
    assert r.json()["code"] == "nothing_to_refund"
    # Nothing happened: no credit note, the return still received.
    assert CreditNote.objects.count() == 0
    assert ReturnRequest.objects.get().status == "received"


def test_a_second_return_of_a_line_credits_the_next_units(world):
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5))
    for days in (1, 2):
        with clock.as_of(days_after_today(days)):
            return_id = _approved(world, order_id, (1, 2, "not_needed"))
            _receive(world, return_id, (1, 2, "restock"))
            assert world.client().post(f"/returns/{return_id}/close", {}).status_code == 200
    assert list(CreditNote.objects.order_by("id").values_list("total", flat=True)) == [
        D("20.00"),
        D("20.00"),
    ]
    assert _level(world, "A-1") == (99, 99)


def test_units_back_in_stock_serve_an_order_waiting_for_them(world):
    set_policy(world)
    d4 = world.skus["D-4"]
    receive_stock(
        tenant_id=world.tenant.pk, warehouse_code="main", sku_id=d4.pk, quantity=5, reason="in"
    )
    order_id = delivered_order(world, ("D-4", 5))
    waiting = world.client().place(world.order_body(("D-4", 2)), key="waiting").json()
    assert waiting["lines"][0]["backordered_quantity"] == 2
    return_id = _approved(world, order_id, (1, 2, "not_needed"))
    assert _receive(world, return_id, (1, 2, "restock")).status_code == 200
    line = OrderLine.objects.get(order_id=waiting["id"])
    assert line.backordered_quantity == 0
    assert _level(world, "D-4") == (2, 0)
    assert_stock_consistent(world.tenant.pk)


def test_the_return_is_on_the_orders_timeline_for_staff_and_buyer(world):
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5))
    return_id = _approved(world, order_id, (1, 2, "not_needed"))
    assert _receive(world, return_id, (1, 2, "restock")).status_code == 200
    timeline = world.client().get(f"/orders/{order_id}/timeline").json()
    returns = [(e["type"], e["data"]["rma"]) for e in timeline if e["type"].startswith("return.")]
    assert returns == [
        ("return.requested", ""),
        ("return.approved", "RMA-000001"),
        ("return.received", "RMA-000001"),
    ]
    other = delivered_order(world, ("A-1", 1))
    timeline = world.client().get(f"/orders/{other}/timeline").json()
    assert not [e for e in timeline if e["type"].startswith("return.")]


# --- the restocking fee only for the reasons the seller chose ----------------------------------


def test_a_damaged_line_pays_no_fee_while_a_not_needed_line_on_the_same_return_does(world):
    taxed_in_singapore(world)
    set_policy(world, restocking_fee_percent=D("12.5"))
    order_id = delivered_order(world, ("A-1", 5), ("C-3", 3))
    invoice = Invoice.objects.get()
    assert invoice.total == D("55.55")  # 54.50 for A-1, 1.05 for C-3
    made = ask(world, order_id, (1, 2, "not_needed"), (2, 1, "damaged")).json()
    assert made["fee_reasons"] == ["not_needed", "other"]
    assert _receive(world, made["id"], (1, 2, "restock"), (2, 1, "scrap")).status_code == 200
    body = world.client().post(f"/returns/{made['id']}/close", {}).json()
    # 2 × A-1 with GST: 21.80, 12.5% of it 2.725 → 2.73. The damaged C-3 (0.35) pays nothing:
    # on the whole 22.15 the fee would have been 2.77.
    assert (body["restocking_fee"], body["credited_amount"]) == ("2.73", "19.42")
    note = CreditNote.objects.get()
    assert note.total == D("19.42")
    assert "less a restocking fee of 2.73" in note.reason
    invoice.receivable.refresh_from_db()
    assert invoice.receivable.open_amount == D("36.13")


def test_goods_returned_only_for_the_sellers_mistakes_are_credited_in_full(world):
    taxed_in_singapore(world)
    set_policy(world, restocking_fee_percent=D("15"))
    order_id = delivered_order(world, ("A-1", 5), ("C-3", 3))
    return_id = _approved(world, order_id, (1, 1, "defective"), (2, 2, "not_as_described"))
    _receive(world, return_id, (1, 1, "to_supplier"), (2, 2, "scrap"))
    body = world.client().post(f"/returns/{return_id}/close", {}).json()
    assert (body["restocking_fee"], body["credited_amount"]) == ("0.00", "11.60")
    # Without a fee the note credits the units themselves (10.90, and 0.70 for two C-3).
    note = CreditNote.objects.get()
    assert [(line.quantity, line.gross_amount) for line in note.lines.order_by("id")] == [
        (1, D("10.90")),
        (2, D("0.70")),
    ]


def test_the_seller_chooses_the_reasons_and_an_unknown_one_is_refused(world):
    policy_of = world.client().get("/return-policy").json()
    assert policy_of["fee_reasons"] == ["not_needed", "other"]  # no policy yet: the default
    body = {"restocking_fee_percent": "10", "fee_reasons": ["wrong_item", "other", "other"]}
    r = world.client().send("PUT", "/return-policy", json.dumps(body))
    assert r.status_code == 200, r.json()
    assert r.json()["fee_reasons"] == ["other", "wrong_item"]
    assert ReturnPolicy.objects.get().fee_reasons == ["other", "wrong_item"]
    changed = Event.objects.filter(type="return_policy.changed").latest("id")
    assert changed.payload["fee_reasons"] == ["other", "wrong_item"]
    # Not a reason: refused by the API's schema and by the service, and nothing changes.
    body = {"fee_reasons": ["damaged", "bored"]}
    r = world.client().send("PUT", "/return-policy", json.dumps(body))
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["fee_reasons[1]"]
    with pytest.raises(ValidationFailed) as refused:
        set_policy(world, fee_reasons=("damaged", "bored", "Other"))
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("fee_reasons", "unknown_reason"),
        ("fee_reasons", "unknown_reason"),
    ]
    assert world.client().get("/return-policy").json()["fee_reasons"] == ["other", "wrong_item"]
    # No reason at all: no fee on any return.
    body = {"restocking_fee_percent": "10", "fee_reasons": []}
    assert (
        world.client().send("PUT", "/return-policy", json.dumps(body)).json()["fee_reasons"] == []
    )


def test_the_default_reasons_are_reasons_a_buyer_can_give():
    assert policy.DEFAULT_FEE_REASONS.issubset(ReturnReason.values)
    row = ReturnPolicy()
    assert row.fee_reasons == ["not_needed", "other"]
    row.fee_reasons = ["damaged", "bored"]
    with pytest.raises(DjangoValidationError, match="fee_reasons"):
        row.clean()
    row.fee_reasons = [{"reason": "damaged"}]
    with pytest.raises(DjangoValidationError, match="fee_reasons"):
        row.clean()
    row.fee_reasons = ["wrong_item", "damaged"]
    row.clean()


def test_the_reasons_chosen_when_the_buyer_asked_are_the_ones_that_pay_the_fee(world):
    set_policy(world, restocking_fee_percent=D("10"), fee_reasons=("damaged",))
    order_id = delivered_order(world, ("A-1", 5), ("C-3", 3))
    made = ask(world, order_id, (1, 2, "not_needed"), (2, 1, "damaged")).json()
    assert made["fee_reasons"] == ["damaged"]
    # The seller goes back to the default meanwhile: this return keeps what it was told.
    set_policy(world, restocking_fee_percent=D("10"))
    assert _receive(world, made["id"], (1, 2, "restock"), (2, 1, "scrap")).status_code == 200
    body = world.client().post(f"/returns/{made['id']}/close", {}).json()
    # The damaged C-3 (0.33) pays 10%: 0.033 → 0.03; the two A-1 (20.00) nothing.
    assert (body["restocking_fee"], body["credited_amount"]) == ("0.03", "20.30")
    later = ask(world, order_id, (1, 1, "not_needed")).json()
    assert later["fee_reasons"] == ["not_needed", "other"]
