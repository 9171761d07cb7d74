"""Payments and refunds through `billing.services`: oldest due first, explicit allocations,
overpayments kept as unapplied credit and used by the next invoice, refunds up to the free
credit, prepaid orders confirmed by their payment, and bad input that changes nothing."""

from datetime import date
from decimal import Decimal

import pytest

from dinghuo.billing import jobs, services
from dinghuo.billing.models import Allocation, Invoice, Payment
from dinghuo.core import clock
from dinghuo.core.errors import Conflict, NotFound, ValidationFailed
from dinghuo.customers import services as customers
from dinghuo.customers.models import CreditLine
from dinghuo.integrations.models import Event
from dinghuo.orders.models import Order
from dinghuo.pricing.models import ExchangeRate, PriceList, PriceTier
from tests.billing.support import (
    assert_money_consistent,
    at,
    billing_rows,
    confirmed_order,
    credit_of,
    invoices_of,
    open_amount,
    pay,
    ship_lines,
    shipped_order,
    unapplied,
)
from tests.builders import World
from tests.orders.support import place, set_policy

D = Decimal


@pytest.fixture
def three(world: World) -> dict[str, Invoice]:
    """Invoices A 10.00 (due 4 Feb), B 20.00 (due 9 Feb), C 30.00 (due 2 Feb), issued in
    that order: oldest due first is C, A, B."""
    for day, qty in [(date(2026, 1, 5), 1), (date(2026, 1, 10), 2), (date(2026, 1, 3), 3)]:
        with clock.as_of(at(day)):
            shipped_order(world, ("A-1", qty))
    a, b, c = invoices_of(world)
    assert [(i.total, i.due_on) for i in (a, b, c)] == [
        (D("10.00"), date(2026, 2, 4)),
        (D("20.00"), date(2026, 2, 9)),
        (D("30.00"), date(2026, 2, 2)),
    ]
    return {"A": a, "B": b, "C": c}


def _opens(three: dict[str, Invoice]) -> dict[str, Decimal]:
    return {k: open_amount(v) for k, v in three.items()}


def test_a_payment_settles_the_oldest_due_first(world, three):
    payment = pay(world, "35.00", reference="TT 0042")
    assert _opens(three) == {"A": D("5.00"), "B": D("20.00"), "C": D(0)}
    assert list(
        Allocation.objects.filter(payment=payment).order_by("id").values_list("invoice", "amount")
    ) == [(three["C"].pk, D("30.00")), (three["A"].pk, D("5.00"))]
    line = CreditLine.objects.get(company=world.company)
    assert (line.invoice_exposure, line.oldest_unpaid_due_on) == (D("25.00"), date(2026, 2, 4))
    assert unapplied(world) == 0
    received = Event.objects.get(type="payment.received")
    assert received.payload["allocations"] == [
        {"invoice": three["C"].number, "amount": "30.00"},
        {"invoice": three["A"].number, "amount": "5.00"},
    ]
    assert (received.payload["amount"], received.payload["unapplied"]) == ("35.00", "0.00")
    settled = Event.objects.filter(type="invoice.settled").values_list("aggregate_id", flat=True)
    assert list(settled) == [three["C"].pk]
    assert_money_consistent(world.tenant.pk)


def test_explicit_allocations_go_where_the_payer_says(world, three):
    pay(
        world,
        "25.00",
        allocations=[
            services.Allocate(three["B"].pk, D("20.00")),
            services.Allocate(three["A"].pk, D("1.00")),
        ],
    )
    # What the payer did not direct stays unapplied; it is not spread oldest first.
    assert _opens(three) == {"A": D("9.00"), "B": D(0), "C": D("30.00")}
    assert unapplied(world) == D("4.00")
    assert credit_of(world) == (D(0), D("39.00"))
    assert_money_consistent(world.tenant.pk)


def test_explicit_allocation_boundaries(world, three):
    before = billing_rows()
    with pytest.raises(ValidationFailed) as refused:
        pay(world, "30.00", allocations=[services.Allocate(three["B"].pk, D("20.01"))])
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("allocations[0].amount", "exceeds_open_amount")
    ]
    # People read the open amount in the currency's minor units, not the column's four.
    assert refused.value.errors[0].extra == {"open_amount": "20.00"}
    with pytest.raises(ValidationFailed) as refused:
        pay(world, "19.99", allocations=[services.Allocate(three["B"].pk, D("20.00"))])
    assert [e.code for e in refused.value.errors] == ["exceeds_payment"]
    assert billing_rows() == before
    pay(world, "20.00", allocations=[services.Allocate(three["B"].pk, D("20.00"))])
    assert open_amount(three["B"]) == 0


