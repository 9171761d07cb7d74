"""Placing an order: one transaction of named steps, each a function of its own.

    validate → price (with tax and the exchange rate) → judge (on the credit line, taken) →
    allocate → write → record → reserve

Nothing is written before every check has passed, so a refusal changes nothing. An order in
a currency other than the seller's base freezes the seller's rate of the order's day (the
deployment's local date): one query, and without a rate the order is refused (422
`exchange_rate_missing`). Locks come in the order used everywhere: the company's credit line
(taken with the order's amount before judging), then the stock levels of the order's SKUs
(allocate); the order row is new. Stock is written last, by inventory, for the new lines:
reservations need their ids, and the order's events come before `stock.changed` in the feed.
A constant number of statements whatever the number of lines (docs/api-and-runtime.md, "The hot
path's SQL").
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dinghuo.core import clock, money
from dinghuo.core.db import insert_instances, insert_rows
from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.core.phrases import stored
from dinghuo.customers import services as customers
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.inventory import allocation
from dinghuo.inventory import services as stock
from dinghuo.orders import judging, line_checks
from dinghuo.orders.judging import Judgement
from dinghuo.orders.line_checks import MAX_AMOUNT, LineRequest, LineResult, Parties, QuotedPrices
from dinghuo.orders.models import Order, OrderApproval, OrderLine
from dinghuo.orders.services.order_events import order_event, routing_events
from dinghuo.orders.states import OrderStatus
from dinghuo.pricing import queries as pricing
from dinghuo.pricing.fx import ONE
from dinghuo.pricing.tax import TaxedDocument, percent_text


@dataclass(frozen=True)
class OrderRequest:
    """What the caller asks for: who buys, where to, which lines, and the order's own fields."""

    tenant_id: int
    company_id: int
    ship_to_id: int
    lines: list[LineRequest]
    currency: str | None = None
    purchase_order_number: str = ""
    notes: str = ""
    seller_slug: str | None = None
    channel: str = "api"
    placed_by_id: int | None = None
    quoted: QuotedPrices | None = None
    requested_delivery_date: date | None = None
    entered_by_id: int | None = None
    # False: never confirmed at once, whatever the seller's automation rule (an exchange's
    # replacement waits for the returned goods).
    auto_confirm: bool = True


@dataclass(frozen=True)
class Priced:
    """Every line checked, priced and taxed (each has its SKU and price), with the order's
    amounts: `total` is the gross, what the buyer owes, which credit and approvals judge."""

    parties: Parties
    ship_to_id: int  # the parties' ship-to, which an order must have
    results: list[LineResult]
    totals: list[Decimal]  # each line's amount as priced, in the currency's minor units
    taxed: TaxedDocument  # each line's net, tax and gross, and the order's
    exemption_certificate: str  # the company's, when it counts on the order's date
    fx_rate: Decimal = ONE  # one unit of the order's currency in the seller's base currency

    @property
    def subtotal(self) -> Decimal:
        """The order's net amount."""
        return self.taxed.net

    @property
    def total(self) -> Decimal:
        """The order's gross amount: net plus tax."""
        return self.taxed.gross


def place_order(
    *,
    tenant_id: int,
    company_id: int,
    ship_to_id: int,
    lines: list[LineRequest],
    currency: str | None = None,
    purchase_order_number: str = "",
    notes: str = "",
    seller_slug: str | None = None,
    channel: str = "api",
    placed_by_id: int | None = None,
    quoted: QuotedPrices | None = None,
    requested_delivery_date: date | None = None,
    entered_by_id: int | None = None,
    auto_confirm: bool = True,
) -> Order:
    """Validate and price every line at once, judge credit, decide approvals and automation,
    reserve stock, then write the order and its events.

    Runs in the caller's transaction when there is one (the API wraps it with the idempotency
    record), else in its own. All or nothing: a refusal changes nothing.
    """
    request = OrderRequest(
        tenant_id=tenant_id,
        company_id=company_id,
        ship_to_id=ship_to_id,
        lines=lines,
        currency=currency,
        purchase_order_number=purchase_order_number,
        notes=notes,
        seller_slug=seller_slug,
        channel=channel,
        placed_by_id=placed_by_id,
        quoted=quoted,
        requested_delivery_date=requested_delivery_date,
        entered_by_id=entered_by_id,
        auto_confirm=auto_confirm,
    )
    # No savepoint: a failure must roll back the caller's transaction whole anyway.
    with transaction.atomic(savepoint=False):
        return _place(request)


