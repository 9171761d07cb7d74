"""Billing reads for the API and pages: tenant-scoped, a fixed number of queries. With
`company_id` (a buyer asking) another company's documents are not found."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from dinghuo.billing import aging, journal
from dinghuo.billing.models import (
    Account,
    Allocation,
    BillingPolicy,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    Payment,
    Receivable,
)
from dinghuo.billing.services.payments import committed_to_orders
from dinghuo.core.errors import NotFound
from dinghuo.core.models import Seller
from dinghuo.core.money import round_money

OPEN, OVERDUE, PAID = "open", "overdue", "paid"
INVOICE_STATES = (OPEN, OVERDUE, PAID)


def invoice_state(invoice: Invoice, today: date) -> str:
    """paid (nothing open), overdue (open past its due date) or open."""
    open_amount = invoice.receivable.open_amount
    if open_amount == 0:
        return PAID
    return OVERDUE if invoice.due_on < today else OPEN


def invoices(
    tenant_id: int,
    *,
    company_id: int | None = None,
    state: str | None = None,
    today: date | None = None,
) -> QuerySet[Invoice]:
    """The tenant's invoices, newest first, with what is open on each (one query); by
    company and by state (open, overdue, paid; overdue needs `today`)."""
    qs = Invoice.objects.filter(tenant_id=tenant_id).select_related(
        "receivable", "company", "seller"
    )
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    if state == PAID:
        qs = qs.filter(receivable__open_amount=0)
    elif state == OPEN:
        qs = qs.filter(receivable__open_amount__gt=0)
    elif state == OVERDUE:
        qs = qs.filter(receivable__open_amount__gt=0, due_on__lt=today)
    return qs.order_by("-id")


def invoice_detail(tenant_id: int, invoice_id: int, *, company_id: int | None = None) -> Invoice:
    """One invoice with its lines, what is open, its allocations (with their payments and
    credit notes) and its credit notes (four queries)."""
    found = Invoice.objects.filter(tenant_id=tenant_id, pk=invoice_id)
    if company_id is not None:
        found = found.filter(company_id=company_id)
    invoice = (
        found.select_related("receivable", "company", "seller")
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("line_number")),
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("payment", "credit_note").order_by("id"),
            ),
            Prefetch(
                "credit_notes", queryset=CreditNote.objects.select_related("seller").order_by("id")
            ),
        )
        .first()
    )
    if invoice is None:
        raise NotFound(f"No invoice {invoice_id}.")
    return invoice


def credit_notes(
    tenant_id: int, *, company_id: int | None = None, invoice_id: int | None = None
) -> QuerySet[CreditNote]:
    """The tenant's credit notes, newest first, with their invoices."""
    qs = CreditNote.objects.filter(tenant_id=tenant_id).select_related(
        "invoice", "company", "seller"
    )
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    if invoice_id is not None:
        qs = qs.filter(invoice_id=invoice_id)
    return qs.order_by("-id")


def credit_note_detail(
    tenant_id: int, credit_note_id: int, *, company_id: int | None = None
) -> CreditNote:
    """One credit note with its invoice and lines (two queries)."""
    found = CreditNote.objects.filter(tenant_id=tenant_id, pk=credit_note_id)
    if company_id is not None:
        found = found.filter(company_id=company_id)
    note = (
        found.select_related("invoice", "company", "seller")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=CreditNoteLine.objects.select_related("invoice_line").order_by(
                    "line_number"
                ),
            )
        )
        .first()
    )
    if note is None:
        raise NotFound(f"No credit note {credit_note_id}.")
    return note


def payments(
    tenant_id: int, *, company_id: int | None = None, kind: str | None = None
) -> QuerySet[Payment]:
    """The tenant's payments and refunds, newest first."""
    qs = Payment.objects.filter(tenant_id=tenant_id).select_related("company", "seller")
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.order_by("-id")


def payment_detail(tenant_id: int, payment_id: int, *, company_id: int | None = None) -> Payment:
    """One payment (or refund) with where its money went (two queries)."""
    found = Payment.objects.filter(tenant_id=tenant_id, pk=payment_id)
    if company_id is not None:
        found = found.filter(company_id=company_id)
    payment = (
        found.select_related("company", "seller")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("invoice", "refund").order_by("id"),
            ),
            Prefetch(
                "refunded_from",
                queryset=Allocation.objects.select_related("payment", "credit_note"),
            ),
        )
        .first()
    )
    if payment is None:
        raise NotFound(f"No payment {payment_id}.")
    return payment