def test_an_allocation_in_fractions_of_a_cent_is_refused(world, three):
    before = billing_rows()
    with pytest.raises(ValidationFailed) as refused:
        pay(world, "1.00", allocations=[services.Allocate(three["A"].pk, D("0.005"))])
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("allocations[0].amount", "too_many_decimals")
    ]
    assert billing_rows() == before


def test_an_allocation_to_another_companys_invoice_is_refused(world, other_world, three):
    shipped_order(other_world, ("A-1", 1))
    theirs = Invoice.objects.get(company=other_world.company)
    before = billing_rows()
    with pytest.raises(ValidationFailed) as refused:
        pay(world, "10.00", allocations=[services.Allocate(theirs.pk, D("10.00"))])
    assert [e.code for e in refused.value.errors] == ["invoice_not_open"]
    # Nor can a company of another tenant be paid for.
    with pytest.raises(NotFound):
        pay(world, "10.00", company=other_world.company)
    assert billing_rows() == before


def test_a_paid_invoice_takes_no_more(world, three):
    pay(world, "10.00", allocations=[services.Allocate(three["A"].pk, D("10.00"))])
    with pytest.raises(ValidationFailed) as refused:
        pay(world, "1.00", allocations=[services.Allocate(three["A"].pk, D("1.00"))])
    assert [e.code for e in refused.value.errors] == ["invoice_not_open"]


@pytest.mark.parametrize(
    ("amount", "currency", "method", "codes"),
    [
        ("0", "USD", "cash", ["amount_not_positive"]),
        ("-5.00", "USD", "cash", ["amount_not_positive"]),
        ("1.001", "USD", "cash", ["too_many_decimals"]),
        ("5.00", "HKD", "cash", ["currency_mismatch"]),
        ("5.00", "USD", "barter", ["invalid_method"]),
        ("-1", "EUR", "iou", ["currency_mismatch", "amount_not_positive", "invalid_method"]),
    ],
)
def test_bad_payments_are_refused_with_every_problem_and_change_nothing(
    world, three, amount, currency, method, codes
):
    before = billing_rows()
    with pytest.raises(ValidationFailed) as refused:
        pay(world, amount, currency=currency, method=method)
    assert [e.code for e in refused.value.errors] == codes
    assert billing_rows() == before


def test_a_huge_amount_is_not_called_a_decimals_problem(world):
    with pytest.raises(ValidationFailed) as refused:
        pay(world, "100000000000000")
    assert refused.value.errors[0].code != "too_many_decimals", refused.value.errors[0]


def test_a_reference_longer_than_140_characters_is_refused(world):
    with pytest.raises(ValidationFailed) as refused:
        pay(world, "1.00", reference="x" * 141)
    assert [e.code for e in refused.value.errors] == ["too_long"]
    assert pay(world, "1.00", reference="x" * 140).reference == "x" * 140


def test_a_payment_in_another_currency_than_the_invoices_settles_none_of_them(world, three):
    """The company moved to a HKD price list after it was invoiced in USD: HKD money must
    not settle USD invoices as if the currencies were one."""
    hkd = PriceList.objects.create(
        tenant=world.tenant, seller=world.seller, code="hkd", name="HKD", currency="HKD"
    )
    PriceTier.objects.create(
        tenant=world.tenant, price_list=hkd, sku=world.skus["A-1"], min_quantity=1, unit_price=78
    )
    customers.update_company(
        tenant_id=world.tenant.pk, company_id=world.company.pk, price_list_id=hkd.pk
    )
    ExchangeRate.objects.create(
        tenant=world.tenant,
        seller=world.seller,
        currency="HKD",
        day=date(2020, 1, 1),
        rate=D("0.128"),
    )
    with pytest.raises(ValidationFailed) as refused:
        pay(world, "10.00", currency="HKD", allocations=[services.Allocate(three["A"].pk, D(10))])
    assert [e.code for e in refused.value.errors] == ["currency_mismatch"]
    held = pay(world, "60.00", currency="HKD")
    assert _opens(three) == {"A": D("10.00"), "B": D("20.00"), "C": D("30.00")}
    assert (held.fx_rate, held.base_amount) == (D("0.128"), D("7.68"))


# Overpayments, unapplied credit and refunds


