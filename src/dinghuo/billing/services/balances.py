"""The running balances beside billing's append-only rows, and the credit they feed.

Lock order (after any order rows): the company's credit line, then its account, then its
receivables. Every billing write takes them in this order, so a payment, a credit note and
an invoice of one company queue rather than deadlock, and none reads a half-changed balance.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import F, Min, Sum
from django.db.models.functions import Coalesce

from dinghuo.billing import exchange
from dinghuo.billing.models import Account, CreditNote, Invoice, Payment, Receivable
from dinghuo.core import clock
from dinghuo.core.db import exact, select_rows
from dinghuo.core.errors import Conflict
from dinghuo.core.money import format_amount
from dinghuo.core.writes import UNSET, Unset
from dinghuo.customers import services as customers
from dinghuo.integrations import events
from dinghuo.integrations.models import Event

# Any money column converts a value as every one does (four places).
_MONEY = Receivable._meta.get_field("open_amount")


def lock_credit(tenant_id: int, company_id: int) -> None:
    """Lock the company's credit line: the first of billing's locks (after order rows)."""
    customers.lock_credit_line(tenant_id=tenant_id, company_id=company_id)


def unapplied(tenant_id: int, company_id: int, currency: str) -> Decimal:
    """The company's unapplied credit in `currency` (0 without an account, or one in another
    currency); read under its credit line's lock, since every writer of the account holds
    that first."""
    held = (
        Account.objects.filter(tenant_id=tenant_id, company_id=company_id, currency=currency)
        .values_list("unapplied", flat=True)
        .first()
    )
    return held or Decimal(0)


def lock_account(tenant_id: int, company_id: int, currency: str) -> Account:
    """The company's account in `currency` (made on first use), locked; the credit line must
    be locked. An empty account takes the currency of the money it is given (a company whose
    price list changed currency); credit held in another currency is refused (409
    `credit_in_other_currency`) rather than mixed."""
    held = Account.objects.select_for_update().filter(tenant_id=tenant_id, company_id=company_id)
    account = held.first()
    if account is None:  # most companies have one: made only on first use
        Account.objects.bulk_create(
            [Account(tenant_id=tenant_id, company_id=company_id, currency=currency)],
            ignore_conflicts=True,
        )
        account = held.get()
    if account.currency != currency:
        if account.unapplied:
            raise Conflict(
                f"The company holds credit in {account.currency}; refund or use it first.",
                code="credit_in_other_currency",
            )
        account.currency = currency
        Account.objects.filter(pk=account.pk).update(currency=currency)
    return account


def change_unapplied(account: Account, amount: Decimal) -> None:
    """Add `amount` (negative to use it) to the locked account's unapplied credit."""
    account.unapplied += amount
    if account.unapplied < 0:
        raise Conflict("Not enough unapplied credit.", code="unapplied_credit_exhausted")
    Account.objects.filter(pk=account.pk).update(unapplied=exact(F("unapplied") + amount))


def settle(receivable_id: int, amount: Decimal, base: Decimal) -> None:
    """Lower an invoice's open amount by `amount` (and what is open in base currency by
    `base`, the allocation's `use_base`), never below zero: a guarded update that refuses
    (409 `over_settled`) when the invoice owes less than that."""
    settle_many({receivable_id: (amount, base)})


def settle_many(parts: dict[int, tuple[Decimal, Decimal]]) -> None:
    """`settle` for several receivables at once (receivable id → amount, base), in one
    guarded UPDATE: 409 `over_settled` when any of them owes less than its amount. Those
    left owing nothing are marked settled now."""
    if not parts:
        return
    table = connection.ops.quote_name(Receivable._meta.db_table)
    now = Receivable._meta.get_field("settled_at").get_db_prep_save(clock.now(), connection)
    params: list[Any] = [now]
    for receivable_id, (amount, base) in parts.items():
        params += [receivable_id, _MONEY.get_db_prep_save(amount, connection)]
        params.append(_MONEY.get_db_prep_save(base, connection))
    values = ", ".join(["(%s, %s, %s)"] * len(parts))
    # SET reads the row as it was before the update, on both databases; rounded to the
    # columns' four places because SQLite subtracts with floating point.
    sql = (
        f"UPDATE {table} SET open_amount = ROUND({table}.open_amount - v.column2, 4), "  # noqa: S608
        f"open_base = ROUND({table}.open_base - v.column3, 4), "
        f"settled_at = CASE WHEN ROUND({table}.open_amount - v.column2, 4) = 0 "
        f"THEN COALESCE({table}.settled_at, %s) ELSE {table}.settled_at END "
        f"FROM (VALUES {values}) AS v "
        f"WHERE {table}.id = v.column1 AND {table}.open_amount >= v.column2 "
        f"RETURNING {table}.id"
    )
    if len(select_rows(sql, params)) != len(parts):
        raise Conflict("The invoice owes less than that.", code="over_settled")


