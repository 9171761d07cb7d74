"""Order reads for the API and pages: tenant-scoped, a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Upper

from dinghuo.core import clock
from dinghuo.core.errors import FieldError, NotFound, ValidationFailed
from dinghuo.core.queries import seller_for, tenant_row
from dinghuo.customers.models import CompanyUser
from dinghuo.integrations.models import Event
from dinghuo.inventory.queries import available_by_sku
from dinghuo.orders import line_checks
from dinghuo.orders.judging import Policy, policy_for
from dinghuo.orders.line_checks import LineRequest, QuotedPrices
from dinghuo.orders.models import (
    ApprovalRule,
    Approver,
    Order,
    OrderAmendment,
    OrderApproval,
    OrderLine,
    OrderPolicy,
)
from dinghuo.orders.states import OrderStatus
from dinghuo.orders.straight_through import REASONS


@dataclass(frozen=True)
class OrderSearch:
    """What a list of orders may be narrowed to; every field left empty narrows nothing.

    `purchase_order_number` matches whatever the case; `updated_since` is an aware moment
    (orders changed at or after it)."""

    statuses: tuple[str, ...] = ()
    company_id: int | None = None
    order_id: int | None = None
    purchase_order_number: str | None = None
    updated_since: datetime | None = None


def narrowed(qs: QuerySet[Order], search: OrderSearch) -> QuerySet[Order]:
    """`qs` narrowed to what `search` asks for (each filter has its index, see `Order.Meta`)."""
    if search.statuses:
        qs = qs.filter(status__in=search.statuses)
    if search.company_id is not None:
        qs = qs.filter(company_id=search.company_id)
    if search.order_id is not None:
        qs = qs.filter(pk=search.order_id)
    if search.purchase_order_number is not None:
        # Upper() on both sides matches the functional index order_po_number_idx.
        qs = qs.alias(po_upper=Upper("purchase_order_number")).filter(
            po_upper=search.purchase_order_number.upper()
        )
    if search.updated_since is not None:
        qs = qs.filter(updated_at__gte=search.updated_since)
    return qs


def orders(tenant_id: int, *, search: OrderSearch | None = None) -> QuerySet[Order]:
    """The tenant's orders, narrowed by `search` when given."""
    qs = Order.objects.filter(tenant_id=tenant_id)
    return narrowed(qs, search) if search is not None else qs


def order_detail(
    tenant_id: int, order_id: int, *, company_id: int | None = None
) -> tuple[Order, list[Any]]:
    """One order with its lines, approvals and shipments with their lines (five queries);
    the buyer who placed it and the staff member who entered it come along.

    Shipments are fulfilment's rows, read through the reverse relation `order.shipments`
    (orders does not import fulfilment). With `company_id` (a buyer asking) another
    company's order is not found."""
    orders_ = Order.objects.filter(tenant_id=tenant_id, pk=order_id)
    if company_id is not None:
        orders_ = orders_.filter(company_id=company_id)
    order = (
        orders_.select_related("seller", "ship_to", "placed_by__user", "entered_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("tax_rate").order_by("line_number"),
            ),
            Prefetch("approvals", queryset=OrderApproval.objects.order_by("level", "approver")),
        )
        .first()
    )
    if order is None:
        raise NotFound(f"No order {order_id}.")
    shipments = list(
        order.shipments.select_related("warehouse").prefetch_related("lines").order_by("id")
    )
    lines = {line.pk: line for line in order.lines.all()}
    for shipment in shipments:
        for shipped in shipment.lines.all():
            shipped.order_line = lines[shipped.order_line_id]  # loaded above: no query per line
    return order, shipments


def timeline(tenant_id: int, order_id: int, *, company_id: int | None = None) -> list[Event]:
    """Everything that happened to an order, oldest first (the same rows as the event feed)."""
    found = Order.objects.filter(tenant_id=tenant_id, pk=order_id)
    if company_id is not None:
        found = found.filter(company_id=company_id)
    if not found.exists():
        raise NotFound(f"No order {order_id}.")
    # A return of the order's goods is an aggregate of its own that names the order.
    return list(
        Event.objects.filter(
            Q(aggregate_type="order", aggregate_id=order_id)
            | Q(aggregate_type="return", payload__order_id=order_id)
            | Q(aggregate_type="return", payload__exchange_order_id=order_id),
            tenant_id=tenant_id,
        ).order_by("id")
    )