def _place(request: OrderRequest) -> Order:
    """The steps of placing, in their order (see the module's docstring)."""
    now = clock.now()
    parties, errors = validate(request, now)
    priced = price(request, parties, errors, now)
    credit_line = customers.take_credit(
        tenant_id=request.tenant_id, company_id=parties.company_id, amount=priced.total
    )
    judgement = judging.judge(
        request.tenant_id,
        parties,
        priced.results,
        priced.total,
        placed_by_id=request.placed_by_id,
        credit_state=credit_line.state,
        today=timezone.localdate(now),
        fx_rate=priced.fx_rate,
    )
    if not request.auto_confirm:
        judgement = replace(judgement, policy=replace(judgement.policy, auto_confirm=False))
    credit_reserved = settle_credit(judgement, credit_line.id, priced)
    allocated = allocate(request, priced)
    order = write(request, priced, judgement, allocated.plan, credit_reserved, now)
    record(order, request, priced, judgement)
    reserve(order, priced, allocated)
    return order


def _refuse_invalid(errors: list[FieldError]) -> ValidationFailed:
    return ValidationFailed("The order cannot be placed; see errors.", errors=errors)


def validate(request: OrderRequest, now: datetime) -> tuple[Parties, list[FieldError]]:
    """Company, ship-to, price list and seller (one query when all is well) and the order's
    own fields; their problems are returned, to be reported with the lines' all at once.
    Without lines, or without a company to price them for, the order is refused here (422)."""
    if not request.lines:
        raise ValidationFailed(
            "An order needs at least one line.",
            errors=[FieldError("lines", "no_lines", "Add at least one line")],
        )
    parties, errors = line_checks.resolve_parties(
        request.tenant_id, request.company_id, request.ship_to_id, request.seller_slug
    )
    if parties is None:  # without a company no line can be priced
        raise _refuse_invalid(errors)
    if not parties.price_list_active:
        errors.append(
            FieldError("company_id", "price_list_inactive", "The company's price list is inactive")
        )
    cur = parties.currency
    if request.currency is not None and request.currency != cur:
        errors.append(
            FieldError(
                "currency", "currency_mismatch", f"This company buys in {cur}", {"expected": cur}
            )
        )
    wanted, today = request.requested_delivery_date, now.date().isoformat()
    if wanted is not None and wanted < now.date():
        errors.append(
            FieldError(
                "requested_delivery_date",
                "delivery_date_past",
                f"Choose a delivery date from {today} on",
                {"today": today},
            )
        )
    return parties, errors


def exchange_rate(parties: Parties, now: datetime) -> Decimal:
    """The rate the order freezes: what one unit of its currency is worth in the seller's
    base currency on the order's day (the local date of `now`); 1 for the base currency,
    without a query. Refused (422 `exchange_rate_missing`) when the seller has no rate for
    the currency on or before that day."""
    if parties.currency == parties.seller.base_currency:
        return ONE
    return pricing.require_rate(parties.seller, parties.currency, timezone.localdate(now))


def price(
    request: OrderRequest, parties: Parties, errors: list[FieldError], now: datetime
) -> Priced:
    """SKUs, prices and tax rates of every line (a constant number of queries, `line_checks`),
    their tax (`pricing/tax.py`) and the order's exchange rate (`exchange_rate`); refused (422)
    with every problem of the order and of every line at once, then for a missing rate."""
    results, _book = line_checks.check_lines(
        request.tenant_id, parties, request.lines, quoted=request.quoted, at=now
    )
    problems = errors + [problem for result in results for problem in result.problems]
    if problems or parties.ship_to_id is None:
        raise _refuse_invalid(problems)
    totals = [line_checks.line_total(r, parties.currency) for r in results]
    taxed = line_checks.taxed(results, parties, now.date())
    if max(taxed.gross, sum(totals, Decimal(0))) >= MAX_AMOUNT:
        raise ValidationFailed(
            "The order's total is too large.",
            errors=[FieldError("lines", "amount_too_large", "Split the order")],
        )
    certificate = parties.tax.certificate_on(now.date())
    fx_rate = exchange_rate(parties, now)
    return Priced(parties, parties.ship_to_id, results, totals, taxed, certificate, fx_rate)


def settle_credit(judgement: Judgement, credit_line_id: int, priced: Priced) -> Decimal:
    """Refuse an order blocked on credit when the seller refuses such orders (409
    `credit_refused`); else the credit the order holds: its amount, or nothing when it is held
    or prepaid (the amount taken with the line is given back at once)."""
    if judgement.refused:
        raise credit_refusal(judgement, priced.parties.currency)
    checked = judgement.credit
    held = priced.total if checked.uses_credit and not checked.blocked else Decimal(0)
    if held != priced.total:
        customers.change_order_exposure(credit_line_id=credit_line_id, amount=-priced.total)
    return held


