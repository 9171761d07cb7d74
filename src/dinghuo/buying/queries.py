"""Reads of carts, requisition lists and quotes: tenant-scoped, a fixed number of queries.

Carts and lists are priced when read (`orders.queries.check_lines`), so what a buyer sees is
what placing the order would charge, with the reasons a line could not be ordered now.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from dinghuo.buying.models import (
    CartLine,
    Quote,
    QuoteLine,
    QuoteRound,
    RequisitionList,
    RequisitionListLine,
)
from dinghuo.buying.quote_states import WAITING_STATUSES, QuoteStatus
from dinghuo.core import clock
from dinghuo.core.errors import NotFound
from dinghuo.customers.models import Company, Location
from dinghuo.orders.models import Order
from dinghuo.orders.queries import LineCheck, LinesCheck, check_lines
from dinghuo.orders.services import LineRequest


@dataclass(frozen=True)
class Buyer:
    """The company a cart, list or quote belongs to, as its reads and writes need it."""

    company_id: int
    seller_id: int
    currency: str


@dataclass(frozen=True)
class PricedLine:
    """A saved line (cart or list) priced now."""

    sku_id: int
    check: LineCheck
    note: str = ""


@dataclass(frozen=True)
class PricedLines:
    currency: str
    lines: list[PricedLine]
    check: LinesCheck | None  # None when there is nothing to price

    @property
    def can_order(self) -> bool:
        return self.check is not None and bool(self.lines) and self.check.ok


def buyer_company(tenant_id: int, company_id: int) -> Buyer:
    """The company with the seller and currency of its base price list (one query); 404 if it
    is not the tenant's."""
    row = (
        Company.objects.filter(tenant_id=tenant_id, pk=company_id)
        .values_list("price_list__seller_id", "price_list__currency")
        .first()
    )
    if row is None:
        raise NotFound(f"No company {company_id}.")
    return Buyer(company_id, row[0], row[1])


def price_saved_lines(
    tenant_id: int,
    buyer: Buyer,
    saved: list[tuple[int, str, int, str]],
    ship_to_id: int | None = None,
) -> PricedLines:
    """Price saved lines (sku id, sku code, quantity, note) for the company now, with their
    tax to `ship_to_id` when given."""
    if not saved:
        return PricedLines(buyer.currency, [], None)
    check = check_lines(
        tenant_id,
        buyer.company_id,
        [LineRequest(code, quantity) for _, code, quantity, _ in saved],
        ship_to_id=ship_to_id,
    )
    lines = [
        PricedLine(sku_id, line, note)
        for (sku_id, _, _, note), line in zip(saved, check.lines, strict=True)
    ]
    return PricedLines(check.currency, lines, check)


def cart_lines(
    tenant_id: int, buyer: Buyer, owner_id: int | None
) -> list[tuple[int, str, int, str]]:
    """The lines of the cart of `owner_id` (None: the staff cart) in the order they were added
    (one query; no cart is no lines)."""
    rows = CartLine.objects.filter(
        tenant_id=tenant_id,
        cart__company_id=buyer.company_id,
        cart__seller_id=buyer.seller_id,
        cart__owner_id=owner_id,
    ).order_by("id")
    return [
        (sku_id, code, quantity, "")
        for sku_id, code, quantity in rows.values_list("sku_id", "sku__code", "quantity")
    ]


def cart(
    tenant_id: int, company_id: int, owner_id: int | None, *, ship_to_id: int | None = None
) -> PricedLines:
    """A cart priced now: two queries plus those of `check_lines`, whatever its size; with
    its tax to `ship_to_id` (one of the company's ship-tos) when given.

    Reading never creates a cart: a cart that does not exist yet reads as empty."""
    buyer = buyer_company(tenant_id, company_id)
    saved = cart_lines(tenant_id, buyer, owner_id)
    return price_saved_lines(tenant_id, buyer, saved, ship_to_id)


def first_ship_to(tenant_id: int, company_id: int) -> tuple[int, str] | None:
    """The company's first active ship-to by name (as the checkout offers it first): its id
    and name, for the tax a cart would pay (one query)."""
    found = (
        Location.objects.filter(
            tenant_id=tenant_id,
            company_id=company_id,
            kind=Location.Kind.SHIP_TO,
            is_active=True,
        )
        .order_by("name", "id")
        .values_list("pk", "name")
        .first()
    )
    return (found[0], found[1]) if found else None


def is_ship_to_of(tenant_id: int, company_id: int, ship_to_id: int) -> bool:
    """Whether `ship_to_id` is one of the company's active ship-tos (one query)."""
    return Location.objects.filter(
        tenant_id=tenant_id,
        company_id=company_id,
        pk=ship_to_id,
        kind=Location.Kind.SHIP_TO,
        is_active=True,
    ).exists()


def order_company(tenant_id: int, order_id: int, company_id: int | None = None) -> int:
    """The company of an order of the tenant (and of `company_id`, if given); else 404."""
    orders = Order.objects.filter(tenant_id=tenant_id, pk=order_id)
    if company_id is not None:
        orders = orders.filter(company_id=company_id)
    found = orders.values_list("company_id", flat=True).first()
    if found is None:
        raise NotFound(f"No order {order_id}.")
    return found