@dataclass
class LineCheck:
    """A line as it would be ordered now: price, amount, availability, or its problems."""

    sku: str
    quantity: int
    sku_id: int | None
    description: str
    unit_price: Decimal | None
    line_total: Decimal | None
    pricing: dict[str, Any]
    available: int | None
    problems: list[FieldError] = field(default_factory=list)


@dataclass
class LinesCheck:
    currency: str
    lines: list[LineCheck]
    subtotal: Decimal  # the priced lines' amounts as priced (with tax where prices include it)
    ok: bool  # every line can be ordered (stock shortages are warnings: `insufficient_stock`)
    # Tax of the priced lines to the ship-to asked about (none without one), and what the
    # buyer would owe: net plus tax.
    tax: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    prices_include_tax: bool = False


def check_lines(
    tenant_id: int,
    company_id: int,
    lines: list[LineRequest],
    *,
    quoted: QuotedPrices | None = None,
    ship_to_id: int | None = None,
) -> LinesCheck:
    """Price and validate lines for a company now, writing nothing, with the very rules and
    codes placing the order would apply. A constant number of queries whatever the lines.
    With one of the company's ship-tos, the priced lines' tax to it too (no query more).

    Stock is not reserved here, so a shortage is reported as a warning on the line
    (`insufficient_stock`) unless the product may be backordered."""
    parties, errors = line_checks.resolve_parties(tenant_id, company_id, ship_to_id, None)
    if parties is None:
        raise NotFound(f"No company {company_id}.", errors=errors)
    if not parties.price_list_active:
        raise ValidationFailed(
            "The company's price list is inactive; it cannot order now.",
            code="price_list_inactive",
        )
    now = clock.now()
    results, _book = line_checks.check_lines(tenant_id, parties, lines, quoted=quoted, at=now)
    available = available_by_sku(tenant_id, [r.sku.id for r in results if r.sku])
    checked = []
    subtotal = Decimal(0)
    for r in results:
        total = line_checks.line_total(r, parties.currency) if r.ok else None
        subtotal += total or 0
        units = available.get(r.sku.id, 0) if r.sku else None
        problems = list(r.problems)
        if r.sku and units is not None and units < r.request.quantity and not r.sku.allow_backorder:
            problems.append(
                FieldError(
                    f"lines[{r.index}].quantity",
                    "insufficient_stock",
                    f"{r.sku.code}: {max(units, 0)} available, {r.request.quantity} wanted",
                    {"available": max(units, 0), "wanted": r.request.quantity},
                )
            )
        checked.append(
            LineCheck(
                sku=r.request.sku,
                quantity=r.request.quantity,
                sku_id=r.sku.id if r.sku else None,
                description=line_checks.description(r.sku) if r.sku else "",
                unit_price=r.unit_price,
                line_total=total,
                pricing=r.pricing,
                available=max(units, 0) if units is not None else None,
                problems=problems,
            )
        )
    ok = all(line.unit_price is not None and not line.problems for line in checked)
    taxed = line_checks.taxed([r for r in results if r.ok], parties, now.date())
    return LinesCheck(
        parties.currency,
        checked,
        subtotal,
        ok and bool(checked),
        tax=taxed.tax,
        total=taxed.gross,
        prices_include_tax=parties.tax.prices_include_tax,
    )


def awaiting_company_approval(tenant_id: int, company_id: int) -> QuerySet[Order]:
    """A company's approver's inbox: its orders whose current level waits for the company."""
    return Order.objects.filter(
        tenant_id=tenant_id,
        company_id=company_id,
        status=OrderStatus.AWAITING_APPROVAL,
        approvals__approver=Approver.COMPANY,
        approvals__status=OrderApproval.Status.PENDING,
    )


