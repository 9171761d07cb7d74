"""What issuing an invoice reads and writes, in plain SQL as the order hot path does
(`core.db`, docs/api-and-runtime.md "The hot path's SQL"): the company's side of the invoice in
one read, the units its order lines were billed before in another, and the invoice, its lines
and its receivable written with one INSERT each (values still converted by their fields).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from dinghuo.billing.models import Invoice, InvoiceLine, Receivable, UnbilledShipment
from dinghuo.core.db import (
    insert_instances,
    insert_rows,
    placeholders,
    select_rows,
    to_date,
    to_decimal,
)
from dinghuo.customers.models import Company
from dinghuo.orders.models import OrderLine

# The place an invoice is addressed to: the company's first active bill-to, else its first
# active location (by kind, then id).
_BILL_TO_PLACE = """(
  SELECT p.id FROM customers_location p WHERE p.company_id = %s AND p.is_active
  ORDER BY CASE WHEN p.kind = 'bill_to' THEN 0 ELSE 1 END, p.kind, p.id LIMIT 1)"""
_PLACE_COLUMNS = ("name", "line1", "line2", "city", "postal_code", "country")

_BILLEE = f"""
SELECT cl.terms, cl.terms_days, c.name, c.code, s.name, s.base_currency, a.currency,
  a.unapplied,
  (SELECT MIN(r.due_on) FROM billing_receivable r
   WHERE r.tenant_id = %s AND r.company_id = cl.company_id AND r.open_amount > 0),
  l.id, l.name, l.line1, l.line2, l.city, l.postal_code, l.country
FROM customers_creditline cl
JOIN customers_company c ON c.id = cl.company_id
JOIN core_seller s ON s.id = %s
LEFT JOIN billing_account a ON a.tenant_id = %s AND a.company_id = cl.company_id
LEFT JOIN customers_location l ON l.id = {_BILL_TO_PLACE}
WHERE cl.company_id = %s
"""  # noqa: S608 (no input in the text)

_UNITS = """
SELECT ol.id, ol.order_id, ol.quantity, COALESCE(SUM(il.quantity), 0)
FROM orders_orderline ol LEFT JOIN billing_invoiceline il ON il.order_line_id = ol.id
WHERE ol.order_id IN ({})
GROUP BY ol.id, ol.order_id, ol.quantity
"""


@dataclass(frozen=True)
class Billee:
    """The company's side of an invoice, read under its credit line's lock: its terms, what
    the document prints of it, its unapplied credit (and the currency it is held in), the due
    date of its oldest open invoice; and the seller's name and base currency."""

    terms: str
    terms_days: int
    bill_to: dict[str, Any]
    seller_name: str
    base_currency: str
    credit_currency: str | None
    unapplied: Decimal
    oldest_due_on: date | None


def _bill_to(name: str, code: str, place: tuple[Any, ...] | None) -> dict[str, Any]:
    address = {} if place is None else dict(zip(_PLACE_COLUMNS, place, strict=True))
    return {"company": name, "code": code, "address": address}


def billee(tenant_id: int, seller_id: int, company_id: int) -> Billee:
    """The company's side of an invoice by the seller (one query; the credit line locked)."""
    params = [tenant_id, seller_id, tenant_id, company_id, company_id]
    row = select_rows(_BILLEE, params)[0]
    terms, days, name, code, seller_name, base, held_in, unapplied, oldest = row[:9]
    place = None if row[9] is None else row[10:]
    return Billee(
        terms,
        int(days),
        _bill_to(name, code, place),
        seller_name,
        base,
        held_in,
        to_decimal(unapplied) or Decimal(0),
        to_date(oldest),
    )


def bill_to(company: Company) -> dict[str, Any]:
    """The company and its billing address (its first bill-to, else its first location), as
    the document prints them."""
    columns = ", ".join(_PLACE_COLUMNS)
    sql = f"SELECT {columns} FROM customers_location WHERE id = {_BILL_TO_PLACE}"  # noqa: S608
    rows = select_rows(sql, [company.pk])
    return _bill_to(company.name, company.code, rows[0] if rows else None)


@dataclass
class Units:
    """An order line's units, and how many of them invoices billed so far."""

    order_id: int
    quantity: int
    billed: int


def units(order_ids: list[int]) -> dict[int, Units]:
    """Every line of these orders (by id): its units and those billed before (one query)."""
    rows = select_rows(_UNITS.format(placeholders(len(order_ids))), order_ids)
    return {row[0]: Units(row[1], int(row[2]), int(row[3])) for row in rows}


@dataclass(frozen=True)
class Line:
    """An invoice line about to be written: units of an order line and what they come to."""

    order_line: OrderLine
    quantity: int
    net: Decimal
    tax: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


_INVOICE_FIELDS = [
    "tenant_id", "seller_id", "company_id", "number", "issued_on", "due_on", "currency",
    "net_total", "tax_total", "total", "fx_rate", "base_total", "shipment_id", "period_start",
    "period_end", "terms", "terms_days", "bill_to", "seller_details", "created_at",
]  # fmt: skip
_LINE_FIELDS = [
    "tenant_id", "invoice_id", "line_number", "order_id", "order_line_id", "sku_code",
    "description", "quantity", "unit_price", "tax_rate_id", "tax_name", "tax_percent",
    "net_amount", "tax_amount", "gross_amount",
]  # fmt: skip
_RECEIVABLE_FIELDS = ["tenant_id", "invoice_id", "company_id", "due_on", "open_amount", "open_base"]


def insert(invoice: Invoice, lines: list[Line]) -> int:
    """Write the invoice (it gets its id), its lines (numbered from 1) and its receivable
    (open for all of it); the receivable's id."""
    insert_instances([invoice], _INVOICE_FIELDS)
    insert_rows(
        InvoiceLine,
        _LINE_FIELDS,
        [
            (
                invoice.tenant_id, invoice.pk, number, line.order_line.order_id,
                line.order_line.pk, line.order_line.sku_code, line.order_line.description,
                line.quantity, line.order_line.unit_price, line.order_line.tax_rate_id,
                line.order_line.tax_name, line.order_line.tax_percent, line.net, line.tax,
                line.gross,
            )
            for number, line in enumerate(lines, 1)
        ],
    )  # fmt: skip
    ids = insert_rows(
        Receivable,
        _RECEIVABLE_FIELDS,
        [
            (
                invoice.tenant_id, invoice.pk, invoice.company_id, invoice.due_on,
                invoice.total, invoice.base_total,
            )
        ],
        returning=True,
    )  # fmt: skip
    return ids[0]


_UNBILLED_FIELDS = [
    "tenant_id", "seller_id", "company_id", "shipment_id", "order_line_id", "quantity",
    "shipped_on",
]  # fmt: skip


def queue(rows: list[tuple[int, int, int, int, int, int, date]]) -> None:
    """Keep shipped units for the period's invoice: (tenant, seller, company, shipment,
    order line, quantity, shipped on) each."""
    insert_rows(UnbilledShipment, _UNBILLED_FIELDS, rows)