def oldest_open_due_on(tenant_id: int, company_id: int) -> date | None:
    """The due date of the company's oldest invoice still open."""
    oldest: date | None = Receivable.objects.filter(
        tenant_id=tenant_id, company_id=company_id, open_amount__gt=0
    ).aggregate(oldest=Min("due_on"))["oldest"]
    return oldest


def follow_credit(
    *,
    tenant_id: int,
    seller_id: int,
    company_id: int,
    change: Decimal,
    oldest_due_on: date | Unset | None = UNSET,
) -> None:
    """Tell the company's credit line its invoices now owe `change` more (less when
    negative), with the due date of the oldest still open (read here unless the caller,
    holding every open receivable of the company, gives it as `oldest_due_on`)."""
    if isinstance(oldest_due_on, Unset):
        oldest_due_on = oldest_open_due_on(tenant_id, company_id)
    customers.change_invoice_exposure(
        tenant_id=tenant_id,
        seller_id=seller_id,
        company_id=company_id,
        amount=change,
        oldest_unpaid_due_on=oldest_due_on,
    )


@dataclass(frozen=True)
class Source:
    """A payment or credit note with money not yet given to an invoice or a refund: what it
    gave before (its currency) and its rate, for the base of what it gives next."""

    payment_id: int | None
    credit_note_id: int | None
    left: Decimal
    given: Decimal
    rate: Decimal


def unapplied_sources(tenant_id: int, company_id: int) -> list[Source]:
    """The company's payments and credit notes with money left, oldest first (payments by
    the day received, then credit notes by number)."""
    given = Coalesce(Sum("allocations__amount"), Decimal(0))
    payments = (
        Payment.objects.filter(tenant_id=tenant_id, company_id=company_id, kind="received")
        .annotate(given=given)
        .order_by("received_on", "id")
        .values_list("id", "amount", "given", "fx_rate")
    )
    notes = (
        CreditNote.objects.filter(tenant_id=tenant_id, company_id=company_id)
        .annotate(given=given)
        .order_by("id")
        .values_list("id", "total", "given", "fx_rate")
    )
    # What is left is worked out here, to four decimals, not compared in SQL: SQLite sums
    # with floating point.
    sources = [
        Source(i, None, _left(amount, used), _exact(used), rate)
        for i, amount, used, rate in payments
    ]
    sources += [
        Source(None, i, _left(total, used), _exact(used), rate) for i, total, used, rate in notes
    ]
    return [source for source in sources if source.left > 0]


def _exact(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001"))


def _left(amount: Decimal, used: Decimal) -> Decimal:
    return _exact(amount - Decimal(used))


def drawn(
    taken: list[tuple[Source, Decimal]], use: exchange.Side, base_currency: str
) -> list[tuple[Source, Decimal, exchange.Bases]]:
    """What `draw` took given to a use (an invoice or a refund, `use.before` of it moved
    already): each source, its part and the part's base at each side's rate, by running
    totals on both sides."""
    result = []
    before = use.before
    for source, part in taken:
        bases = exchange.bases(
            part,
            source=exchange.Side(source.rate, source.given),
            use=exchange.Side(use.rate, before),
            base_currency=base_currency,
        )
        result.append((source, part, bases))
        before += part
    return result


def draw(sources: list[Source], amount: Decimal) -> list[tuple[Source, Decimal]]:
    """Take `amount` from `sources` in their order: each source and what it gives."""
    taken = []
    left = amount
    for source in sources:
        if left <= 0:
            break
        part = min(left, source.left)
        if part <= 0:
            continue
        taken.append((source, part))
        left -= part
    if left > 0:
        raise Conflict("Not enough unapplied credit.", code="unapplied_credit_exhausted")
    return taken


def settled_event(invoice: Invoice) -> Event:
    """`invoice.settled`: nothing is open on the invoice any more."""
    return events.new(
        invoice.tenant_id,
        "invoice.settled",
        "invoice",
        invoice.pk,
        {
            "invoice": invoice.number,
            "currency": invoice.currency,
            "total": format_amount(invoice.total, invoice.currency),
        },
    )
