"""The demo's money after shipping: the seller's billing details, and how its customers pay.

The seller invoices each shipment as it ships (billing does that inside `ship_order`). Each
customer then pays the way it always does: by bank transfer quoting the invoice numbers, or
by cheque; a few days before or after the due date; some in a weekly payment run that
settles everything falling due before the next one. A few invoices are paid in two parts.
The exceptions the demo shows:
- the late payer stops paying after a while, so its invoices fall overdue and its orders go
  on credit hold (the credit check reads the real due dates);
- the prepaid company pays each order before it is confirmed (the payment confirms it); the
  deposit company pays each order's deposit the same way, and its invoices then take the
  deposits, the rest due on its terms;
- one company overpays, leaving unapplied credit; two invoices are corrected by credit
  notes (damaged goods, and a goodwill amount).
Everything is written through `billing.services`, each step as of its own moment.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import partial

from django.utils import timezone

from dinghuo.billing import services as billing
from dinghuo.billing.models import Invoice, InvoiceLine, Payment, Receivable
from dinghuo.core import clock
from dinghuo.core.models import Seller, Tenant
from dinghuo.demo.agenda import Agenda, once
from dinghuo.demo.buyers import Buyer
from dinghuo.demo.terms import Specials
from dinghuo.orders.models import Order
from dinghuo.orders.states import OPEN_STATUSES

RECORDED_BY = "staff (demo)"
# As a Hong Kong wholesaler prints them: in English and Chinese.
SELLER_DETAILS = {
    "legal_name": "Harbour Trading Company Limited 海港貿易有限公司",
    "address": (
        "Units 1208–1210, 12/F, Kwai Chung Plaza\n"
        "7–11 Kwai Foo Road, Kwai Chung\n"
        "New Territories, Hong Kong\n"
        "香港新界葵涌葵富路7–11號葵涌廣場12樓1208–1210室"
    ),
    "tax_number": "BR No. 71834526-000",
    "payment_instructions": (
        "Bank transfer to The Hongkong and Shanghai Banking Corporation Limited (bank code 004)\n"
        "Account name: Harbour Trading Company Limited\n"
        "Account number: 512-338197-001 (HKD), 512-338197-838 (USD); SWIFT HSBCHKHHHKH\n"
        "Cheques payable to Harbour Trading Company Limited.\n"
        "Please quote the invoice number with every payment.\n"
        "請轉賬至香港上海滙豐銀行（銀行編號 004），戶口名稱：海港貿易有限公司，"
        "戶口號碼：512-338197-001（港元）、512-338197-838（美元）；"
        "支票抬頭請寫「海港貿易有限公司」。付款時請註明發票號碼。"
    ),
}
# How much earlier or later than the due date each customer usually pays (days).
LATENESS = (-7, -4, -2, -1, 0, 0, 1, 2)
LATE_PAYER_STOPS_DAYS = 75  # the late payer pays nothing invoiced in the last 75 days
ROUND_STEP = {"HKD": Decimal(100), "USD": Decimal(10)}  # what a part payment is a multiple of


def set_up_billing(*, tenant: Tenant, seller: Seller) -> None:
    """The seller invoices every shipment, with its legal details and where to pay."""
    billing.set_billing_policy(
        tenant_id=tenant.pk,
        seller_id=seller.pk,
        invoicing="per_shipment",
        receivables_source="invoices",
        legal_name=SELLER_DETAILS["legal_name"],
        address=SELLER_DETAILS["address"],
        tax_number=SELLER_DETAILS["tax_number"],
        payment_instructions=SELLER_DETAILS["payment_instructions"],
    )


@dataclass
class Payer:
    """One customer's paying habits."""

    buyer: Buyer
    method: str
    lateness: int  # days after the due date it pays (negative: before)
    weekday: int | None  # the day of its weekly payment run, if it runs one
    quotes_invoices: bool
    cheque: int  # the number of its last cheque


@dataclass
class Run:
    """One payment a customer will make: what it settles, and whether only part of it."""

    payer: Payer
    invoice_ids: list[int]
    share: Decimal | None = None  # part of what is open it pays; None: all of it
    balance_follows: bool = False  # the rest is paid a few days later
    done: bool = False


def _round_down(amount: Decimal, step: Decimal) -> Decimal:
    return (amount / step).to_integral_value(ROUND_FLOOR) * step


def _moment(day: date, rng: random.Random) -> datetime:
    """Office hours in Hong Kong (UTC+8) on `day`."""
    return datetime.combine(day, time(rng.randint(1, 8), rng.randint(0, 59)), tzinfo=UTC)


def _today() -> date:
    """The business date, as billing dates its documents."""
    return timezone.localdate(clock.now())