def credit_refusal(judgement: Judgement, currency: str) -> Conflict:
    """The 409 `credit_refused` of an order the seller refuses on credit, with each reason."""
    reason_text = str(judgement.hold_reason)
    return Conflict(
        f"The order cannot be placed on account. {reason_text}.",
        code="credit_refused",
        errors=[
            FieldError("company_id", reason, reason_text, {"currency": currency})
            for reason in judgement.credit.blocked
        ],
    )


def shortage_refusal(shortages: list[allocation.Shortage], skus: list[str]) -> Conflict:
    """The 409 `insufficient_stock` naming every short line (`skus[i]` is line i's SKU)."""
    return Conflict(
        "Not enough stock for some lines; nothing was reserved.",
        code="insufficient_stock",
        errors=[
            FieldError(
                f"lines[{s.index}].quantity",
                "insufficient_stock",
                f"{skus[s.index]}: {s.available} available, {s.wanted} wanted",
                {"available": s.available, "wanted": s.wanted},
            )
            for s in shortages
        ],
    )


def allocate(request: OrderRequest, priced: Priced) -> stock.Allocated:
    """Lock the stock rows of every line's SKU and plan where its units come from
    (`inventory.services.allocate`); refused (409 `insufficient_stock`, every short line at
    once) when a line cannot be met and its product may not be backordered."""
    allocated = stock.allocate(
        request.tenant_id,
        [
            allocation.Want(r.index, r.sku.id, r.request.quantity, r.sku.allow_backorder)
            for r in priced.results
            if r.sku
        ],
    )
    if allocated.plan.shortages:
        raise shortage_refusal(allocated.plan.shortages, [line.sku for line in request.lines])
    return allocated


_ORDER_FIELDS = [
    "tenant_id", "seller_id", "company_id", "status", "currency", "price_list_id", "ship_to_id",
    "purchase_order_number", "notes", "requested_delivery_date", "channel", "placed_by_id",
    "entered_by_id", "credit_reserved", "prepayment_due",
    "review_reasons", "hold_reason", "confirmed_automatically", "approval_expires_at",
    "subtotal", "tax_total", "total", "prices_include_tax", "tax_rounding",
    "tax_exemption_certificate", "fx_rate", "placed_at", "updated_at",
]  # fmt: skip
LINE_FIELDS = [
    "tenant_id", "order_id", "line_number", "sku_id", "sku_code", "description", "quantity",
    "unit_price", "line_total", "tax_rate_id", "tax_name", "tax_percent", "net_amount",
    "tax_amount", "gross_amount", "pricing", "backordered_quantity", "shipped_quantity",
]  # fmt: skip
_APPROVAL_FIELDS = [
    "tenant_id", "order_id", "level", "approver", "reasons", "status", "decided_by", "comment",
]  # fmt: skip


def write(
    request: OrderRequest,
    priced: Priced,
    judgement: Judgement,
    plan: allocation.Plan,
    credit_reserved: Decimal,
    now: datetime,
) -> Order:
    """Insert the order in the status its judgement and stock give it, its lines (each with
    its frozen price explanation and backorder) and the approvals it waits for: one INSERT
    each. The order comes back with its lines loaded."""
    order = _new_order(request, priced, judgement, bool(plan.backordered), credit_reserved, now)
    insert_instances([order], _ORDER_FIELDS)
    exempt = bool(priced.exemption_certificate)
    lines = [
        OrderLine(
            tenant_id=request.tenant_id,
            order=order,
            line_number=r.index + 1,
            sku_id=r.sku.id,
            sku_code=r.sku.code,
            description=line_checks.description(r.sku),
            quantity=r.request.quantity,
            unit_price=r.price,
            line_total=total,
            tax_rate_id=r.tax_rate.id if r.tax_rate and not exempt else None,
            tax_name=r.tax_rate.name if r.tax_rate and not exempt else "",
            tax_percent=taxed.rate,
            net_amount=taxed.net,
            tax_amount=taxed.tax,
            gross_amount=taxed.gross,
            pricing=r.pricing,
            backordered_quantity=plan.backordered.get(r.index, 0),
        )
        for r, total, taxed in zip(priced.results, priced.totals, priced.taxed.lines, strict=True)
        if r.sku
    ]
    insert_instances(lines, LINE_FIELDS)
    insert_approvals(order, judgement)
    order._prefetched_objects_cache = {"lines": lines}  # type: ignore[attr-defined]
    return order


