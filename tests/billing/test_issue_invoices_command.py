"""`dinghuo issue_invoices`: a monthly seller's shipments of two months, invoiced month by month,
never twice; what it says; what it refuses."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from dinghuo.billing import services
from dinghuo.billing.models import Invoice, UnbilledShipment
from dinghuo.core import clock
from dinghuo.orders.models import Order
from tests.billing.support import assert_money_consistent, at, credit_of, shipped_order
from tests.builders import World

D = Decimal


def run(*args: str, on: date) -> str:
    """The command as cron would run it on the morning of `on`; what it printed."""
    out = io.StringIO()
    with clock.as_of(at(on, hour=6)):
        call_command("issue_invoices", *args, stdout=out)
    return out.getvalue().strip()


def monthly(world: World) -> None:
    services.set_billing_policy(
        tenant_id=world.tenant.pk, seller_id=world.seller.pk, invoicing="monthly"
    )


def test_each_month_is_invoiced_once_on_its_last_day(world):
    monthly(world)
    with clock.as_of(at(date(2026, 3, 10))):
        march = shipped_order(world, ("A-1", 3))  # 30.00
    with clock.as_of(at(date(2026, 3, 27))):
        late_march = shipped_order(world, ("C-3", 3))  # 3 × 0.3333 = 1.00
    with clock.as_of(at(date(2026, 4, 7))):
        april = shipped_order(world, ("A-1", 4))  # 40.00
    assert Invoice.objects.count() == 0
    assert credit_of(world) == (D("71.00"), D(0))

    said = run(on=date(2026, 4, 15))
    assert said == (
        "Acme Wholesale (invoices monthly): 1 invoice issued for shipments up to "
        "Tuesday 31 March 2026."
    )
    (invoice,) = Invoice.objects.all()
    assert (invoice.number, invoice.issued_on, invoice.period_start, invoice.period_end) == (
        "INV-000001",
        date(2026, 3, 31),
        date(2026, 3, 10),
        date(2026, 3, 31),
    )
    assert invoice.total == D("31.00")
    assert sorted(invoice.lines.values_list("order_id", flat=True)) == [march, late_march]
    assert credit_of(world) == (D("40.00"), D("31.00"))  # March moved to the invoices

    again = run(on=date(2026, 4, 16))
    assert again.endswith("nothing new to invoice for shipments up to Tuesday 31 March 2026.")
    assert Invoice.objects.count() == 1

    assert "1 invoice issued for shipments up to Thursday 30 April 2026." in run(
        on=date(2026, 5, 1)
    )
    assert "nothing new to invoice" in run(on=date(2026, 5, 1))
    newest = Invoice.objects.order_by("-id").first()
    assert newest is not None
    assert (newest.number, newest.issued_on, newest.total) == (
        "INV-000002",
        date(2026, 4, 30),
        D("40.00"),
    )
    assert list(newest.lines.values_list("order_id", flat=True)) == [april]
    assert UnbilledShipment.objects.count() == 0
    assert credit_of(world) == (D(0), D("71.00"))
    assert not Order.objects.filter(credit_reserved__gt=0).exists()
    assert_money_consistent(world.tenant.pk)


def test_through_before_any_shipment_issues_nothing_and_through_a_day_takes_up_to_it(world):
    monthly(world)
    with clock.as_of(at(date(2026, 3, 10))):
        shipped_order(world, ("A-1", 3))
    with clock.as_of(at(date(2026, 3, 20))):
        shipped_order(world, ("A-1", 1))

    said = run("--through", "2026-03-09", on=date(2026, 3, 25))
    assert said.endswith("nothing new to invoice for shipments up to Monday 9 March 2026.")
    assert Invoice.objects.count() == 0
    assert UnbilledShipment.objects.count() == 2

    # An explicit day overrides the period: the shipments up to it, dated that day.
    assert "1 invoice issued" in run(
        "--through", "2026-03-15", "--tenant", "acme", on=date(2026, 3, 25)
    )
    (invoice,) = Invoice.objects.all()
    assert (invoice.issued_on, invoice.total) == (date(2026, 3, 15), D("30.00"))
    assert UnbilledShipment.objects.count() == 1


def test_a_seller_invoicing_each_shipment_is_left_alone(world):
    with clock.as_of(at(date(2026, 3, 10))):
        shipped_order(world, ("A-1", 3))  # invoiced as it shipped
    assert run(on=date(2026, 4, 2)) == (
        "No seller invoices weekly or monthly; shipments are invoiced as they ship."
    )
    assert Invoice.objects.count() == 1


def test_only_the_tenant_asked_for(world, other_world):
    monthly(world)
    monthly(other_world)
    for w in (world, other_world):
        with clock.as_of(at(date(2026, 3, 10))):
            shipped_order(w, ("A-1", 1))
    said = run("--tenant", "globex", on=date(2026, 4, 1))
    assert said.startswith("Globex Wholesale (invoices monthly): 1 invoice issued")
    assert list(Invoice.objects.values_list("tenant__slug", flat=True)) == ["globex"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--through", "30/11/2026"), "not a date like 2026-11-30"),
        (("--through", "2026-04-02"), "is after today"),
        (("--tenant", "nobody"), "No tenant 'nobody'"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(world, args, message):
    monthly(world)
    with clock.as_of(at(date(2026, 3, 10))):
        shipped_order(world, ("A-1", 1))
    with pytest.raises(CommandError, match=message):
        run(*args, on=date(2026, 4, 1))
    assert Invoice.objects.count() == 0
    assert UnbilledShipment.objects.count() == 1