def test_an_overpayment_is_unapplied_credit_that_the_next_invoice_uses(world, three):
    first = pay(world, "70.00")
    assert _opens(three) == {"A": 0, "B": 0, "C": 0}
    assert unapplied(world) == D("10.00")
    assert credit_of(world) == (D(0), D(0))
    with clock.as_of(at(date(2026, 1, 20))):
        shipped_order(world, ("A-1", 4))  # 40.00
    new = invoices_of(world)[-1]
    assert list(
        Allocation.objects.filter(invoice=new).values_list("payment", "credit_note", "amount")
    ) == [(first.pk, None, D("10.00"))]
    assert open_amount(new) == D("30.00")
    assert unapplied(world) == 0
    assert credit_of(world) == (D(0), D("30.00"))
    issued = Event.objects.filter(type="invoice.issued").last()
    assert (issued.payload["credit_applied"], issued.payload["open_amount"]) == (
        "10.00",
        "30.00",
    )
    assert_money_consistent(world.tenant.pk)


def test_unapplied_credit_that_covers_an_invoice_settles_it_at_once(world):
    pay(world, "50.00")
    shipped_order(world, ("A-1", 2))
    invoice = invoices_of(world)[0]
    assert open_amount(invoice) == 0
    assert (unapplied(world), credit_of(world)) == (D("30.00"), (D(0), D(0)))
    assert Event.objects.filter(type="invoice.settled", aggregate_id=invoice.pk).count() == 1


def test_a_refund_up_to_the_free_credit(world, three):
    pay(world, "75.00")  # 60.00 settles all three, 15.00 over
    before = billing_rows()
    with pytest.raises(Conflict) as refused:
        services.refund(
            tenant_id=world.tenant.pk,
            company_id=world.company.pk,
            amount=D("15.01"),
            method="bank_transfer",
            refunded_on=date(2026, 2, 1),
        )
    assert refused.value.code == "refund_exceeds_credit"
    assert refused.value.status == 409
    assert refused.value.errors[0].extra == {"refundable": "15.00"}
    assert billing_rows() == before
    paid_back = services.refund(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        amount=D("15.00"),
        method="bank_transfer",
        refunded_on=date(2026, 2, 1),
        reference="Refund TT",
    )
    assert (paid_back.kind, paid_back.amount) == ("refund", D("15.00"))
    assert unapplied(world) == 0
    assert Allocation.objects.get(refund=paid_back).amount == D("15.00")
    assert Event.objects.filter(type="payment.refunded", aggregate_id=paid_back.pk).count() == 1
    with pytest.raises(Conflict):
        services.refund(
            tenant_id=world.tenant.pk,
            company_id=world.company.pk,
            amount=D("0.01"),
            method="cash",
            refunded_on=date(2026, 2, 1),
        )
    assert_money_consistent(world.tenant.pk)


@pytest.mark.parametrize(
    ("amount", "code"), [("0", "amount_not_positive"), ("1.005", "too_many_decimals")]
)
def test_a_bad_refund_is_refused(world, amount, code):
    pay(world, "5.00")
    with pytest.raises(ValidationFailed) as refused:
        services.refund(
            tenant_id=world.tenant.pk,
            company_id=world.company.pk,
            amount=D(amount),
            method="cash",
            refunded_on=date(2026, 2, 1),
        )
    assert [e.code for e in refused.value.errors] == [code]


# Prepaid orders


@pytest.fixture
def prepaid(world: World) -> World:
    customers.update_credit_line(
        tenant_id=world.tenant.pk, company_id=world.company.pk, terms="prepaid"
    )
    set_policy(world, auto_confirm=True)
    return world


def _status(order_id: int) -> str:
    return Order.objects.get(pk=order_id).status


def test_a_prepaid_order_confirms_itself_when_paid_in_full_and_only_then(prepaid):
    world = prepaid
    order_id = place(world, ("A-1", 3), key="pp")  # 30.00
    assert _status(order_id) == "placed"
    assert Order.objects.get(pk=order_id).review_reasons == ["prepaid"]
    assert credit_of(world) == (D(0), D(0))

    pay(world, "29.99", order_id=order_id)
    assert _status(order_id) == "placed"
    pay(world, "0.01", order_id=order_id)
    assert _status(order_id) == "confirmed"
    order = Order.objects.get(pk=order_id)
    assert order.confirmed_automatically
    confirmed = Event.objects.get(type="order.confirmed", aggregate_id=order_id)
    assert confirmed.payload["automatic"] is True and confirmed.payload["paid"] is True

    # Money promised to a confirmed order cannot be refunded.
    with pytest.raises(Conflict):
        services.refund(
            tenant_id=world.tenant.pk,
            company_id=world.company.pk,
            amount=D("0.01"),
            method="cash",
            refunded_on=date(2026, 2, 1),
        )
    # Shipping invoices it, and the prepayment settles the invoice at once.
    ship_lines(world, order_id)
    invoice = invoices_of(world)[0]
    assert (invoice.total, open_amount(invoice), invoice.due_on) == (
        D("30.00"),
        D(0),
        invoice.issued_on,
    )
    assert (unapplied(world), credit_of(world)) == (D(0), (D(0), D(0)))
    assert_money_consistent(world.tenant.pk)


