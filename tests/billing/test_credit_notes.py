"""Credit notes through `billing.services.issue_credit_note`: the whole invoice, some units of
its lines, or an amount shared across its tax rates; their own gapless series; never more
than the invoice; what the invoice no longer owes becomes the company's unapplied credit."""

from decimal import Decimal

import pytest

from dinghuo.billing import services
from dinghuo.billing.models import Allocation, CreditNote, Invoice
from dinghuo.core.errors import Conflict, NotFound, ValidationFailed
from dinghuo.integrations.models import Event
from tests.billing.support import (
    assert_money_consistent,
    billing_rows,
    credit_of,
    invoices_of,
    open_amount,
    pay,
    shipped_order,
    taxed_in_singapore,
    unapplied,
)
from tests.builders import World

D = Decimal


@pytest.fixture
def invoice(world: World) -> Invoice:
    """An invoice to Singapore: C-3 7 × 0.3333 = 2.33 + 5% 0.12 = 2.45; A-1 2 × 10.00 =
    20.00 + 9% 1.80 = 21.80; in all 22.33 + 1.92 = 24.25."""
    taxed_in_singapore(world)
    shipped_order(world, ("C-3", 7), ("A-1", 2))
    found = invoices_of(world)[0]
    assert (found.net_total, found.tax_total, found.total) == (D("22.33"), D("1.92"), D("24.25"))
    return found


def _credit(world: World, invoice: Invoice, reason: str = "Damaged in transit", **mode):
    return services.issue_credit_note(
        tenant_id=world.tenant.pk, invoice_id=invoice.pk, reason=reason, **mode
    )


def _lines(note: CreditNote) -> list[tuple]:
    return list(
        note.lines.order_by("line_number").values_list(
            "quantity", "tax_percent", "net_amount", "tax_amount", "gross_amount"
        )
    )


def test_the_whole_invoice_credited_settles_it(world, invoice):
    note = _credit(world, invoice, whole=True)
    assert note.number == "CN-000001"
    assert (note.net_total, note.tax_total, note.total) == (D("22.33"), D("1.92"), D("24.25"))
    assert _lines(note) == [
        (7, D(5), D("2.33"), D("0.12"), D("2.45")),
        (2, D(9), D("20.00"), D("1.80"), D("21.80")),
    ]
    assert open_amount(invoice) == 0
    assert credit_of(world) == (D(0), D(0))
    assert unapplied(world) == 0
    assert Allocation.objects.get(credit_note=note).amount == D("24.25")
    issued = Event.objects.get(type="credit_note.issued")
    assert issued.payload["applied_to_invoice"] == "24.25"
    assert issued.payload["unapplied"] == "0.00"
    assert Event.objects.filter(type="invoice.settled", aggregate_id=invoice.pk).count() == 1
    # Nothing is left to credit.
    with pytest.raises(Conflict) as refused:
        _credit(world, invoice, whole=True)
    assert refused.value.code == "exceeds_invoice"
    assert_money_consistent(world.tenant.pk)


def test_units_of_lines_credited_in_parts_add_up_to_the_line(world, invoice):
    first = _credit(world, invoice, lines=[services.CreditUnits(1, 3)])
    # 3 of 7: 2.33 × 3/7 = 0.9986 → 1.00, 0.12 × 3/7 = 0.0514 → 0.05.
    assert _lines(first) == [(3, D(5), D("1.00"), D("0.05"), D("1.05"))]
    rest = _credit(world, invoice, lines=[services.CreditUnits(1, 4), services.CreditUnits(2, 1)])
    assert _lines(rest) == [
        (4, D(5), D("1.33"), D("0.07"), D("1.40")),
        (1, D(9), D("10.00"), D("0.90"), D("10.90")),
    ]
    assert [first.number, rest.number] == ["CN-000001", "CN-000002"]
    assert open_amount(invoice) == D("24.25") - D("1.05") - D("12.30")
    # The whole credits only what is left: one unit of A-1.
    last = _credit(world, invoice, whole=True)
    assert _lines(last) == [(1, D(9), D("10.00"), D("0.90"), D("10.90"))]
    assert open_amount(invoice) == 0
    assert_money_consistent(world.tenant.pk)


def test_an_amount_is_shared_across_the_invoices_tax_rates(world, invoice):
    note = _credit(world, invoice, amount=D("10.00"), reason="Price agreed after delivery")
    # 10.00 by 2.45 : 21.80 → 1.0103 and 8.9897: 1.01 and 8.99 (the larger remainder).
    # Tax contained: 1.01 × 5/105 = 0.048 → 0.05; 8.99 × 9/109 = 0.742 → 0.74.
    assert _lines(note) == [
        (None, D(5), D("0.96"), D("0.05"), D("1.01")),
        (None, D(9), D("8.25"), D("0.74"), D("8.99")),
    ]
    assert (note.net_total, note.tax_total, note.total) == (D("9.21"), D("0.79"), D("10.00"))
    assert (
        list(note.lines.values_list("description", flat=True))
        == ["Price agreed after delivery"] * 2
    )
    assert open_amount(invoice) == D("14.25")
    assert credit_of(world) == (D(0), D("14.25"))


