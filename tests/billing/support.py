"""Helpers for billing tests: orders placed, confirmed and shipped through the API, tax to a
Singapore ship-to, payments and credit notes through the services, the company's credit line
as the credit check sees it, and the money invariants checked after every scenario."""

import math
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Sum

from dinghuo.billing import services
from dinghuo.billing.models import (
    Account,
    Allocation,
    CreditNote,
    Invoice,
    InvoiceLine,
    Payment,
    Receivable,
)
from dinghuo.catalog import services as catalog
from dinghuo.catalog.models import Product
from dinghuo.core.models import Seller
from dinghuo.customers import services as customers
from dinghuo.customers.models import Company, CreditLine
from dinghuo.orders.models import Order
from dinghuo.pricing import services as pricing
from tests.builders import World
from tests.orders.support import place

D = Decimal


def shipped_order(
    world: World, *lines: tuple[str, int], ship: list[dict[str, int]] | None = None
) -> int:
    """Place and confirm an order, ship it (all of it, or `ship`'s lines); its id."""
    order_id = confirmed_order(world, *lines)
    ship_lines(world, order_id, ship)
    return order_id


def confirmed_order(world: World, *lines: tuple[str, int], key: str | None = None) -> int:
    """Place an order of these lines through the API and confirm it; its id."""
    order_id = place(world, *lines, key=key or f"k-{Order.objects.count()}")
    assert world.client().post(f"/orders/{order_id}/confirm").status_code == 200
    return order_id


def ship_lines(world: World, order_id: int, lines: list[dict[str, int]] | None = None) -> Any:
    """Ship the order (all of it, or these lines) through the API; the shipment's answer."""
    body: dict[str, Any] = {"carrier": "SF Express", "tracking_number": f"SF{order_id}"}
    if lines is not None:
        body["lines"] = lines
    r = world.client().post(f"/orders/{order_id}/shipments", body)
    assert r.status_code == 201, r.json()
    return r.json()


def taxed_in_singapore(world: World) -> World:
    """The world's company ships to Singapore: 9% GST, 5% on C-3 (a reduced category)."""
    reduced = catalog.create_tax_category(
        tenant_id=world.tenant.pk, code="reduced", name={"en": "Reduced", "zh-hant": "優惠稅率"}
    )
    Product.objects.filter(tenant=world.tenant, code="P-C-3").update(tax_category=reduced)
    for category, percent, name in [(None, "9", "GST"), (reduced, "5", "Reduced GST")]:
        pricing.create_tax_rate(
            tenant_id=world.tenant.pk,
            category_id=category.pk if category else None,
            country="SG",
            region="",
            name={"en": name, "zh-hant": f"{name}稅"},
            percent=D(percent),
            valid_from=date(2020, 1, 1),
            valid_until=None,
        )
    world.ship_to = customers.create_location(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        kind="ship_to",
        name="Jurong",
        line1="1 Jurong Port Rd",
        city="Singapore",
        country="SG",
    )
    return world


def at(day: date, hour: int = 10) -> datetime:
    """A business moment on `day` (for `clock.as_of`)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def pay(world: World, amount: str, company: Company | None = None, **kw: Any) -> Payment:
    """A bank transfer of `amount` from the world's company (or `company`)."""
    return services.record_payment(
        tenant_id=world.tenant.pk,
        company_id=(company or world.company).pk,
        amount=D(amount),
        currency=kw.pop("currency", world.price_list.currency),
        method=kw.pop("method", "bank_transfer"),
        received_on=kw.pop("received_on", date.today()),
        **kw,
    )


def credit_of(world: World) -> tuple[Decimal, Decimal]:
    """The company's (open-order exposure, invoice exposure)."""
    line = CreditLine.objects.get(company=world.company)
    return line.order_exposure, line.invoice_exposure


def invoices_of(world: World) -> list[Invoice]:
    """The world's company's invoices, oldest first."""
    return list(Invoice.objects.filter(company=world.company).order_by("id"))


def open_amount(invoice: Invoice) -> Decimal:
    """What the invoice still owes."""
    return Receivable.objects.get(invoice=invoice).open_amount


def unapplied(world: World, company: Company | None = None) -> Decimal:
    """The company's money held by the seller and not yet applied to an invoice."""
    found = Account.objects.filter(company=company or world.company).first()
    return found.unapplied if found else D(0)


def billing_rows() -> dict[str, list[Any]]:
    """Every billing row and credit line: equal before and after means nothing changed."""
    models = [Invoice, InvoiceLine, Receivable, CreditNote, Payment, Allocation, Account]
    state: dict[str, list[Any]] = {
        m.__name__: list(m.objects.order_by("id").values()) for m in models
    }
    state["credit"] = list(CreditLine.objects.order_by("id").values())
    state["orders"] = list(Order.objects.order_by("id").values("id", "status", "credit_reserved"))
    return state


def _given(rows: Any, field: str) -> dict[int, Decimal]:
    """What allocations give to (or take from) each of `rows`, by the allocation's `field`."""
    return dict(
        Allocation.objects.filter(**{f"{field}__in": rows})
        .values(field)
        .annotate(s=Sum("amount"))
        .values_list(field, "s")
    )


