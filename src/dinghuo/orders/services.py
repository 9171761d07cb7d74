"""Order writes: place, confirm, cancel, deliver. Each is one transaction with its events.

Shipping lives in `fulfilment.services`.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction

from dinghuo.catalog.models import Sku
from dinghuo.core import clock, money
from dinghuo.core.db import insert_instances, insert_rows
from dinghuo.core.errors import Conflict, FieldError, InvalidTransition, NotFound, ValidationFailed
from dinghuo.core.models import Seller
from dinghuo.customers.models import Company, Location
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.inventory import allocation
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import Reservation, StockMovement
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.states import Action, OrderStatus, allowed_targets
from dinghuo.pricing.models import PriceTier
from dinghuo.pricing.tiers import unit_price_for

MAX_QUANTITY = 1_000_000_000
# Amounts are stored with 18 digits, 4 of them decimals.
MAX_AMOUNT = Decimal(10) ** 14


@dataclass(frozen=True)
class LineRequest:
    sku: str
    quantity: int


class _Parties(NamedTuple):
    """Who an order is between, as placing it needs them (plain values, no model objects)."""

    company_id: int
    company_code: str
    ship_to_id: int | None
    price_list_id: int
    currency: str
    price_list_active: bool
    seller: Seller


class _SkuRow(NamedTuple):
    id: int
    code: str
    is_active: bool
    min_order_quantity: int
    pack_size: int
    name_en: str | None
    product_is_active: bool
    allow_backorder: bool
    product_name_en: str | None


# The columns of _SkuRow, in order: placing an order reads plain rows, which costs far less
# Python than building model objects on the hot path.
_SKU_COLUMNS = (
    "id", "code", "is_active", "min_order_quantity", "pack_size", "name_en",
    "product__is_active", "product__allow_backorder", "product__name_en",
)  # fmt: skip
_PARTY_COLUMNS = (
    "company_id", "company__code", "id", "company__price_list_id",
    "company__price_list__currency", "company__price_list__is_active",
    "company__price_list__seller_id", "company__price_list__seller__slug",
)  # fmt: skip


@dataclass(frozen=True)
class _PricedLine:
    sku: _SkuRow
    quantity: int
    unit_price: Decimal


def _order_event(order: Order, type: str, payload: dict[str, Any]) -> Event:
    return Event(
        tenant_id=order.tenant_id,
        type=type,
        aggregate_type="order",
        aggregate_id=order.pk,
        payload={"order": order.number, "status": order.status, **payload},
    )


def _resolve_parties(
    tenant_id: int, company_id: int, ship_to_id: int, seller_slug: str | None
) -> tuple[_Parties | None, list[FieldError]]:
    """Company, ship-to and seller; one query when all is well, more only to explain a refusal.

    The company buys from the seller of its price list."""
    row = (
        Location.objects.filter(
            tenant_id=tenant_id,
            pk=ship_to_id,
            company_id=company_id,
            kind=Location.Kind.SHIP_TO,
            is_active=True,
            company__is_active=True,
        )
        .values_list(*_PARTY_COLUMNS)
        .first()
    )
    if row is not None and seller_slug in (None, row[7]):
        seller = Seller(id=row[6], tenant_id=tenant_id, slug=row[7])
        return _Parties(row[0], row[1], row[2], row[3], row[4], row[5], seller), []
    return _explain_parties(tenant_id, company_id, ship_to_id, seller_slug)


def _explain_parties(
    tenant_id: int, company_id: int, ship_to_id: int, seller_slug: str | None
) -> tuple[_Parties | None, list[FieldError]]:
    errors = []
    company = (
        Company.objects.select_related("price_list__seller")
        .filter(tenant_id=tenant_id, pk=company_id, is_active=True)
        .first()
    )
    if company is None:
        errors.append(FieldError("company_id", "unknown_company", "No active company with this id"))
    ship_to = Location.objects.filter(
        tenant_id=tenant_id,
        pk=ship_to_id,
        company_id=company_id,
        kind=Location.Kind.SHIP_TO,
        is_active=True,
    ).first()
    if ship_to is None:
        errors.append(
            FieldError("ship_to_id", "unknown_ship_to", "Not an active ship-to of this company")
        )
    if company is None:
        return None, errors
    price_list = company.price_list
    if seller_slug is not None and seller_slug != price_list.seller.slug:
        errors.append(
            FieldError("seller", "unknown_seller", "This company does not buy from that seller")
        )
    parties = _Parties(
        company.pk,
        company.code,
        ship_to.pk if ship_to else None,
        price_list.pk,
        price_list.currency,
        price_list.is_active,
        price_list.seller,
    )
    return parties, errors


def _description(sku: _SkuRow) -> str:
    """The line's text in the catalogue's default language, whatever the caller's language."""
    return (sku.name_en or sku.product_name_en or sku.code)[:300]