@dataclass(frozen=True)
class Balance:
    """Where a company stands with the seller."""

    currency: str
    open_total: Decimal  # what its invoices still owe
    overdue_total: Decimal  # of which past due
    unapplied: Decimal  # money held for it, not yet applied
    refundable: Decimal  # unapplied, less what confirmed prepaid orders still need
    oldest_due_on: date | None


def balance(tenant_id: int, company_id: int, currency: str, today: date) -> Balance:
    """The company's open and overdue invoice totals and its unapplied credit (three
    queries, four when it holds credit)."""
    open_rows = Receivable.objects.filter(
        tenant_id=tenant_id, company_id=company_id, open_amount__gt=0
    )
    sums = open_rows.aggregate(
        open=Sum("open_amount"), overdue=Sum("open_amount", filter=Q(due_on__lt=today))
    )
    oldest = open_rows.order_by("due_on").values_list("due_on", flat=True).first()
    unapplied = (
        Account.objects.filter(tenant_id=tenant_id, company_id=company_id)
        .values_list("unapplied", flat=True)
        .first()
    ) or Decimal(0)
    committed = committed_to_orders(tenant_id, company_id) if unapplied else Decimal(0)
    return Balance(
        currency,
        sums["open"] or Decimal(0),
        sums["overdue"] or Decimal(0),
        unapplied,
        max(unapplied - committed, Decimal(0)),
        oldest,
    )


@dataclass(frozen=True)
class CompanyAging:
    """What one company owes in one currency, by bucket: in that currency (`aged`) and in
    the seller's base currency at the invoices' rates (`base`)."""

    company_id: int
    code: str
    name: str
    currency: str
    aged: aging.Aged
    base_currency: str
    base: aging.Aged


def receivables_aging(tenant_id: int, on: date) -> list[CompanyAging]:
    """Every company with open invoices, its open amounts by aging bucket as of `on`, in its
    currency and in base currency (one query: the database sums by company and bucket), by
    company code."""
    bounds = [on - timedelta(days=days) for days in (0, 30, 60, 90)]
    case = Case(
        When(due_on__gte=bounds[0], then=Value(aging.CURRENT)),
        When(due_on__gte=bounds[1], then=Value(aging.DAYS_1_30)),
        When(due_on__gte=bounds[2], then=Value(aging.DAYS_31_60)),
        When(due_on__gte=bounds[3], then=Value(aging.DAYS_61_90)),
        default=Value(aging.OVER_90),
        output_field=CharField(),
    )
    rows = (
        Receivable.objects.filter(tenant_id=tenant_id, open_amount__gt=0)
        .annotate(bucket=case)
        .values(
            "company_id",
            "company__code",
            "company__name",
            "invoice__currency",
            "invoice__seller__base_currency",
            "bucket",
        )
        .annotate(amount=Sum("open_amount"), base=Sum("open_base"))
        .order_by()
    )
    sums: dict[tuple[int, str, str, str, str], tuple[dict[str, Decimal], dict[str, Decimal]]] = {}
    for row in rows:
        key = (
            row["company_id"],
            row["company__code"],
            row["company__name"],
            row["invoice__currency"],
            row["invoice__seller__base_currency"],
        )
        own, base = sums.setdefault(key, (_no_buckets(), _no_buckets()))
        own[row["bucket"]] += row["amount"]
        base[row["bucket"]] += row["base"]
    return sorted(
        (
            CompanyAging(cid, code, name, currency, _aged(own), base_currency, _aged(base))
            for (cid, code, name, currency, base_currency), (own, base) in sums.items()
        ),
        key=lambda row: (row.code, row.currency),
    )


def _no_buckets() -> dict[str, Decimal]:
    return dict.fromkeys(aging.BUCKETS, Decimal(0))


def _aged(by_bucket: dict[str, Decimal]) -> aging.Aged:
    return aging.Aged(*(by_bucket[name] for name in aging.BUCKETS))


def _taxes(rows: Iterable[dict[str, Any]], key: str) -> dict[int, list[journal.TaxPart]]:
    taxes: dict[int, list[journal.TaxPart]] = defaultdict(list)
    for row in rows:
        taxes[row[key]].append(journal.TaxPart(row["tax_name"] or "Tax", row["tax"]))
    return taxes