def test_a_payment_confirms_the_order_it_names_before_older_ones(prepaid):
    world = prepaid
    older = place(world, ("A-1", 2), key="older")  # 20.00
    named = place(world, ("A-1", 3), key="named")  # 30.00
    pay(world, "30.00", order_id=named)
    assert (_status(older), _status(named)) == ("placed", "confirmed")
    # Money not naming an order goes to the oldest waiting one it covers.
    pay(world, "20.00")
    assert _status(older) == "confirmed"


def test_a_prepaid_order_is_not_confirmed_by_payment_when_a_person_must_confirm(prepaid):
    world = prepaid
    set_policy(world, auto_confirm=False)
    order_id = place(world, ("A-1", 1), key="manual")
    pay(world, "10.00", order_id=order_id)
    assert _status(order_id) == "placed"


def test_a_payment_for_a_cancelled_or_unknown_order_is_refused(prepaid, other_world):
    world = prepaid
    order_id = place(world, ("A-1", 1), key="to-cancel")
    assert world.client().post(f"/orders/{order_id}/cancel").status_code == 200
    theirs = confirmed_order(other_world, ("A-1", 1))
    before = billing_rows()
    for target, code in [(order_id, "order_cancelled"), (theirs, "unknown_order")]:
        with pytest.raises(ValidationFailed) as refused:
            pay(world, "10.00", order_id=target)
        assert [e.code for e in refused.value.errors] == [code]
    assert billing_rows() == before
    assert Payment.objects.count() == 0


# Balances kept to the cent (on SQLite too, the embedded default)


def test_paying_the_balance_in_two_parts_settles_the_invoice(world):
    shipped_order(world, ("A-1", 1))  # 10.00
    invoice = invoices_of(world)[0]
    pay(world, "9.90")
    assert open_amount(invoice) == D("0.10")
    pay(world, "0.10")  # what the statement says is left
    assert open_amount(invoice) == 0
    line = CreditLine.objects.get(company=world.company)
    assert (line.invoice_exposure, line.oldest_unpaid_due_on) == (D(0), None)
    assert Event.objects.filter(type="invoice.settled", aggregate_id=invoice.pk).count() == 1
    assert_money_consistent(world.tenant.pk)


def test_small_prepayments_are_used_to_the_cent_by_the_next_invoice(world):
    pay(world, "0.70")
    pay(world, "0.10")
    shipped_order(world, ("A-1", 1))  # 10.00, of which 0.80 is already paid
    invoice = invoices_of(world)[0]
    assert (open_amount(invoice), unapplied(world)) == (D("9.20"), D(0))
    assert_money_consistent(world.tenant.pk)


def test_a_prepaid_order_shipped_in_parts_keeps_its_money_until_invoiced(prepaid):
    world = prepaid
    order_id = place(world, ("A-1", 3), key="parts")  # 30.00
    pay(world, "40.00", order_id=order_id)
    assert _status(order_id) == "confirmed"
    ship_lines(world, order_id, [{"line_number": 1, "quantity": 1}])  # invoiced 10.00, paid
    assert open_amount(invoices_of(world)[0]) == 0
    assert unapplied(world) == D("30.00")
    refund = {
        "tenant_id": world.tenant.pk,
        "company_id": world.company.pk,
        "method": "cash",
        "refunded_on": date(2026, 2, 1),
    }
    # 20.00 is still promised to the order: only 10.00 is free.
    with pytest.raises(Conflict) as refused:
        services.refund(**refund, amount=D("10.01"))
    assert refused.value.errors[0].extra == {"refundable": "10.00"}
    services.refund(**refund, amount=D("10.00"))
    ship_lines(world, order_id)
    assert open_amount(invoices_of(world)[1]) == 0
    assert (unapplied(world), credit_of(world)) == (D(0), (D(0), D(0)))
    assert_money_consistent(world.tenant.pk)


def test_a_prepaid_order_placed_when_credit_on_account_covers_it_is_paid_already(prepaid):
    """Money the company already has with the seller (an overpayment, a credit note) pays a
    prepaid order as well as a new payment does: the next housekeeping round confirms it,
    and only as many orders as the money covers."""
    world = prepaid
    pay(world, "50.00")
    first = place(world, ("A-1", 3), key="covered")  # 30.00
    second = place(world, ("A-1", 3), key="not covered")  # 30.00: only 20.00 left
    assert _status(first) == _status(second) == "placed"
    assert jobs.confirm_prepaid_orders_covered() == 1
    assert (_status(first), _status(second)) == ("confirmed", "placed")
    assert jobs.confirm_prepaid_orders_covered() == 0  # nothing more is covered