def _price_lines(
    tenant_id: int, parties: _Parties, lines: list[LineRequest]
) -> tuple[list[_PricedLine], list[FieldError]]:
    """Resolve SKUs and tier prices for every line in two queries; report every problem."""
    codes = {line.sku for line in lines}
    found = Sku.objects.filter(tenant_id=tenant_id, seller_id=parties.seller.pk, code__in=codes)
    skus = {row[1]: _SkuRow(*row) for row in found.values_list(*_SKU_COLUMNS)}
    tiers: dict[int, list[tuple[int, Decimal]]] = {}
    for sku_id, min_quantity, unit_price in PriceTier.objects.filter(
        price_list_id=parties.price_list_id, sku_id__in=[s.id for s in skus.values()]
    ).values_list("sku_id", "min_quantity", "unit_price"):
        tiers.setdefault(sku_id, []).append((min_quantity, unit_price))

    errors: list[FieldError] = []
    priced: list[_PricedLine] = []
    seen = Counter(line.sku for line in lines)
    for i, line in enumerate(lines):
        at = f"lines[{i}]"
        sku = skus.get(line.sku)
        if seen[line.sku] > 1:
            errors.append(
                FieldError(f"{at}.sku", "duplicate_sku", f"{line.sku} is on more than one line")
            )
        quantity_ok = 0 < line.quantity <= MAX_QUANTITY
        if line.quantity <= 0:
            errors.append(
                FieldError(f"{at}.quantity", "quantity_not_positive", "Order at least one unit")
            )
        elif line.quantity > MAX_QUANTITY:
            errors.append(
                FieldError(f"{at}.quantity", "quantity_too_large", "Quantity is too large")
            )
        if sku is None:
            errors.append(FieldError(f"{at}.sku", "unknown_sku", f"No SKU {line.sku}"))
            continue
        if not (sku.is_active and sku.product_is_active):
            errors.append(
                FieldError(f"{at}.sku", "inactive_sku", f"{line.sku} can no longer be ordered")
            )
            continue
        if not quantity_ok:
            continue
        if line.quantity < sku.min_order_quantity:
            errors.append(
                FieldError(
                    f"{at}.quantity",
                    "below_minimum",
                    f"Order at least {sku.min_order_quantity} of {sku.code}",
                    {"minimum": sku.min_order_quantity},
                )
            )
        if line.quantity % sku.pack_size:
            errors.append(
                FieldError(
                    f"{at}.quantity",
                    "not_pack_multiple",
                    f"{sku.code} comes in packs of {sku.pack_size}",
                    {"pack_size": sku.pack_size},
                )
            )
        price = unit_price_for(tiers.get(sku.id, ()), line.quantity)
        if price is None:
            errors.append(
                FieldError(f"{at}.sku", "no_price", f"{sku.code} has no price for this company")
            )
            continue
        if price * line.quantity >= MAX_AMOUNT:
            errors.append(
                FieldError(f"{at}.quantity", "amount_too_large", "The line's amount is too large")
            )
            continue
        priced.append(_PricedLine(sku, line.quantity, price))
    return priced, errors


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
) -> Order:
    """Validate, price and reserve every line at once, then write the order and its events.

    Runs in the caller's transaction when there is one (the API wraps it with the idempotency
    record), else in its own. All or nothing: a refusal changes nothing.
    """
    # No savepoint: a failure must roll back the caller's transaction whole anyway.
    with transaction.atomic(savepoint=False):
        return _place_order(
            tenant_id,
            company_id,
            ship_to_id,
            lines,
            currency,
            purchase_order_number,
            notes,
            seller_slug,
            channel,
        )