def _document_entries(
    tenant_id: int, chart: dict[str, str], base: str, since: date, through: date
) -> list[journal.Entry]:
    """Invoices and credit notes issued in the period (four queries)."""
    invoices = Invoice.objects.filter(
        tenant_id=tenant_id, issued_on__range=(since, through)
    ).select_related("company")
    notes = CreditNote.objects.filter(
        tenant_id=tenant_id, issued_on__range=(since, through)
    ).select_related("company", "invoice")
    invoice_taxes = _taxes(
        InvoiceLine.objects.filter(invoice__in=invoices)
        .values("invoice_id", "tax_name")
        .annotate(tax=Sum("tax_amount"))
        .order_by("invoice_id", "tax_name"),
        "invoice_id",
    )
    note_taxes = _taxes(
        CreditNoteLine.objects.filter(credit_note__in=notes)
        .values("credit_note_id", "tax_name")
        .annotate(tax=Sum("tax_amount"))
        .order_by("credit_note_id", "tax_name"),
        "credit_note_id",
    )
    entries = [
        journal.invoice_entry(
            chart,
            i.issued_on,
            i.number,
            i.company.name,
            journal.Rate(i.currency, i.fx_rate, base),
            round_money(i.net_total, i.currency),
            invoice_taxes[i.pk],
            round_money(i.base_total, base),
        )
        for i in invoices
    ]
    entries += [
        journal.credit_note_entry(
            chart,
            n.issued_on,
            n.number,
            n.company.name,
            journal.Rate(n.currency, n.fx_rate, base),
            round_money(n.net_total, n.currency),
            note_taxes[n.pk],
            n.invoice.number,
            round_money(n.base_total, base),
        )
        for n in notes
    ]
    return entries


def _payment_entries(
    tenant_id: int, chart: dict[str, str], base: str, since: date, through: date
) -> list[journal.Entry]:
    """Payments and refunds in the period, a refund with the base value of the money it paid
    back (one query)."""
    entries = []
    found = (
        Payment.objects.filter(tenant_id=tenant_id, received_on__range=(since, through))
        .select_related("company")
        .annotate(drawn_base=Sum("refunded_from__source_base"))
        .order_by("id")
    )
    for p in found:
        rate = journal.Rate(p.currency, p.fx_rate, base)
        amount, base_amount = round_money(p.amount, p.currency), round_money(p.base_amount, base)
        label = p.reference or f"{p.get_kind_display()} {p.pk}"
        day, company = p.received_on, p.company.name
        if p.kind == Payment.Kind.RECEIVED:
            entry = journal.payment_entry(
                chart, day, label, company, rate, p.method, amount, base_amount
            )
        else:
            drawn = round_money(Decimal(p.drawn_base or 0), base)
            entry = journal.refund_entry(
                chart, day, label, company, rate, p.method, amount, base_amount, drawn
            )
        entries.append(entry)
    return entries


def _allocation_entries(
    tenant_id: int, chart: dict[str, str], base: str, since: date, through: date
) -> list[journal.Entry]:
    """The applications of money to invoices in the period (one query)."""
    entries = []
    applied = Allocation.objects.filter(
        tenant_id=tenant_id, invoice__isnull=False, created_at__date__range=(since, through)
    ).select_related("invoice__company", "payment", "credit_note")
    for a in applied:
        invoice = a.invoice
        assert invoice is not None  # filtered above
        if a.credit_note is not None:
            source, source_rate = a.credit_note.number, a.credit_note.fx_rate
        else:
            assert a.payment is not None  # one source or the other (a constraint)
            source, source_rate = a.payment.reference or "Payment", a.payment.fx_rate
        entries.append(
            journal.allocation_entry(
                chart,
                timezone.localdate(a.created_at),
                invoice.number,
                invoice.company.name,
                journal.Rate(invoice.currency, invoice.fx_rate, base),
                round_money(a.amount, invoice.currency),
                source,
                source_rate=source_rate,
                source_base=round_money(a.source_base, base),
                use_base=round_money(a.use_base, base),
            )
        )
    return entries


def journal_entries(
    tenant_id: int, seller_id: int, through: date, since: date | None = None
) -> list[journal.Entry]:
    """The seller's journal from `since` (the beginning) through `through`, by date: its
    invoices, credit notes, payments, refunds and applications of money, in its chart of
    accounts and its base currency."""
    seller = Seller.objects.only("base_currency").get(tenant_id=tenant_id, pk=seller_id)
    policy = BillingPolicy.objects.filter(tenant_id=tenant_id, seller_id=seller_id).first()
    chart = journal.chart(policy.accounts if policy else {})
    base, start = seller.base_currency, since or date.min
    entries = _document_entries(tenant_id, chart, base, start, through)
    entries += _payment_entries(tenant_id, chart, base, start, through)
    entries += _allocation_entries(tenant_id, chart, base, start, through)
    return sorted(entries, key=lambda e: (e.day, e.document))
