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
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dinghuo.billing import exchange, proration
from dinghuo.billing.models import (
    Allocation,
    BillingPolicy,
    DocumentSeries,
    Invoice,
    UnbilledShipment,
)
from dinghuo.billing.services import balances, invoice_rows, rates
from dinghuo.billing.services.invoice_rows import Billee, Line
from dinghuo.billing.services.invoice_rows import bill_to as bill_to  # statements print it
from dinghuo.billing.services.numbering import take_number
from dinghuo.billing.services.payments import committed_to_orders
from dinghuo.billing.services.policy import policy_for, seller_details
from dinghuo.core import clock
from dinghuo.core.db import insert_rows
from dinghuo.core.models import Seller
from dinghuo.core.money import format_amount, minor_units
from dinghuo.customers import terms as payment_terms
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


@dataclass
class Issuer:
    """What every invoice of a run shares, read once per run rather than per invoice: the
    seller's billing policy (with its seller) and the exchange rates of the day."""

    policy: BillingPolicy
    day_rates: rates.DayRates = field(default_factory=rates.DayRates)

    def seller(self, billee: Billee) -> Seller:
        """The policy's seller: as read with the policy, else as `billee` read it."""
        policy = self.policy
        if not BillingPolicy.seller.is_cached(policy):  # the defaults: no policy row
            policy.seller = Seller(
                pk=policy.seller_id,
                tenant_id=policy.tenant_id,
                name=billee.seller_name,
                base_currency=billee.base_currency,
            )
        return policy.seller


def issuer_for(tenant_id: int, seller_id: int) -> Issuer:
    """A run's issuer for the seller, its seller read (one or two queries)."""
    policy = policy_for(tenant_id, seller_id)
    _ = policy.seller  # read now, once, when the seller has no policy row
    return Issuer(policy)


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
            Issuer(policy),
            order.company_id,
            {order.pk: order},
            lines,
            shipment_id=shipment_id,
            issued_on=today(),
        )
    on = today()
    invoice_rows.queue(
        [
            (order.tenant_id, order.seller_id, order.company_id, shipment_id,
             billed.order_line.pk, billed.quantity, on)
            for billed in lines
        ]
    )  # fmt: skip
    return None


def _invoice_lines(
    billed: list[Billed], currency: str, units: dict[int, invoice_rows.Units]
) -> list[Line]:
    """Each billed part of a line at its share of the line's amounts (`proration`); `units`
    counts them as billed."""
    digits = minor_units(currency)
    lines = []
    for item in billed:
        ol = item.order_line
        held = units[ol.pk]
        amounts = proration.part(
            proration.Amounts(ol.net_amount, ol.tax_amount),
            before=held.billed,
            units=item.quantity,
            of=ol.quantity,
            minor_units=digits,
        )
        held.billed += item.quantity
        lines.append(Line(ol, item.quantity, amounts.net, amounts.tax))
    return lines


def issue(
    issuer: Issuer,
    company_id: int,
    locked_orders: dict[int, Order],
    billed: list[Billed],
    *,
    issued_on: date,
    shipment_id: int | None = None,
    period: Period | None = None,
) -> Invoice:
    """Issue one invoice for `billed` units of the company's `locked_orders` (rows locked,
    then its credit line), in the caller's transaction; see the module docstring for what it
    moves."""
    policy = issuer.policy
    billee = invoice_rows.billee(policy.tenant_id, policy.seller_id, company_id)
    units = invoice_rows.units(sorted(locked_orders))
    first_order = locked_orders[min(locked_orders)]
    lines = _invoice_lines(billed, first_order.currency, units)
    invoice = _new_invoice(
        issuer, billee, company_id, first_order, lines, issued_on, shipment_id, period
    )
    receivable_id = invoice_rows.insert(invoice, lines)
    _release_order_credit(locked_orders, lines, units)
    applied = _apply_credit(invoice, receivable_id, billee)
    owed = invoice.total - applied
    open_dues = [d for d in (billee.oldest_due_on, invoice.due_on if owed > 0 else None) if d]
    balances.follow_credit(
        tenant_id=policy.tenant_id,
        seller_id=policy.seller_id,
        company_id=company_id,
        change=owed,
        oldest_due_on=min(open_dues, default=None),
    )
    recorded = [_issued_event(invoice, lines, applied)]
    if applied == invoice.total:
        recorded.append(balances.settled_event(invoice))
    events.record(*recorded)
    return invoice