def _new_order(
    request: OrderRequest,
    priced: Priced,
    judgement: Judgement,
    backordered: bool,
    credit_reserved: Decimal,
    now: datetime,
) -> Order:
    """The order row, not yet saved, in the status its judgement and stock give it."""
    route = judgement.route(backordered=backordered)
    parties, blocked = priced.parties, bool(judgement.credit.blocked)
    waits = route.status == OrderStatus.AWAITING_APPROVAL
    return Order(
        tenant_id=request.tenant_id,
        seller=parties.seller,
        company_id=parties.company_id,
        status=route.status,
        currency=parties.currency,
        price_list_id=parties.price_list_id,
        ship_to_id=priced.ship_to_id,
        purchase_order_number=request.purchase_order_number,
        notes=request.notes,
        requested_delivery_date=request.requested_delivery_date,
        channel=request.channel,
        placed_by_id=request.placed_by_id,
        entered_by_id=request.entered_by_id,
        credit_reserved=credit_reserved,
        prepayment_due=judgement.prepayment_due,
        review_reasons=list(route.review_reasons),
        hold_reason=str(judgement.hold_reason)[:300] if blocked else "",
        confirmed_automatically=route.automatic,
        approval_expires_at=(
            now + timedelta(hours=judgement.policy.approval_expiry_hours) if waits else None
        ),
        subtotal=priced.subtotal,
        tax_total=priced.taxed.tax,
        total=priced.total,
        prices_include_tax=parties.tax.prices_include_tax,
        tax_rounding=str(parties.tax.rounding),
        tax_exemption_certificate=priced.exemption_certificate,
        fx_rate=priced.fx_rate,
        placed_at=now,
        updated_at=now,
    )


def insert_approvals(order: Order, judgement: Judgement) -> None:
    """One row per approval step: the first level pending (waiting while credit holds the
    order), the later ones waiting their turn."""
    steps = judgement.steps
    if not steps:
        return
    first, blocked = steps[0].level, bool(judgement.credit.blocked)
    insert_rows(
        OrderApproval,
        _APPROVAL_FIELDS,
        [
            (
                order.tenant_id,
                order.pk,
                step.level,
                step.approver,
                [stored(reason) for reason in step.reasons],
                OrderApproval.Status.PENDING
                if step.level == first and not blocked
                else OrderApproval.Status.WAITING,
                "",
                "",
            )
            for step in steps
        ],
    )


def record(order: Order, request: OrderRequest, priced: Priced, judgement: Judgement) -> None:
    """The order's events in one INSERT: `order.placed`, then what its status means (credit
    hold, approval requested, confirmed at once)."""
    events.record(
        _placed_event(order, request, priced),
        *routing_events(order, judgement.steps, judgement.hold_reason),
    )


def _placed_event(order: Order, request: OrderRequest, priced: Priced) -> Event:
    cur = order.currency
    return order_event(
        order,
        "order.placed",
        {
            "company": priced.parties.company_code,
            "currency": cur,
            "subtotal": money.format_amount(order.subtotal, cur),
            "tax_total": money.format_amount(order.tax_total, cur),
            "total": money.format_amount(order.total, cur),
            "channel": request.channel,
            "review_reasons": order.review_reasons,
            "lines": [
                {
                    "sku": line.sku_code,
                    "quantity": line.quantity,
                    "unit_price": money.format_unit_price(line.unit_price, cur),
                    "tax_percent": percent_text(line.tax_percent),
                    "tax_amount": money.format_amount(line.tax_amount, cur),
                    "backordered": line.backordered_quantity,
                    "price_source": line.pricing.get("source"),
                }
                for line in order.lines.all()
            ],
            **({"quote": request.quoted.number} if request.quoted else {}),
            **_rate_payload(order, priced.parties.seller.base_currency),
        },
    )


def _rate_payload(order: Order, base_currency: str) -> dict[str, str]:
    """The frozen exchange rate in the event of an order in another currency than the base."""
    if order.currency == base_currency:
        return {}
    return {"base_currency": base_currency, "exchange_rate": _rate_text(order.fx_rate)}


def _rate_text(rate: Decimal) -> str:
    """A rate as a plain decimal string without trailing zeros ("7.8", "0.052")."""
    return format(rate.normalize(), "f")


def reserve(order: Order, priced: Priced, allocated: stock.Allocated) -> None:
    """Inventory holds the allocated stock for the new lines: reservations, the levels'
    reserved units, ledger rows and `stock.changed` (one statement each)."""
    stock.reserve(
        allocated,
        order_line_ids=[line.pk for line in order.lines.all()],
        sku_codes={r.sku.id: r.sku.code for r in priced.results if r.sku},
        reference=f"order:{order.pk}",
    )
