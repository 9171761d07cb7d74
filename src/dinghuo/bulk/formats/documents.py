"""Orders (one row per line) and invoices (one row per invoice): exported, never imported
(orders are placed, invoices issued, through their services). Amounts are numbers with the
currency's minor units beside a currency column; states in the reader's language."""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from dinghuo.billing import queries as billing_queries
from dinghuo.bulk.layout import DATE, DECIMAL, INT, Column, Layout
from dinghuo.core import clock
from dinghuo.core.money import format_amount, format_unit_price
from dinghuo.orders import queries as order_queries
from dinghuo.orders.models import OrderLine, order_number
from dinghuo.orders.queries import OrderSearch
from dinghuo.orders.states import OrderStatus

ORDERS = Layout(
    "orders",
    (
        Column("order_number", _("Order number")),
        Column("placed_on", _("Placed on"), DATE),
        Column("status", _("Status")),
        Column("company_code", _("Company code")),
        Column("company", _("Company name")),
        Column("purchase_order_number", _("PO number")),
        Column("currency", _("Currency")),
        Column("order_total", _("Order total"), DECIMAL),
        Column("line_number", _("Line"), INT),
        Column("sku_code", _("SKU code")),
        Column("description", _("Description")),
        Column("quantity", _("Quantity"), INT),
        Column("shipped_quantity", _("Shipped"), INT),
        Column("unit_price", _("Unit price"), DECIMAL),
        Column("line_total", _("Line total"), DECIMAL),
    ),
)


def _amount(value: Decimal, currency: str) -> Decimal:
    return Decimal(format_amount(value, currency))


def export_orders(tenant_id: int, *, search: OrderSearch | None = None) -> Iterator[list[Any]]:
    """Every order the search keeps (as the order list filters them), a row per line, by
    order number."""
    found = (
        order_queries.orders(tenant_id, search=search)
        .select_related("company")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("line_number")))
        .order_by("id")
    )
    labels = dict(OrderStatus.choices)
    for order in found.iterator(chunk_size=500):
        cur = order.currency
        head = [
            order_number(order.pk),
            order.placed_at.date(),
            str(labels.get(order.status, order.status)),
            order.company.code,
            order.company.name,
            order.purchase_order_number or None,
            cur,
            _amount(order.total, cur),
        ]
        for line in order.lines.all():
            yield [
                *head,
                line.line_number,
                line.sku_code,
                line.description,
                line.quantity,
                line.shipped_quantity,
                Decimal(format_unit_price(line.unit_price, cur)),
                _amount(line.line_total, cur),
            ]


INVOICES = Layout(
    "invoices",
    (
        Column("number", _("Invoice number")),
        Column("issued_on", _("Issued on"), DATE),
        Column("due_on", _("Due on"), DATE),
        Column("state", _("State")),
        Column("company_code", _("Company code")),
        Column("company", _("Company name")),
        Column("currency", _("Currency")),
        Column("net_total", _("Net"), DECIMAL),
        Column("tax_total", _("Tax"), DECIMAL),
        Column("total", _("Total"), DECIMAL),
        Column("open_amount", _("Open"), DECIMAL),
    ),
)
_INVOICE_STATES = {
    billing_queries.OPEN: _("Open"),
    billing_queries.OVERDUE: _("Overdue"),
    billing_queries.PAID: _("Paid"),
}


def export_invoices(
    tenant_id: int, *, company_id: int | None = None, state: str | None = None
) -> Iterator[list[Any]]:
    """Every invoice the filters keep (as the invoice list), newest first."""
    today: date = clock.now().date()
    found = billing_queries.invoices(tenant_id, company_id=company_id, state=state, today=today)
    for invoice in found.iterator(chunk_size=1000):
        cur = invoice.currency
        state_now = billing_queries.invoice_state(invoice, today)
        yield [
            invoice.number,
            invoice.issued_on,
            invoice.due_on,
            str(_INVOICE_STATES[state_now]),
            invoice.company.code,
            invoice.company.name,
            cur,
            _amount(invoice.net_total, cur),
            _amount(invoice.tax_total, cur),
            _amount(invoice.total, cur),
            _amount(invoice.receivable.open_amount, cur),
        ]