def _new_invoice(
    issuer: Issuer,
    billee: Billee,
    company_id: int,
    first_order: Order,
    lines: list[Line],
    issued_on: date,
    shipment_id: int | None,
    period: Period | None,
) -> Invoice:
    """The invoice (not yet written) with its number, at the rate of its day (else its first
    order's), its terms, bill-to and seller's details frozen."""
    policy, currency = issuer.policy, first_order.currency
    seller = issuer.seller(billee)
    found = issuer.day_rates.of(seller, currency, issued_on)
    rate = first_order.fx_rate if found is None else found
    total = sum((line.gross for line in lines), Decimal(0))
    return Invoice(
        tenant_id=policy.tenant_id,
        seller=seller,
        company_id=company_id,
        number=take_number(
            tenant_id=policy.tenant_id, seller_id=seller.pk, kind=DocumentSeries.Kind.INVOICE
        ),
        issued_on=issued_on,
        due_on=payment_terms.due_date(billee.terms, billee.terms_days, issued_on),
        currency=currency,
        net_total=sum((line.net for line in lines), Decimal(0)),
        tax_total=sum((line.tax for line in lines), Decimal(0)),
        total=total,
        fx_rate=rate,
        base_total=exchange.base_amount(total, rate, seller.base_currency),
        shipment_id=shipment_id,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        terms=billee.terms,
        terms_days=billee.terms_days,
        bill_to=billee.bill_to,
        seller_details=seller_details(policy),
        created_at=clock.now(),
    )


def _release_order_credit(
    locked_orders: dict[int, Order], lines: list[Line], units: dict[int, invoice_rows.Units]
) -> None:
    """Each order's invoiced amount stops counting as an open order's exposure; an order
    invoiced in full (`units` counting this invoice) releases all it still holds."""
    gross: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        gross[line.order_line.order_id] += line.gross
    open_orders = {u.order_id for u in units.values() if u.billed < u.quantity}
    for order_id, amount in gross.items():
        orders.release_invoiced_credit(
            locked_orders[order_id], amount, fully_invoiced=order_id not in open_orders
        )


_ALLOCATION_FIELDS = [
    "tenant_id", "payment_id", "credit_note_id", "invoice_id", "amount", "source_base",
    "use_base", "created_at",
]  # fmt: skip


def _apply_credit(invoice: Invoice, receivable_id: int, billee: Billee) -> Decimal:
    """Use the company's unapplied credit on a new invoice, oldest source first (each part
    valued in base currency at its source's rate and at the invoice's); returns the amount
    applied."""
    # Every writer of the account holds the company's credit line first, as this caller
    # does: the balance read without a lock cannot change before this transaction ends.
    if billee.credit_currency != invoice.currency or billee.unapplied <= 0:
        return Decimal(0)
    account = balances.lock_account(invoice.tenant_id, invoice.company_id, invoice.currency)
    # Money paid for other confirmed orders before they ship (prepaid, deposits) stays
    # theirs: only what no confirmed order still waits to be invoiced for pays this one
    # (its own lines are inserted already, so its orders' money counts as free here).
    promised = committed_to_orders(invoice.tenant_id, invoice.company_id)
    amount = min(account.unapplied - promised, invoice.total)
    if amount <= 0:
        return Decimal(0)
    now = clock.now()
    taken = balances.drawn(
        balances.draw(balances.unapplied_sources(invoice.tenant_id, invoice.company_id), amount),
        exchange.Side(invoice.fx_rate),
        billee.base_currency,
    )
    insert_rows(
        Allocation,
        _ALLOCATION_FIELDS,
        [
            (invoice.tenant_id, source.payment_id, source.credit_note_id, invoice.pk, part,
             bases.source, bases.use, now)
            for source, part, bases in taken
        ],
    )  # fmt: skip
    balances.settle(receivable_id, amount, sum((b.use for _s, _p, b in taken), Decimal(0)))
    balances.change_unapplied(account, -amount)
    return amount


def _issued_event(invoice: Invoice, lines: list[Line], applied: Decimal) -> Any:
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
            "orders": sorted({order_number(line.order_line.order_id) for line in lines}),
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
    or before `through` (one transaction per company, dated `through`; the seller's policy
    and rates read once for the run)."""
    companies = (
        UnbilledShipment.objects.filter(
            tenant_id=tenant_id, seller_id=seller_id, shipped_on__lte=through
        )
        .values_list("company_id", flat=True)
        .distinct()
        .order_by("company_id")
    )
    issuer = issuer_for(tenant_id, seller_id)
    issued = []
    for company_id in list(companies):
        invoice = issue_company_period(
            tenant_id=tenant_id,
            seller_id=seller_id,
            company_id=company_id,
            through=through,
            issuer=issuer,
        )
        if invoice is not None:
            issued.append(invoice)
    return issued


@transaction.atomic
def issue_company_period(
    *,
    tenant_id: int,
    seller_id: int,
    company_id: int,
    through: date,
    issuer: Issuer | None = None,
) -> Invoice | None:
    """One company's consolidated invoice for its unbilled shipments up to `through`: its
    orders locked (by id), then its credit line, as everywhere. `issuer`: a run's (else the
    seller's policy is read here)."""
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
        issuer or issuer_for(tenant_id, seller_id),
        company_id,
        locked,
        [Billed(w.order_line, w.quantity) for w in waiting],
        issued_on=through,
        period=Period(min(w.shipped_on for w in waiting), through),
    )
    UnbilledShipment.objects.filter(pk__in=[w.pk for w in waiting]).delete()
    return invoice
