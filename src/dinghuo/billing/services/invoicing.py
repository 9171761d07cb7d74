"""Issuing invoices: one per shipment as it ships, or one per company for a period's
shipments, as the seller's policy says.

An invoice bills units of order lines at their frozen prices and tax; a line billed in parts
is shared by `billing.proration`, so a line's invoices add up to it exactly. It freezes the
exchange rate of its day (`services.rates`) and its total in the seller's base currency.
Issuing moves the amount from the company's open-order exposure to its invoice exposure, then
applies any unapplied credit the company has (prepayments, overpayments, credit notes) oldest
first.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dinghuo.billing import exchange, proration
from dinghuo.billing.models import (
    Allocation,
    BillingPolicy,
    DocumentSeries,
    Invoice,
    InvoiceLine,
    Receivable,
    UnbilledShipment,
)
from dinghuo.billing.services import balances, rates
from dinghuo.billing.services.numbering import take_number
from dinghuo.billing.services.payments import committed_to_orders
from dinghuo.billing.services.policy import policy_for, seller_details
from dinghuo.core import clock
from dinghuo.core.money import format_amount, minor_units
from dinghuo.customers import terms as payment_terms
from dinghuo.customers.models import Company, CreditLine, Location
from dinghuo.integrations import events
from dinghuo.orders import services as orders
from dinghuo.orders.models import Order, OrderLine, order_number


@dataclass(frozen=True)
class Billed:
    """`quantity` units of an order line to bill."""

    order_line: OrderLine
    quantity: int


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def today() -> date:
    """The business date (the seller's documents are dated in UTC, like every date here)."""
    return timezone.localdate(clock.now())


def bill_shipment(*, order: Order, shipment_id: int, lines: list[Billed]) -> Invoice | None:
    """A shipment's billing, in fulfilment's shipping transaction (the order row and the
    company's credit line already locked): its invoice at once, or its units kept for the
    period's invoice. Returns the invoice issued, if any."""
    policy = policy_for(order.tenant_id, order.seller_id)
    if policy.invoicing == BillingPolicy.Invoicing.PER_SHIPMENT:
        return issue(
            order.tenant_id,
            policy,
            order.company_id,
            {order.pk: order},
            lines,
            shipment_id=shipment_id,
            issued_on=today(),
        )
    UnbilledShipment.objects.bulk_create(
        [
            UnbilledShipment(
                tenant_id=order.tenant_id,
                seller_id=order.seller_id,
                company_id=order.company_id,
                shipment_id=shipment_id,
                order_line=billed.order_line,
                quantity=billed.quantity,
                shipped_on=today(),
            )
            for billed in lines
        ]
    )
    return None


def _billed_before(order_line_ids: list[int]) -> dict[int, int]:
    rows = (
        InvoiceLine.objects.filter(order_line_id__in=order_line_ids)
        .values("order_line_id")
        .annotate(units=Sum("quantity"))
    )
    return {row["order_line_id"]: row["units"] for row in rows}


def _invoice_lines(tenant_id: int, billed: list[Billed], currency: str) -> list[InvoiceLine]:
    before = _billed_before([b.order_line.pk for b in billed])
    digits = minor_units(currency)
    lines = []
    for number, item in enumerate(billed, 1):
        ol = item.order_line
        amounts = proration.part(
            proration.Amounts(ol.net_amount, ol.tax_amount),
            before=before.get(ol.pk, 0),
            units=item.quantity,
            of=ol.quantity,
            minor_units=digits,
        )
        before[ol.pk] = before.get(ol.pk, 0) + item.quantity
        lines.append(
            InvoiceLine(
                tenant_id=tenant_id,
                line_number=number,
                order_id=ol.order_id,
                order_line=ol,
                sku_code=ol.sku_code,
                description=ol.description,
                quantity=item.quantity,
                unit_price=ol.unit_price,
                tax_rate_id=ol.tax_rate_id,
                tax_name=ol.tax_name,
                tax_percent=ol.tax_percent,
                net_amount=amounts.net,
                tax_amount=amounts.tax,
                gross_amount=amounts.gross,
            )
        )
    return lines


def bill_to(company: Company) -> dict[str, Any]:
    """The company and its billing address (its first bill-to, else its first location), as
    the document prints them."""
    places = Location.objects.filter(company=company, is_active=True).order_by("kind", "id")
    place = next((p for p in places if p.kind == Location.Kind.BILL_TO), None) or places.first()
    address = {}
    if place is not None:
        address = {
            "name": place.name,
            "line1": place.line1,
            "line2": place.line2,
            "city": place.city,
            "postal_code": place.postal_code,
            "country": place.country,
        }
    return {"company": company.name, "code": company.code, "address": address}


def issue(
    tenant_id: int,
    policy: BillingPolicy,
    company_id: int,
    locked_orders: dict[int, Order],
    billed: list[Billed],
    *,
    issued_on: date,
    shipment_id: int | None = None,
    period: Period | None = None,
) -> Invoice:
    """Issue one invoice for `billed` units of the company's `locked_orders` (rows locked),
    in the caller's transaction; see the module docstring for what it moves."""
    credit_line = CreditLine.objects.select_related("company").get(company_id=company_id)
    first_order = locked_orders[min(locked_orders)]
    lines = _invoice_lines(tenant_id, billed, first_order.currency)
    invoice = _write(
        policy, credit_line, first_order, lines, issued_on, shipment_id=shipment_id, period=period
    )
    receivable = Receivable.objects.create(
        tenant_id=tenant_id,
        invoice=invoice,
        company_id=company_id,
        due_on=invoice.due_on,
        open_amount=invoice.total,
        open_base=invoice.base_total,
    )
    _release_order_credit(locked_orders, lines)
    applied = apply_unapplied_credit(invoice, receivable, invoice.seller.base_currency)
    balances.follow_credit(
        tenant_id=tenant_id,
        seller_id=policy.seller_id,
        company_id=company_id,
        change=invoice.total - applied,
    )
    recorded = [_issued_event(invoice, lines, applied)]
    if applied == invoice.total:
        recorded.append(balances.settled_event(invoice))
    events.record(*recorded)
    return invoice


def _write(
    policy: BillingPolicy,
    credit_line: CreditLine,
    first_order: Order,
    lines: list[InvoiceLine],
    issued_on: date,
    *,
    shipment_id: int | None,
    period: Period | None,
) -> Invoice:
    """The invoice and its lines, at the rate of its day (else its first order's)."""
    seller, currency = policy.seller, first_order.currency
    rate = rates.rate_or(seller, currency, issued_on, first_order.fx_rate)
    total = sum((line.gross_amount for line in lines), Decimal(0))
    invoice = Invoice.objects.create(
        tenant_id=policy.tenant_id,
        seller=seller,
        company_id=credit_line.company_id,
        number=take_number(
            tenant_id=policy.tenant_id, seller_id=seller.pk, kind=DocumentSeries.Kind.INVOICE
        ),
        issued_on=issued_on,
        due_on=payment_terms.due_date(credit_line.terms, credit_line.terms_days, issued_on),
        currency=currency,
        net_total=sum((line.net_amount for line in lines), Decimal(0)),
        tax_total=sum((line.tax_amount for line in lines), Decimal(0)),
        total=total,
        fx_rate=rate,
        base_total=exchange.base_amount(total, rate, seller.base_currency),
        shipment_id=shipment_id,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        terms=credit_line.terms,
        terms_days=credit_line.terms_days,
        bill_to=bill_to(credit_line.company),
        seller_details=seller_details(policy),
        created_at=clock.now(),
    )
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    return invoice


def _release_order_credit(locked_orders: dict[int, Order], lines: list[InvoiceLine]) -> None:
    """Each order's invoiced amount stops counting as an open order's exposure; an order
    invoiced in full releases all it still holds."""
    gross: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        gross[line.order_id] += line.gross_amount
    units = list(
        OrderLine.objects.filter(order_id__in=gross).values_list("order_id", "id", "quantity")
    )
    billed = _billed_before([line_id for _, line_id, _ in units])
    open_orders = {order_id for order_id, line_id, qty in units if billed.get(line_id, 0) < qty}
    for order_id, amount in gross.items():
        orders.release_invoiced_credit(
            locked_orders[order_id], amount, fully_invoiced=order_id not in open_orders
        )


def apply_unapplied_credit(invoice: Invoice, receivable: Receivable, base_currency: str) -> Decimal:
    """Use the company's unapplied credit on a new invoice, oldest source first (each part
    valued in base currency at its source's rate and at the invoice's); returns the amount
    applied."""
    # Every writer of the account holds the company's credit line first, as this caller
    # does: the balance read without a lock cannot change before this transaction ends.
    if balances.unapplied(invoice.tenant_id, invoice.company_id, invoice.currency) <= 0:
        return Decimal(0)
    account = balances.lock_account(invoice.tenant_id, invoice.company_id, invoice.currency)
    # Money paid for other confirmed orders before they ship (prepaid, deposits) stays
    # theirs: only what no confirmed order still waits to be invoiced for pays this one
    # (its own lines are written already, so its orders' money counts as free here).
    promised = committed_to_orders(invoice.tenant_id, invoice.company_id)
    amount = min(account.unapplied - promised, receivable.open_amount)
    if amount <= 0:
        return Decimal(0)
    now = clock.now()
    taken = balances.drawn(
        balances.draw(balances.unapplied_sources(invoice.tenant_id, invoice.company_id), amount),
        exchange.Side(invoice.fx_rate),
        base_currency,
    )
    Allocation.objects.bulk_create(
        [
            Allocation(
                tenant_id=invoice.tenant_id,
                payment_id=source.payment_id,
                credit_note_id=source.credit_note_id,
                invoice=invoice,
                amount=part,
                source_base=bases.source,
                use_base=bases.use,
                created_at=now,
            )
            for source, part, bases in taken
        ]
    )
    balances.settle(receivable.pk, amount, sum((b.use for _s, _p, b in taken), Decimal(0)))
    balances.change_unapplied(account, -amount)
    return amount


def _issued_event(invoice: Invoice, lines: list[InvoiceLine], applied: Decimal) -> Any:
    currency = invoice.currency
    return events.new(
        invoice.tenant_id,
        "invoice.issued",
        "invoice",
        invoice.pk,
        {
            "invoice": invoice.number,
            "company": invoice.bill_to["code"],
            "currency": currency,
            "net_total": format_amount(invoice.net_total, currency),
            "tax_total": format_amount(invoice.tax_total, currency),
            "total": format_amount(invoice.total, currency),
            "exchange_rate": exchange.rate_text(invoice.fx_rate),
            "base_total": format_amount(invoice.base_total, invoice.seller.base_currency),
            "credit_applied": format_amount(applied, currency),
            "open_amount": format_amount(invoice.total - applied, currency),
            "issued_on": invoice.issued_on.isoformat(),
            "due_on": invoice.due_on.isoformat(),
            "orders": sorted({order_number(line.order_id) for line in lines}),
            "shipment": invoice.shipment_id,
        },
    )


def period_through(invoicing: str, on: date) -> date:
    """The last day of the latest period that ended before `on`: the Sunday before for
    weekly invoicing, the last day of the previous month for monthly."""
    if invoicing == BillingPolicy.Invoicing.WEEKLY:
        return on - timedelta(days=on.isoweekday())
    return on.replace(day=1) - timedelta(days=1)


def issue_period_invoices(*, tenant_id: int, seller_id: int, through: date) -> list[Invoice]:
    """Issue each company's invoice for the shipments it has not been billed for, shipped on
    or before `through` (one transaction per company, dated `through`)."""
    companies = (
        UnbilledShipment.objects.filter(
            tenant_id=tenant_id, seller_id=seller_id, shipped_on__lte=through
        )
        .values_list("company_id", flat=True)
        .distinct()
        .order_by("company_id")
    )
    issued = []
    for company_id in list(companies):
        invoice = issue_company_period(
            tenant_id=tenant_id, seller_id=seller_id, company_id=company_id, through=through
        )
        if invoice is not None:
            issued.append(invoice)
    return issued


@transaction.atomic
def issue_company_period(
    *, tenant_id: int, seller_id: int, company_id: int, through: date
) -> Invoice | None:
    """One company's consolidated invoice for its unbilled shipments up to `through`: its
    orders locked (by id), then its credit line, as everywhere."""
    waiting = list(
        UnbilledShipment.objects.select_for_update()
        .filter(
            tenant_id=tenant_id, seller_id=seller_id, company_id=company_id, shipped_on__lte=through
        )
        .select_related("order_line")
        .order_by("shipped_on", "shipment_id", "order_line__order_id", "order_line__line_number")
    )
    if not waiting:
        return None
    order_ids = sorted({w.order_line.order_id for w in waiting})
    locked = {oid: orders.locked_order(tenant_id, oid) for oid in order_ids}
    balances.lock_credit(tenant_id, company_id)
    invoice = issue(
        tenant_id,
        policy_for(tenant_id, seller_id),
        company_id,
        locked,
        [Billed(w.order_line, w.quantity) for w in waiting],
        issued_on=through,
        period=Period(min(w.shipped_on for w in waiting), through),
    )
    UnbilledShipment.objects.filter(pk__in=[w.pk for w in waiting]).delete()
    return invoice
