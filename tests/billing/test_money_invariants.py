"""Money never drifts: a random sequence of shipments, payments (oldest first or directed),
credit notes (whole, lines, amount) and refunds, with the invariants checked after every
step (`tests.billing.support.assert_money_consistent`): open invoices sum to the invoice
exposure, nothing settles an invoice or draws on a payment beyond its amount, the unapplied
credit is what payments and credit notes have not given, orders hold what is not invoiced."""

import math
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dinghuo.billing import services
from dinghuo.billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from dinghuo.orders.models import Order, OrderLine
from tests.billing.support import (
    assert_money_consistent,
    confirmed_order,
    open_amount,
    pay,
    ship_lines,
    taxed_in_singapore,
    unapplied,
)
from tests.builders import World, build_world

D = Decimal
CENT = D("0.01")
ORDERS = [
    (("C-3", 7), ("A-1", 11), ("B-2", 18)),
    (("A-1", 3), ("C-3", 13)),
    (("B-2", 6), ("C-3", 1)),
]

percent = st.integers(min_value=1, max_value=100)
operation = st.one_of(
    st.tuples(st.just("ship"), st.integers(0, len(ORDERS) - 1), percent),
    st.tuples(st.just("pay"), st.integers(1, 8_000), st.booleans()),
    st.tuples(
        st.just("credit"), st.integers(0, 9), st.sampled_from(["whole", "lines", "amount"]), percent
    ),
    st.tuples(st.just("refund"), percent),
)


def _ship(world: World, order_id: int, pct: int) -> None:
    lines = []
    for line in OrderLine.objects.filter(order_id=order_id).order_by("line_number"):
        left = line.quantity - line.shipped_quantity
        if left:
            lines.append({"line_number": line.line_number, "quantity": math.ceil(left * pct / 100)})
    if lines:
        ship_lines(world, order_id, lines)


def _pay(world: World, cents: int, directed: bool) -> None:
    amount = D(cents) / 100
    target = next((i for i in _invoices(world) if open_amount(i) > 0), None)
    if directed and target is not None:
        allocate = min(amount, open_amount(target)).quantize(CENT)
        pay(world, str(amount), allocations=[services.Allocate(target.pk, allocate)])
    else:
        pay(world, str(amount))


def _credit(world: World, index: int, mode: str, pct: int) -> None:
    """Only credit notes the rules accept: an amount up to what is left; units (or the
    whole) of an invoice credited only by units so far, so their gross always fits."""
    invoices = _invoices(world)
    if not invoices:
        return
    invoice = invoices[index % len(invoices)]
    credited = CreditNote.objects.filter(invoice=invoice).aggregate(s=Sum("total"))["s"] or 0
    left = invoice.total - credited
    by_amount = CreditNoteLine.objects.filter(
        credit_note__invoice=invoice, invoice_line__isnull=True
    ).exists()
    kw: dict[str, Any] = {}
    if mode == "amount" or by_amount:
        amount = (left * pct / 100).quantize(CENT, rounding=ROUND_DOWN)
        if amount <= 0:
            return
        kw["amount"] = amount
    else:
        units = _uncredited_units(invoice)
        if not units:
            return
        if mode == "whole":
            kw["whole"] = True
        else:
            number, free = units[0]
            kw["lines"] = [services.CreditUnits(number, math.ceil(free * pct / 100))]
    services.issue_credit_note(
        tenant_id=world.tenant.pk, invoice_id=invoice.pk, reason="Random", **kw
    )


def _uncredited_units(invoice: Invoice) -> list[tuple[int, int]]:
    result = []
    for line in InvoiceLine.objects.filter(invoice=invoice).order_by("line_number"):
        credited = (
            CreditNoteLine.objects.filter(invoice_line=line).aggregate(s=Sum("quantity"))["s"] or 0
        )
        if line.quantity > credited:
            result.append((line.line_number, line.quantity - credited))
    return result


def _refund(world: World, pct: int) -> None:
    amount = (unapplied(world) * pct / 100).quantize(CENT, rounding=ROUND_DOWN)
    if amount > 0:
        services.refund(
            tenant_id=world.tenant.pk,
            company_id=world.company.pk,
            amount=amount,
            method="bank_transfer",
            refunded_on=date(2026, 3, 1),
        )


def _invoices(world: World) -> list[Invoice]:
    return list(Invoice.objects.filter(company=world.company).order_by("id"))


def _apply(world: World, orders: list[int], op: tuple[Any, ...]) -> None:
    kind, *args = op
    if kind == "ship":
        _ship(world, orders[args[0]], args[1])
    elif kind == "pay":
        _pay(world, *args)
    elif kind == "credit":
        _credit(world, *args)
    else:
        _refund(world, *args)


def _assert_invoiced_lines_match_orders(orders: list[int]) -> None:
    for line in OrderLine.objects.filter(order_id__in=orders):
        billed = InvoiceLine.objects.filter(order_line=line).aggregate(
            q=Sum("quantity"), g=Sum("gross_amount")
        )
        assert (billed["q"] or 0) == line.shipped_quantity
        if line.shipped_quantity == line.quantity:
            assert billed["g"] == line.gross_amount
    for order in Order.objects.filter(pk__in=orders):
        invoiced = InvoiceLine.objects.filter(order=order).aggregate(g=Sum("gross_amount"))["g"]
        assert order.credit_reserved == order.total - (invoiced or 0)


@settings(
    max_examples=30,
    deadline=None,
    # Each example places and ships orders: shrinking a failure would take many minutes, and
    # the operations of the example as found read well enough.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(operation, min_size=1, max_size=12))
def test_money_never_drifts_whatever_happens(db, ops):
    with transaction.atomic():
        world = taxed_in_singapore(build_world("drift"))
        orders = [confirmed_order(world, *lines, key=f"o{i}") for i, lines in enumerate(ORDERS)]
        for done, op in enumerate(ops):
            try:
                _apply(world, orders, op)
                assert_money_consistent(world.tenant.pk)
            except Exception as exc:  # say which sequence broke it (shrinking is off)
                raise AssertionError(f"{op} after {ops[:done]}") from exc
        _assert_invoiced_lines_match_orders(orders)
        transaction.set_rollback(True)