@dataclass
class Collections:
    """Plans and records the customers' payments and the seller's credit notes on the
    demo's agenda; `shows` says which company shows what."""

    tenant_id: int
    buyers: list[Buyer]
    specials: Specials
    agenda: Agenda
    rng: random.Random
    start: datetime
    shows: dict[str, str] = field(default_factory=dict)
    payers: dict[int, Payer] = field(init=False)
    runs: dict[tuple[int, date], Run] = field(init=False, default_factory=dict)
    credit_notes_planned: set[str] = field(init=False, default_factory=set)
    stops_paying: date = field(init=False)  # the late payer pays nothing invoiced since

    def __post_init__(self) -> None:
        self.payers = {b.company.pk: self._habits(b) for b in self.buyers}
        self.stops_paying = (self.agenda.end - timedelta(days=LATE_PAYER_STOPS_DAYS)).date()

    def _habits(self, buyer: Buyer) -> Payer:
        rng = self.rng
        return Payer(
            buyer,
            Payment.Method.CHEQUE if rng.random() < 0.2 else Payment.Method.BANK_TRANSFER,
            rng.choice(LATENESS),
            rng.choice((None, None, 1, 3, 4)),
            rng.random() < 0.85,
            rng.randint(100, 900) * 1000,
        )

    def _regular(self, company_id: int) -> bool:
        s = self.specials
        # Credit notes and an overpayment would give these companies money that pays or
        # confirms their orders on its own, hiding what they show.
        return company_id not in (s.late.company.pk, s.prepaid.company.pk, s.deposit.company.pk)

    # --- invoices, as they are issued -----------------------------------------------------

    def shipped(self, shipment_id: int) -> None:
        """Plan the payment of the shipment's invoice, as its company would make it."""
        invoice = Invoice.objects.filter(shipment_id=shipment_id).first()
        if invoice is None or invoice.company_id == self.specials.prepaid.company.pk:
            return  # a prepaid order's invoice is settled by its prepayment when issued
        if invoice.company_id == self.specials.late.company.pk and (
            invoice.issued_on >= self.stops_paying
        ):
            return
        payer = self.payers[invoice.company_id]
        day = self._pay_day(payer, invoice)
        moment = _moment(day, self.rng)
        if moment > self.agenda.end:
            self._instalment_before_due(payer, invoice)
            return
        run = self.runs.get((invoice.company_id, day))
        if run is not None and not run.done:
            run.invoice_ids.append(invoice.pk)
            return
        run = Run(payer, [invoice.pk])
        if self.rng.random() < 0.05:
            run.share, run.balance_follows = Decimal(self.rng.choice(("0.5", "0.6", "0.7"))), True
        self.runs[(invoice.company_id, day)] = run
        self.agenda.at(moment, once(partial(self._pay, run)))

    def _pay_day(self, payer: Payer, invoice: Invoice) -> date:
        """Its usual distance from the due date; a payment run pays what falls due before the
        next one; never on a weekend, never before the invoice has arrived."""
        day = invoice.due_on + timedelta(days=payer.lateness)
        if payer.weekday is not None:
            day -= timedelta(days=(day.weekday() - payer.weekday) % 7)
        day = max(day, invoice.issued_on + timedelta(days=3))
        if day.weekday() >= 5:
            day += timedelta(days=7 - day.weekday())
        return day

    def _instalment_before_due(self, payer: Payer, invoice: Invoice) -> None:
        """Some customers pay part of a recent invoice on account; the rest is not due yet."""
        if self.rng.random() >= 0.3:
            return
        moment = _moment(invoice.issued_on + timedelta(days=self.rng.randint(7, 20)), self.rng)
        if moment < self.agenda.end - timedelta(hours=12):
            share = Decimal(self.rng.choice(("0.3", "0.4", "0.5")))
            self.agenda.at(moment, once(partial(self._pay, Run(payer, [invoice.pk], share=share))))

    # --- payments -------------------------------------------------------------------------

    def _open(self, invoice_ids: list[int]) -> list[tuple[int, Decimal, str]]:
        return list(
            Receivable.objects.filter(invoice_id__in=invoice_ids, open_amount__gt=0)
            .order_by("due_on", "invoice_id")
            .values_list("invoice_id", "open_amount", "invoice__number")
        )

    def _pay(self, run: Run) -> None:
        """Record the run's payment: what is open on its invoices, or the part it pays."""
        run.done = True
        opened = self._open(run.invoice_ids)
        if not opened:
            return  # settled meanwhile (a credit note, an instalment)
        total = sum((amount for _, amount, _ in opened), Decimal(0))
        amount = total
        if run.share is not None:
            part = _round_down(total * run.share, ROUND_STEP[run.payer.buyer.currency])
            amount = part if 0 < part < total else total
        self._record(run.payer, opened, amount)
        if amount < total and run.balance_follows:
            later = clock.now() + timedelta(days=self.rng.randint(2, 4))
            if later < self.agenda.end:
                self.agenda.at(later, once(partial(self._pay, Run(run.payer, run.invoice_ids))))

    def _record(
        self, payer: Payer, opened: list[tuple[int, Decimal, str]], amount: Decimal
    ) -> None:
        """One payment of `amount`, applied to `opened` invoices in their order; what is left
        over stays with the company as unapplied credit."""
        allocations, left = [], amount
        for invoice_id, open_amount, _ in opened:
            part = min(open_amount, left)
            if part > 0:
                allocations.append(billing.Allocate(invoice_id, part))
                left -= part
        billing.record_payment(
            tenant_id=self.tenant_id,
            company_id=payer.buyer.company.pk,
            amount=amount,
            currency=payer.buyer.currency,
            method=payer.method,
            received_on=_today(),
            reference=self._reference(payer, [number for _, _, number in opened]),
            allocations=allocations,
            recorded_by=RECORDED_BY,
        )

    def _reference(self, payer: Payer, numbers: list[str]) -> str:
        """What the bank statement or the cheque says."""
        if payer.method == Payment.Method.CHEQUE:
            payer.cheque += 1
            return f"Cheque no. {payer.cheque:06d}"
        if not payer.quotes_invoices:
            return f"FT{_today():%y%m%d}{self.rng.randint(0, 999_999):06d}"
        quoted = ", ".join(numbers)
        return quoted if len(quoted) <= 140 else f"{numbers[0]} to {numbers[-1]}"

    def prepay(self, order: Order) -> None:
        """The company transfers what an order asks before confirmation (all of it when
        prepaid, else its deposit), quoting the order number; the payment confirms the order
        when payment was all it waited for."""
        billing.record_payment(
            tenant_id=self.tenant_id,
            company_id=order.company_id,
            amount=order.prepayment_due,
            currency=order.currency,
            method=Payment.Method.BANK_TRANSFER,
            received_on=_today(),
            reference=order.number,
            order_id=order.pk,
            recorded_by=RECORDED_BY,
        )

    def plan_overpayment(self) -> None:
        """Three days before the end, a customer pays all it owes by a round sum, more than
        its invoices: the rest is its unapplied credit."""
        self.agenda.at(self.agenda.end - timedelta(days=3), once(self._overpay))

    def _overpay(self) -> None:
        owing = set(
            Receivable.objects.filter(tenant_id=self.tenant_id, open_amount__gt=0).values_list(
                "company_id", flat=True
            )
        )
        busy = set(
            Order.objects.filter(tenant_id=self.tenant_id, status__in=OPEN_STATUSES).values_list(
                "company_id", flat=True
            )
        )
        candidates = sorted(c for c in owing if self._regular(c))
        # A customer with no open order, so that no invoice takes the credit before the end.
        chosen = next((c for c in candidates if c not in busy), None) or next(
            iter(candidates), None
        )
        if chosen is None:
            return
        payer = self.payers[chosen]
        opened = self._open(
            list(
                Receivable.objects.filter(company_id=chosen, open_amount__gt=0).values_list(
                    "invoice_id", flat=True
                )
            )
        )
        total = sum((amount for _, amount, _ in opened), Decimal(0))
        step = ROUND_STEP[payer.buyer.currency] * 10
        rounded = (total / step).to_integral_value(ROUND_CEILING) * step
        self._record(payer, opened, rounded if rounded > total else total + step)
        self.shows[payer.buyer.company.code] = "unapplied credit (it paid more than it owed)"

    # --- credit notes ---------------------------------------------------------------------

    def delivered(self, order: Order) -> None:
        """After a delivery, the seller may have to correct its invoice: once for goods
        damaged in transit (some units), once with a goodwill amount."""
        if not self._regular(order.company_id):
            return
        done = (clock.now() - self.start) / (self.agenda.end - self.start)
        later = clock.now() + timedelta(hours=self.rng.uniform(20, 60))
        for kind, after in (("damaged", 0.2), ("goodwill", 0.35)):
            if kind not in self.credit_notes_planned and done > after:
                self.credit_notes_planned.add(kind)
                self.agenda.at(later, once(partial(self._credit, kind, order)))
                return

    def _credit(self, kind: str, order: Order) -> None:
        lines = list(
            InvoiceLine.objects.filter(order=order, invoice__receivable__open_amount__gt=0)
            .select_related("invoice")
            .order_by("-quantity", "id")
        )
        if not lines:
            self.credit_notes_planned.discard(kind)  # paid already: the next delivery, then
            return
        line, invoice = lines[0], lines[0].invoice
        if kind == "damaged":
            units = max(1, min(3, line.quantity // 3))
            note = billing.issue_credit_note(
                tenant_id=self.tenant_id,
                invoice_id=invoice.pk,
                reason=f"Damaged in transit: {units} × {line.description[:200]}",
                lines=[billing.CreditUnits(line.line_number, units)],
            )
            what = f"a credit note for damaged goods ({note.number})"
        else:
            step = ROUND_STEP[invoice.currency] / 10
            amount = max(step, _round_down(invoice.total * Decimal("0.05"), step))
            note = billing.issue_credit_note(
                tenant_id=self.tenant_id,
                invoice_id=invoice.pk,
                reason="Goodwill discount: the delivery came two days later than promised",
                amount=amount,
            )
            what = f"a goodwill credit note ({note.number})"
        code = next(b.company.code for b in self.buyers if b.company.pk == order.company_id)
        self.shows[code] = f"{self.shows[code]}; {what}" if code in self.shows else what