def assert_money_consistent(tenant_id: int) -> None:
    """The money invariants of billing, for every company of the tenant."""
    invoices = Invoice.objects.filter(tenant_id=tenant_id)
    to_invoice = _given(invoices, "invoice")
    for invoice in invoices.select_related("receivable"):
        settled = to_invoice.get(invoice.pk, D(0))
        # What settled an invoice never exceeds it, and what is open is exactly the rest.
        assert settled <= invoice.total, invoice.number
        assert invoice.receivable.open_amount == invoice.total - settled, invoice.number
        assert invoice.receivable.open_amount >= 0
        assert invoice.net_total + invoice.tax_total == invoice.total
    received = Payment.objects.filter(tenant_id=tenant_id, kind="received")
    from_payment = _given(received, "payment")
    refunds = Payment.objects.filter(tenant_id=tenant_id, kind="refund")
    to_refund = _given(refunds, "refund")
    for refund in refunds:
        assert to_refund.get(refund.pk) == refund.amount
    notes = CreditNote.objects.filter(tenant_id=tenant_id)
    from_note = _given(notes, "credit_note")
    for company_id in Company.objects.filter(tenant_id=tenant_id).values_list("id", flat=True):
        free = D(0)
        for payment in received.filter(company_id=company_id):
            given = from_payment.get(payment.pk, D(0))
            assert given <= payment.amount
            free += payment.amount - given
        for note in notes.filter(company_id=company_id):
            given = from_note.get(note.pk, D(0))
            assert given <= note.total
            free += note.total - given
        assert unapplied_of(company_id) == free
        _assert_credit_follows(tenant_id, company_id)
    assert_base_consistent(tenant_id)


def _assert_credit_follows(tenant_id: int, company_id: int) -> None:
    """The credit line's counters are what the orders hold and, unless the seller syncs its
    receivables from elsewhere, what the company's invoices still owe."""
    line = CreditLine.objects.filter(company_id=company_id).select_related("company__price_list")
    found = line.first()
    if found is None:
        return
    held = Order.objects.filter(company_id=company_id).aggregate(s=Sum("credit_reserved"))
    assert found.order_exposure == (held["s"] or D(0))
    seller_id = found.company.price_list.seller_id
    if customers.receivables_source(tenant_id, seller_id) == "sync":
        return
    open_total = Receivable.objects.filter(company_id=company_id).aggregate(s=Sum("open_amount"))
    assert found.invoice_exposure == (open_total["s"] or D(0))


def unapplied_of(company_id: int) -> Decimal:
    """`unapplied` by company id."""
    found = Account.objects.filter(company_id=company_id).first()
    return found.unapplied if found else D(0)


# --- amounts in the seller's base currency, against an exact reference ----------------------

# ISO 4217 minor units of the currencies the tests use, written out here (not read from the
# code under test).
_DIGITS = {"JPY": 0, "KWD": 3, "BHD": 3}


def reference_base(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    """`amount` × `rate` in `currency`, rounded half up, computed with exact fractions."""
    scale = 10 ** _DIGITS.get(currency, 2)
    exact = Fraction(amount) * Fraction(rate) * scale
    whole = math.floor(exact + Fraction(1, 2))  # half up (amounts are never negative)
    return Decimal(whole) / scale


def _base_sums(rows: Any, field: str, value: str) -> dict[int, Decimal]:
    return dict(
        Allocation.objects.filter(**{f"{field}__in": rows})
        .values(field)
        .annotate(s=Sum(value))
        .values_list(field, "s")
    )


def assert_base_consistent(tenant_id: int) -> None:
    """Every document's base amount is its amount at its rate; the base moved by a
    document's allocations is exactly the base of the amount they moved (running totals), so
    a document settled or used in full moves its whole base amount; what is open in base is
    the base total less what settled it."""
    base = dict(Seller.objects.filter(tenant_id=tenant_id).values_list("id", "base_currency"))
    invoices = Invoice.objects.filter(tenant_id=tenant_id).select_related("receivable")
    settled, used = _given(invoices, "invoice"), _base_sums(invoices, "invoice", "use_base")
    for invoice in invoices:
        cur = base[invoice.seller_id]
        assert invoice.base_total == reference_base(invoice.total, invoice.fx_rate, cur)
        moved = settled.get(invoice.pk, D(0))
        assert used.get(invoice.pk, D(0)) == reference_base(moved, invoice.fx_rate, cur)
        assert invoice.receivable.open_base == invoice.base_total - used.get(invoice.pk, D(0))
    for model, amount, field, value in [
        (Payment.objects.filter(kind="received"), "amount", "payment", "source_base"),
        (Payment.objects.filter(kind="refund"), "amount", "refund", "use_base"),
        (CreditNote.objects.all(), "total", "credit_note", "source_base"),
    ]:
        rows = model.filter(tenant_id=tenant_id)
        given, moved = _given(rows, field), _base_sums(rows, field, value)
        for row in rows:
            cur, rate = base[row.seller_id], row.fx_rate
            own = row.base_amount if isinstance(row, Payment) else row.base_total
            assert own == reference_base(getattr(row, amount), rate, cur)
            assert moved.get(row.pk, D(0)) == reference_base(given.get(row.pk, D(0)), rate, cur)
    assert not Allocation.objects.filter(tenant_id=tenant_id, source_base__lt=0).exists()
    assert not Allocation.objects.filter(tenant_id=tenant_id, use_base__lt=0).exists()