_ORDER_FIELDS = [
    "tenant_id", "seller_id", "company_id", "status", "currency", "price_list_id", "ship_to_id",
    "purchase_order_number", "notes", "channel", "subtotal", "total", "placed_at", "updated_at",
]  # fmt: skip
_LINE_FIELDS = [
    "tenant_id", "order_id", "line_number", "sku_id", "sku_code", "description", "quantity",
    "unit_price", "line_total", "backordered_quantity", "shipped_quantity",
]  # fmt: skip


def _place_order(
    tenant_id: int,
    company_id: int,
    ship_to_id: int,
    lines: list[LineRequest],
    currency: str | None,
    purchase_order_number: str,
    notes: str,
    seller_slug: str | None,
    channel: str,
) -> Order:
    if not lines:
        raise ValidationFailed(
            "An order needs at least one line.",
            errors=[FieldError("lines", "no_lines", "Add at least one line")],
        )
    parties, errors = _resolve_parties(tenant_id, company_id, ship_to_id, seller_slug)
    if parties is None:  # without a company no line can be priced
        raise ValidationFailed("The order cannot be placed; see errors.", errors=errors)
    if not parties.price_list_active:
        errors.append(
            FieldError("company_id", "price_list_inactive", "The company's price list is inactive")
        )
    if currency is not None and currency != parties.currency:
        errors.append(
            FieldError(
                "currency",
                "currency_mismatch",
                f"This company buys in {parties.currency}",
                {"expected": parties.currency},
            )
        )
    priced, line_errors = _price_lines(tenant_id, parties, lines)
    errors += line_errors
    if errors or parties.ship_to_id is None:
        raise ValidationFailed("The order cannot be placed; see errors.", errors=errors)

    locked = stock.lock_available_levels(tenant_id, (p.sku.id for p in priced))
    levels = locked.levels
    plan = allocation.allocate(
        [
            allocation.Want(i, p.sku.id, p.quantity, p.sku.allow_backorder)
            for i, p in enumerate(priced)
        ],
        sorted(
            (allocation.Level(lv.warehouse_id, lv.sku_id, lv.available) for lv in levels.values()),
            key=lambda level: locked.rank[level.warehouse_id],
        ),
    )
    if plan.shortages:
        raise Conflict(
            "Not enough stock for some lines; nothing was reserved.",
            code="insufficient_stock",
            errors=[
                FieldError(
                    f"lines[{s.index}].quantity",
                    "insufficient_stock",
                    f"{priced[s.index].sku.code}: {s.available} available, {s.wanted} wanted",
                    {"available": s.available, "wanted": s.wanted},
                )
                for s in plan.shortages
            ],
        )

    now = clock.now()
    cur = parties.currency
    order_lines = []
    for i, p in enumerate(priced):
        order_lines.append(
            OrderLine(
                tenant_id=tenant_id,
                line_number=i + 1,
                sku_id=p.sku.id,
                sku_code=p.sku.code,
                description=_description(p.sku),
                quantity=p.quantity,
                unit_price=p.unit_price,
                line_total=money.round_money(p.unit_price * p.quantity, cur),
                backordered_quantity=plan.backordered.get(i, 0),
            )
        )
    subtotal = sum((line.line_total for line in order_lines), Decimal(0))
    if subtotal >= MAX_AMOUNT:
        raise ValidationFailed(
            "The order's total is too large.",
            errors=[FieldError("lines", "amount_too_large", "Split the order")],
        )
    order = Order(
        tenant_id=tenant_id,
        seller=parties.seller,
        company_id=parties.company_id,
        status=OrderStatus.PLACED,
        currency=cur,
        price_list_id=parties.price_list_id,
        ship_to_id=parties.ship_to_id,
        purchase_order_number=purchase_order_number,
        notes=notes,
        channel=channel,
        subtotal=subtotal,
        total=subtotal,
        placed_at=now,
        updated_at=now,
    )
    insert_instances([order], _ORDER_FIELDS)
    for line in order_lines:
        line.order = order
    insert_instances(order_lines, _LINE_FIELDS)
    insert_rows(
        Reservation,
        ["tenant_id", "order_line_id", "warehouse_id", "sku_id", "quantity"],
        [
            (tenant_id, order_lines[a.index].pk, a.warehouse_id, a.sku_id, a.quantity)
            for a in plan.allocations
        ],
    )
    reference = f"order:{order.pk}"
    changed = stock.apply_changes(
        tenant_id,
        levels,
        [
            stock.Change(
                a.warehouse_id, a.sku_id, StockMovement.Kind.RESERVATION, reserved_delta=a.quantity
            )
            for a in plan.allocations
        ],
        reason="order placed",
        reference=reference,
    )
    order._prefetched_objects_cache = {"lines": order_lines}  # type: ignore[attr-defined]
    placed = _order_event(
        order,
        "order.placed",
        {
            "company": parties.company_code,
            "currency": cur,
            "total": money.format_amount(order.total, cur),
            "lines": [
                {
                    "sku": ol.sku_code,
                    "quantity": ol.quantity,
                    "unit_price": str(ol.unit_price),
                    "backordered": ol.backordered_quantity,
                }
                for ol in order_lines
            ],
        },
    )
    sku_codes = {p.sku.id: p.sku.code for p in priced}
    recorded = [placed]
    if changed:
        recorded.append(
            stock.stock_event(tenant_id, changed, sku_codes, locked.warehouse_codes, reference)
        )
    events.record_many(recorded)
    return order