def awaiting_seller_approval(tenant_id: int) -> QuerySet[Order]:
    """Seller staff's inbox: orders whose current level waits for the seller."""
    return Order.objects.filter(
        tenant_id=tenant_id,
        status=OrderStatus.AWAITING_APPROVAL,
        approvals__approver=Approver.SELLER,
        approvals__status=OrderApproval.Status.PENDING,
    )


def order_policy(tenant_id: int, seller_slug: str | None) -> tuple[str, Policy]:
    """A seller's slug and ordering policy with its credit grace days, the defaults where it
    has set none (nothing is written; one read for the seller, one for its policy)."""
    seller = seller_for(tenant_id, seller_slug)
    return seller.slug, policy_for(seller.pk)


def after_placing(tenant_id: int, seller_slug: str) -> tuple[str, int | None, int]:
    """A seller's settings for orders once placed: which waiting orders arriving stock serves
    first, its priority group, and how many hours buyers may amend an order."""
    found = (
        OrderPolicy.objects.filter(tenant_id=tenant_id, seller__slug=seller_slug)
        .values_list("backorder_fill", "priority_group_id", "buyer_amend_hours")
        .first()
    )
    default = OrderPolicy()
    return found or (default.backorder_fill, None, default.buyer_amend_hours)


def approval_rules(tenant_id: int, *, is_active: bool | None = None) -> QuerySet[ApprovalRule]:
    """The tenant's approval rules with their seller (for the slug)."""
    qs = ApprovalRule.objects.filter(tenant_id=tenant_id).select_related("seller")
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


def approval_rule(tenant_id: int, rule_id: int) -> ApprovalRule:
    return tenant_row(
        ApprovalRule.objects.select_related("seller"), tenant_id, rule_id, f"No rule {rule_id}."
    )


@dataclass(frozen=True)
class StraightThroughShare:
    orders: int
    straight_through: int
    reasons: dict[str, int]

    @property
    def share(self) -> float | None:
        return self.straight_through / self.orders if self.orders else None


def straight_through_share(
    tenant_id: int, *, since: datetime | None = None, until: datetime | None = None
) -> StraightThroughShare:
    """How many orders placed in the period went through with no human touch, and how many
    each reason stopped (an order may have several). Three queries; only the orders that
    waited for a person are read row by row."""
    placed = Order.objects.filter(tenant_id=tenant_id)
    if since is not None:
        placed = placed.filter(placed_at__gte=since)
    if until is not None:
        placed = placed.filter(placed_at__lt=until)
    total = placed.count()
    untouched = placed.filter(review_reasons=[]).count()
    reasons = dict.fromkeys(REASONS, 0)
    waited = placed.exclude(review_reasons=[]).values_list("review_reasons", flat=True)
    for row in waited.iterator(chunk_size=2000):
        for reason in row:
            reasons[reason] = reasons.get(reason, 0) + 1
    return StraightThroughShare(total, untouched, reasons)


def company_user_name(tenant_id: int, company_user_id: int) -> str:
    """How a company user is named on a decision: their name and email."""
    row = (
        CompanyUser.objects.filter(tenant_id=tenant_id, pk=company_user_id)
        .values_list("user__first_name", "user__email")
        .first()
    )
    if row is None:
        return f"company user {company_user_id}"
    return f"{row[0]} <{row[1]}>" if row[0] else row[1]


def amendments(
    tenant_id: int, order_id: int, *, company_id: int | None = None
) -> tuple[Order, list[OrderAmendment]]:
    """An order and its amendments, oldest first (two queries); with `company_id` (a buyer
    asking) another company's order is not found."""
    orders_ = Order.objects.filter(tenant_id=tenant_id, pk=order_id)
    if company_id is not None:
        orders_ = orders_.filter(company_id=company_id)
    order = orders_.only("id", "currency", "company_id").first()
    if order is None:
        raise NotFound(f"No order {order_id}.")
    return order, list(OrderAmendment.objects.filter(order=order).order_by("version"))