def requisition_lists(tenant_id: int, company_id: int) -> QuerySet[RequisitionList]:
    """The company's saved lists with their line counts; 404 for another tenant's company."""
    buyer_company(tenant_id, company_id)
    return RequisitionList.objects.filter(tenant_id=tenant_id, company_id=company_id).annotate(
        line_count=Count("lines")
    )


def requisition_list(
    tenant_id: int, company_id: int, list_id: int
) -> tuple[RequisitionList, PricedLines]:
    """One of the company's lists, its lines priced now: three queries plus `check_lines`'s,
    whatever its size. A list of another company is not found."""
    buyer = buyer_company(tenant_id, company_id)
    found = RequisitionList.objects.filter(
        tenant_id=tenant_id, company_id=company_id, pk=list_id
    ).first()
    if found is None:
        raise NotFound(f"No requisition list {list_id}.")
    saved = list(
        RequisitionListLine.objects.filter(requisition_list=found)
        .order_by("id")
        .values_list("sku_id", "sku__code", "quantity", "note")
    )
    return found, price_saved_lines(tenant_id, buyer, saved)


def quotes(
    tenant_id: int,
    *,
    company_id: int | None = None,
    status: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Quote]:
    """The tenant's quotes, optionally of one company and in one (effective) status.

    "expired" includes answered quotes past their expiry that nothing has marked yet, and
    "answered" leaves them out."""
    now = now or clock.now()
    qs = Quote.objects.filter(tenant_id=tenant_id).annotate(line_count=Count("lines"))
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    if status == QuoteStatus.EXPIRED:
        qs = qs.filter(
            Q(status=QuoteStatus.EXPIRED) | Q(status=QuoteStatus.ANSWERED, expires_at__lte=now)
        )
    elif status == QuoteStatus.ANSWERED:
        qs = qs.filter(status=QuoteStatus.ANSWERED, expires_at__gt=now)
    elif status:
        qs = qs.filter(status=status)
    return qs


def quote(tenant_id: int, quote_id: int, *, company_id: int | None = None) -> Quote:
    """One quote with its seller, company, order, lines and their SKUs, and its rounds with
    who said them (three queries); with `company_id`, a quote of another company is not found."""
    qs = Quote.objects.select_related("seller", "company", "order").prefetch_related(
        Prefetch("lines", queryset=QuoteLine.objects.select_related("sku").order_by("line_number")),
        Prefetch("rounds", queryset=QuoteRound.objects.select_related("by").order_by("number")),
    )
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    found = qs.filter(tenant_id=tenant_id, pk=quote_id).first()
    if found is None:
        raise NotFound(f"No quote {quote_id}.")
    return found


def desk_quotes(
    tenant_id: int,
    *,
    statuses: Iterable[str] | None = None,
    status: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Quote]:
    """The seller's desk: quotes in `statuses` (or one effective `status`), with their company,
    line count, `waiting_since` and `value`: the quoted prices where answered, else the
    company's prices when asked (lines with neither count nothing)."""
    qs = quotes(tenant_id, status=status, now=now)
    if statuses is not None:
        qs = qs.filter(status__in=list(statuses))
    last_round = QuoteRound.objects.filter(quote=OuterRef("pk")).order_by("-number")
    return qs.select_related("company", "order").annotate(
        # Since when the quote waits: its last round (a request or a counter-offer).
        waiting_since=Coalesce(Subquery(last_round.values("at")[:1]), "requested_at"),
        value=Sum(
            Coalesce("lines__unit_price", "lines__list_unit_price") * F("lines__quantity"),
            output_field=DecimalField(max_digits=30, decimal_places=8),
        ),
    )


def waiting_quote_count(tenant_id: int) -> int:
    """How many quotes wait for the seller: requests and counter-offers (one query)."""
    return Quote.objects.filter(tenant_id=tenant_id, status__in=list(WAITING_STATUSES)).count()


@dataclass(frozen=True)
class DeskLine:
    """A quote line as staff answer it: beside the company's price today (`price_now`), the
    list price it comes from (`list_price`) and the stock available now."""

    line: QuoteLine
    price_now: Decimal | None
    list_price: Decimal | None
    available: int | None


def desk_lines(quote: Quote) -> list[DeskLine]:
    """The lines of a quote (loaded by `quote`) priced for its company now (constant queries)."""
    lines = list(quote.lines.all())
    check = check_lines(
        quote.tenant_id,
        quote.company_id,
        [LineRequest(line.sku.code, line.quantity) for line in lines],
    )
    rows = []
    for line, checked in zip(lines, check.lines, strict=True):
        base = (checked.pricing or {}).get("base_unit_price")
        rows.append(
            DeskLine(
                line=line,
                price_now=checked.unit_price,
                list_price=Decimal(base) if base is not None else None,
                available=checked.available,
            )
        )
    return rows