def test_never_more_than_the_invoice(world, invoice):
    before = billing_rows()
    with pytest.raises(Conflict) as refused:
        _credit(world, invoice, amount=D("24.26"))
    assert (refused.value.code, refused.value.status) == ("exceeds_invoice", 409)
    assert billing_rows() == before
    _credit(world, invoice, amount=D("20.00"))
    # 4.25 is left: the A-1 line (21.80) cannot be credited any more, the C-3 line can.
    with pytest.raises(Conflict):
        _credit(world, invoice, lines=[services.CreditUnits(2, 1)])
    with pytest.raises(Conflict):
        _credit(world, invoice, amount=D("4.26"))
    _credit(world, invoice, amount=D("4.25"))
    assert open_amount(invoice) == 0
    assert sum(n.total for n in CreditNote.objects.filter(invoice=invoice)) == invoice.total
    assert_money_consistent(world.tenant.pk)


def test_a_credit_note_on_a_paid_invoice_becomes_unapplied_credit(world, invoice):
    pay(world, "24.25")
    note = _credit(world, invoice, lines=[services.CreditUnits(2, 2)])
    assert note.total == D("21.80")
    assert not Allocation.objects.filter(credit_note=note).exists()
    assert unapplied(world) == D("21.80")
    assert credit_of(world) == (D(0), D(0))
    # It can be paid back, as a refund drawn from the credit note.
    refund = services.refund(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        amount=D("21.80"),
        method="bank_transfer",
        refunded_on=invoice.issued_on,
    )
    assert Allocation.objects.get(refund=refund).credit_note_id == note.pk
    assert_money_consistent(world.tenant.pk)


def test_a_credit_note_on_a_part_paid_invoice_settles_the_rest_and_keeps_the_change(world, invoice):
    pay(world, "10.00")
    note = _credit(world, invoice, whole=True)
    assert Allocation.objects.get(credit_note=note).amount == D("14.25")
    assert open_amount(invoice) == 0
    assert unapplied(world) == D("10.00")
    issued = Event.objects.get(type="credit_note.issued")
    assert (issued.payload["applied_to_invoice"], issued.payload["unapplied"]) == (
        "14.25",
        "10.00",
    )
    # The next invoice uses that credit by itself.
    shipped_order(world, ("A-1", 1))  # 10.00 + 0.90
    new = invoices_of(world)[-1]
    assert list(Allocation.objects.filter(invoice=new).values_list("credit_note", "amount")) == [
        (note.pk, D("10.00"))
    ]
    assert open_amount(new) == D("0.90")
    assert_money_consistent(world.tenant.pk)


def test_credit_notes_have_their_own_series_per_seller(world, other_world, invoice):
    shipped_order(world, ("A-1", 1))
    shipped_order(other_world, ("A-1", 1))
    theirs = Invoice.objects.get(company=other_world.company)
    mine = [_credit(world, i, amount=D("0.01")).number for i in invoices_of(world)]
    assert mine == ["CN-000001", "CN-000002"]
    assert _credit(other_world, theirs, whole=True).number == "CN-000001"


@pytest.mark.parametrize(
    ("mode", "reason", "codes"),
    [
        ({}, "x", ["one_mode_required"]),
        ({"whole": True, "amount": D(1)}, "x", ["one_mode_required"]),
        ({"lines": []}, "x", ["lines_required"]),
        ({"amount": D(0)}, "x", ["amount_not_positive"]),
        ({"amount": D("-1")}, "x", ["amount_not_positive"]),
        ({"amount": D("1.001")}, "x", ["too_many_decimals"]),
        ({"whole": True}, "  ", ["required"]),
        ({"whole": True}, "x" * 301, ["too_long"]),
        ({"lines": [services.CreditUnits(9, 1)]}, "x", ["unknown_line"]),
        ({"lines": [services.CreditUnits(1, 0)]}, "x", ["quantity_not_positive"]),
        ({"lines": [services.CreditUnits(1, 8)]}, "x", ["exceeds_uncredited_quantity"]),
        (
            {"lines": [services.CreditUnits(1, 1), services.CreditUnits(1, 1)]},
            "x",
            ["duplicate_line"],
        ),
    ],
)
def test_bad_credit_notes_are_refused_and_change_nothing(world, invoice, mode, reason, codes):
    before = billing_rows()
    with pytest.raises(ValidationFailed) as refused:
        _credit(world, invoice, reason=reason, **mode)
    assert [e.code for e in refused.value.errors] == codes
    assert billing_rows() == before


def test_the_units_left_to_credit_are_told(world, invoice):
    _credit(world, invoice, lines=[services.CreditUnits(1, 5)])
    with pytest.raises(ValidationFailed) as refused:
        _credit(world, invoice, lines=[services.CreditUnits(1, 3)])
    assert refused.value.errors[0].extra == {"available": 2}
    assert _credit(world, invoice, lines=[services.CreditUnits(1, 2)]).total == D("0.70")


def test_another_tenants_or_companys_invoice_is_not_found(world, other_world, invoice):
    shipped_order(other_world, ("A-1", 1))
    theirs = Invoice.objects.get(company=other_world.company)
    with pytest.raises(NotFound):
        _credit(world, theirs, whole=True)
    with pytest.raises(NotFound):
        services.issue_credit_note(
            tenant_id=world.tenant.pk,
            invoice_id=invoice.pk,
            reason="x",
            whole=True,
            company_id=world.company.pk + 1000,
        )
    assert CreditNote.objects.count() == 0