def _locked_order(tenant_id: int, order_id: int) -> Order:
    order = Order.objects.select_for_update().filter(tenant_id=tenant_id, pk=order_id).first()
    if order is None:
        raise NotFound(f"No order {order_id}.")
    return order


def transition(order: Order, action: str) -> set[str]:
    """The statuses `action` may lead to from the order's status, or 409 `invalid_transition`."""
    targets = allowed_targets(order.status, action)
    if not targets:
        raise InvalidTransition(f"Cannot {action} an order that is {order.status}.")
    return set(targets)


@transaction.atomic
def confirm_order(*, tenant_id: int, order_id: int) -> Order:
    """The seller accepts the order: it may now be shipped."""
    order = _locked_order(tenant_id, order_id)
    transition(order, Action.CONFIRM)
    order.status = OrderStatus.CONFIRMED
    order.save(update_fields=["status", "updated_at"])
    events.record_many([_order_event(order, "order.confirmed", {})])
    return order


@transaction.atomic
def cancel_order(*, tenant_id: int, order_id: int, reason: str = "") -> Order:
    """Cancel an order that has not shipped; every unit it reserved becomes available again."""
    order = _locked_order(tenant_id, order_id)
    transition(order, Action.CANCEL)
    reservations = list(
        Reservation.objects.filter(
            tenant_id=tenant_id, order_line__order=order, quantity__gt=0
        ).select_related("sku", "warehouse")
    )
    reference = f"order:{order.pk}"
    recorded = []
    if reservations:
        levels = stock.lock_levels(
            tenant_id, (r.sku_id for r in reservations), (r.warehouse_id for r in reservations)
        )
        changed = stock.apply_changes(
            tenant_id,
            levels,
            [
                stock.Change(
                    r.warehouse_id, r.sku_id, StockMovement.Kind.RELEASE, reserved_delta=-r.quantity
                )
                for r in reservations
            ],
            reason=f"order cancelled{': ' + reason if reason else ''}"[:200],
            reference=reference,
        )
        for r in reservations:
            r.quantity = 0
        Reservation.objects.bulk_update(reservations, ["quantity"])
        recorded.append(
            stock.stock_event(
                tenant_id,
                changed,
                {r.sku_id: r.sku.code for r in reservations},
                {r.warehouse_id: r.warehouse.code for r in reservations},
                reference,
            )
        )
    OrderLine.objects.filter(order=order).update(backordered_quantity=0)
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    recorded.insert(0, _order_event(order, "order.cancelled", {"reason": reason}))
    events.record_many(recorded)
    return order


@transaction.atomic
def deliver_order(*, tenant_id: int, order_id: int) -> Order:
    """The buyer has everything: a fully shipped order becomes delivered."""
    order = _locked_order(tenant_id, order_id)
    transition(order, Action.DELIVER)
    now = clock.now()
    order.shipments.filter(delivered_at__isnull=True).update(delivered_at=now)
    order.status = OrderStatus.DELIVERED
    order.save(update_fields=["status", "updated_at"])
    events.record_many([_order_event(order, "order.delivered", {})])
    return order
