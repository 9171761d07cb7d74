"""Invoices as the buyer's and the staff's pages show them, in the reader's language: the
state words (open, overdue, paid), how a payment was made, an invoice's lines named in the
reader's language with its tax per rate and what settled it, and its PDF in that language."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.billing import queries as billing
from dinghuo.billing.models import Invoice, InvoiceLine, Payment
from dinghuo.core import clock
from dinghuo.orders.models import Order, OrderLine
from dinghuo.pages.skus import sku_names
from dinghuo.pages.taxes import tax_rows

STATE_LABELS: dict[str, Any] = {
    billing.OPEN: _("Open"),
    billing.OVERDUE: _("Overdue"),
    billing.PAID: _("Paid"),
}
# The badge of each state: paid is done, overdue needs the reader.
STATE_BADGES = {billing.OPEN: "", billing.OVERDUE: "badge--bad", billing.PAID: "badge--ok"}
METHOD_LABELS: dict[str, Any] = dict(Payment.Method.choices)
KIND_LABELS: dict[str, Any] = dict(Payment.Kind.choices)
# The languages billing's documents are written in.
PDF_LANGUAGES = ("en", "zh-hant", "zh-hans")


def business_day() -> date:
    """Today, as billing dates its documents (UTC, like every date here)."""
    return timezone.localdate(clock.now())


def pdf_language() -> str:
    """The reader's language as the documents know it (English when it is none of theirs)."""
    language = (translation.get_language() or "en").lower()
    return language if language in PDF_LANGUAGES else "en"


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A PDF to download, named after its document."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def state_of(invoice: Invoice, today: date) -> tuple[Invoice, str, Any, str]:
    """(invoice, its state, the state's words, its badge class); the receivable loaded."""
    state = billing.invoice_state(invoice, today)
    return invoice, state, STATE_LABELS[state], STATE_BADGES[state]


def line_names(tenant_id: int, lines: Sequence[InvoiceLine]) -> dict[int, str]:
    """Each invoice line's item in the reader's language, by line id (two queries); the
    description the invoice printed where the SKU has no name."""
    sku_of = dict(
        OrderLine.objects.filter(pk__in=[line.order_line_id for line in lines]).values_list(
            "pk", "sku_id"
        )
    )
    names = sku_names(tenant_id, sku_of.values())
    return {
        line.pk: names.get(sku_of.get(line.order_line_id, 0), line.description) for line in lines
    }


def terms_words(terms: str, days: int) -> str:
    """The payment terms frozen on an invoice, in the reader's language (the words the
    company page uses for its credit terms)."""
    if terms == "prepaid":
        return gettext("Prepaid")
    if terms == "eom":
        if not days:
            return gettext("End of month")
        return gettext("End of month + %(days)d days") % {"days": days}
    return gettext("Net %(days)d days") % {"days": days}


def invoice_context(tenant_id: int, invoice: Invoice, today: date) -> dict[str, Any]:
    """What an invoice page shows (`billing.queries.invoice_detail`'s invoice): its state,
    lines with their names, the tax per rate, what payments and credit notes settled, its
    credit notes and the orders it bills (four queries more)."""
    lines = list(invoice.lines.all())
    names = line_names(tenant_id, lines)
    # The rates' translated names in one query. `tax_rows` reads of a line only what invoice
    # lines share with order lines (rate, percent, net, tax).
    prefetch_related_objects(lines, "tax_rate")
    allocations = list(invoice.allocations.all())
    _shown, state, label, badge = state_of(invoice, today)
    return {
        "invoice": invoice,
        "state": state,
        "state_label": label,
        "state_badge": badge,
        "terms": terms_words(invoice.terms, invoice.terms_days),
        "lines": [(line, names[line.pk]) for line in lines],
        "tax_rows": tax_rows(cast("list[Any]", lines)),
        "paid": sum((a.amount for a in allocations if a.payment_id), Decimal(0)),
        "credited": sum((a.amount for a in allocations if a.credit_note_id), Decimal(0)),
        "settlements": [
            (a, METHOD_LABELS.get(a.payment.method, "") if a.payment else "") for a in allocations
        ],
        "credit_notes": list(invoice.credit_notes.all()),
        "orders": [Order(pk=pk) for pk in sorted({line.order_id for line in lines})],
        "seller": invoice.seller_details,
        "bill_to": invoice.bill_to,
    }
