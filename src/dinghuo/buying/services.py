"""Buying writes: carts, requisition (saved) lists, reordering, and quotes (RFQ).

Every line is judged by `orders.queries.check_lines`, the check placing an order makes, so a
cart never holds a line that could not have been ordered when it was added, and a quote never
asks for a SKU the company may not buy. Each service is one transaction; quotes record their
events on the quote (aggregate "quote"), carts and lists record none (they are drafts).

A cart belongs to a company, a seller (the seller of the company's base price list) and an
owner: the company user who fills it, or nobody for the cart seller staff fill on the
company's behalf.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from dinghuo.buying import queries
from dinghuo.buying.models import Cart, CartLine, Quote, QuoteLine, RequisitionList
from dinghuo.buying.models import RequisitionListLine as ListLineRow
from dinghuo.buying.queries import Buyer
from dinghuo.buying.quote_states import QuoteAction, QuoteStatus, effective_status, target
from dinghuo.catalog.models import Sku
from dinghuo.core import clock
from dinghuo.core.errors import (
    Conflict,
    FieldError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from dinghuo.core.queries import tenant_row
from dinghuo.core.writes import refuse
from dinghuo.customers.models import Company, CompanyUser, Location
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.queries import check_lines
from dinghuo.orders.services import LineRequest, QuotedPrices, place_order

# Problems that do not stop a line from being ordered: placing it decides (backorder or 409).
_WARNINGS = frozenset({"insufficient_stock"})
# A quote is asked exactly where the list price is missing or does not fit, so these do not
# stop a request; everything else (unknown, inactive, quantity rules) would stop the order.
_QUOTE_TOLERATES = _WARNINGS | {"no_price", "amount_too_large"}
# A saved list may hold a line that cannot be ordered today (no price, below a new minimum:
# its read shows why); it may not hold a SKU the company cannot buy at all.
_LIST_REFUSES = frozenset(
    {"unknown_sku", "inactive_sku", "duplicate_sku", "quantity_not_positive", "quantity_too_large"}
)
_MAX_AMOUNT = Decimal(10) ** 14  # amounts are stored with 18 digits, 4 of them decimals
_LINE_PREFIX = re.compile(r"^lines\[\d+\]\.?")


def _refusal(field: str, code: str, message: str, **extra: Any) -> ValidationFailed:
    return ValidationFailed(message, code=code, errors=[FieldError(field, code, message, extra)])


def _blocking(problems: Iterable[FieldError]) -> list[FieldError]:
    return [p for p in problems if p.code not in _WARNINGS]


def _moved(problem: FieldError, at: str) -> FieldError:
    """The problem `check_lines` found at `lines[i]…`, reported at `at…` instead."""
    rest = _LINE_PREFIX.sub("", problem.field)
    field = f"{at}.{rest}" if at and rest else (at or rest or "lines")
    return FieldError(field, problem.code, problem.message, problem.extra)


# Carts


@dataclass(frozen=True)
class RepricedLine:
    """One line offered to the cart (from an earlier order or a saved list), priced today."""

    sku_id: int | None
    sku: str
    description: str
    quantity: int
    cart_quantity: int  # what the cart holds of the SKU afterwards (would hold, if not added)
    previous_unit_price: Decimal | None
    current_unit_price: Decimal | None
    added: bool
    problems: list[FieldError]


@dataclass(frozen=True)
class Repricing:
    """What adding earlier lines to a cart did, line by line, at today's prices."""

    currency: str
    lines: list[RepricedLine]


@dataclass(frozen=True)
class _Wanted:
    sku_id: int
    sku: str
    quantity: int
    previous_unit_price: Decimal | None
    description: str


def _cart_rows(tenant_id: int, buyer: Buyer, owner_id: int | None) -> QuerySet[Cart]:
    return Cart.objects.filter(
        tenant_id=tenant_id,
        company_id=buyer.company_id,
        seller_id=buyer.seller_id,
        owner_id=owner_id,
    )


def _locked_cart(tenant_id: int, buyer: Buyer, owner_id: int | None) -> Cart | None:
    cart: Cart | None = _cart_rows(tenant_id, buyer, owner_id).select_for_update().first()
    return cart


def _cart_for_update(tenant_id: int, buyer: Buyer, owner_id: int | None) -> Cart:
    """The cart, locked until the transaction ends; created when there is none yet.

    Two first adds racing: the second insert waits for the first and fails on the unique
    constraint, and then finds (and waits for) the first one's cart."""
    cart = _locked_cart(tenant_id, buyer, owner_id)
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            return Cart.objects.create(
                tenant_id=tenant_id,
                company_id=buyer.company_id,
                seller_id=buyer.seller_id,
                owner_id=owner_id,
            )
    except IntegrityError:
        cart = _locked_cart(tenant_id, buyer, owner_id)
        if cart is None:  # pragma: no cover - the winner's cart cannot vanish in between
            raise
        return cart


def _check_orderable(tenant_id: int, buyer: Buyer, sku: str, quantity: int) -> None:
    """The line as `check_lines` sees it; 422 with every reason it could not be ordered."""
    line = check_lines(tenant_id, buyer.company_id, [LineRequest(sku, quantity)]).lines[0]
    problems = _blocking(line.problems)
    if problems:
        raise ValidationFailed(
            "This line could not be ordered; see errors.",
            code=problems[0].code,
            errors=[_moved(p, "") for p in problems],
        )


def _quantity_must_be_positive(quantity: int) -> None:
    if quantity <= 0:
        raise _refusal("quantity", "quantity_not_positive", "Add at least one unit")


@transaction.atomic
def add_to_cart(
    *, tenant_id: int, company_id: int, owner_id: int | None, sku: str, quantity: int
) -> None:
    """Put `quantity` of the SKU coded `sku` in the cart of `owner_id` (None: the staff cart);
    a SKU already in the cart gets the quantity added to it.

    Refused (422, nothing changed) when the SKU is unknown to the company (another seller's,
    another tenant's, outside its assortment) or the line could not be ordered at its new
    quantity: inactive, below the minimum, not a pack multiple, no price. Short stock does not
    stop it: the order decides (backorder or refusal)."""
    _quantity_must_be_positive(quantity)
    buyer = queries.buyer_company(tenant_id, company_id)
    sku_id = (
        Sku.objects.filter(tenant_id=tenant_id, seller_id=buyer.seller_id, code=sku)
        .values_list("id", flat=True)
        .first()
    )
    if sku_id is None:
        raise _refusal("sku", "unknown_sku", f"No SKU {sku}")
    cart = _cart_for_update(tenant_id, buyer, owner_id)
    existing = CartLine.objects.filter(cart=cart, sku_id=sku_id).first()
    total = quantity + (existing.quantity if existing else 0)
    # Judged at the quantity the cart will hold: the tier, the pack and the minimum of the sum.
    _check_orderable(tenant_id, buyer, sku, total)
    if existing is None:
        CartLine.objects.create(tenant_id=tenant_id, cart=cart, sku_id=sku_id, quantity=total)
    else:
        existing.quantity = total
        existing.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])


def _cart_line(tenant_id: int, buyer: Buyer, owner_id: int | None, sku_id: int) -> CartLine:
    cart = _locked_cart(tenant_id, buyer, owner_id)
    line = (
        CartLine.objects.select_related("sku", "cart").filter(cart=cart, sku_id=sku_id).first()
        if cart is not None
        else None
    )
    if line is None:
        raise NotFound(f"SKU {sku_id} is not in the cart.")
    return line


@transaction.atomic
def set_cart_quantity(
    *, tenant_id: int, company_id: int, owner_id: int | None, sku_id: int, quantity: int
) -> None:
    """Change how many of a SKU in the cart the order would take; a SKU not in the cart is
    not found. Refused like `add_to_cart` when the line could not be ordered."""
    _quantity_must_be_positive(quantity)
    buyer = queries.buyer_company(tenant_id, company_id)
    line = _cart_line(tenant_id, buyer, owner_id, sku_id)
    _check_orderable(tenant_id, buyer, line.sku.code, quantity)
    if line.quantity != quantity:
        line.quantity = quantity
        line.save(update_fields=["quantity"])
        line.cart.save(update_fields=["updated_at"])


@transaction.atomic
def remove_from_cart(*, tenant_id: int, company_id: int, owner_id: int | None, sku_id: int) -> None:
    """Take a SKU out of the cart; a SKU not in the cart is not found."""
    buyer = queries.buyer_company(tenant_id, company_id)
    line = _cart_line(tenant_id, buyer, owner_id, sku_id)
    line.delete()
    line.cart.save(update_fields=["updated_at"])


@transaction.atomic
def checkout_cart(
    *,
    tenant_id: int,
    company_id: int,
    owner_id: int | None,
    ship_to_id: int,
    purchase_order_number: str = "",
    notes: str = "",
    channel: str = "api",
    placed_by_id: int | None = None,
    requested_delivery_date: date | None = None,
    entered_by_id: int | None = None,
) -> Order:
    """Place the cart as one order and empty it, together: a refused order (422/409 with the
    order's errors) leaves the cart exactly as it was."""
    buyer = queries.buyer_company(tenant_id, company_id)
    cart = _locked_cart(tenant_id, buyer, owner_id)
    rows = (
        list(CartLine.objects.filter(cart=cart).order_by("id").values_list("sku__code", "quantity"))
        if cart is not None
        else []
    )
    if cart is None or not rows:
        raise _refusal("lines", "cart_empty", "The cart is empty")
    order = place_order(
        tenant_id=tenant_id,
        company_id=company_id,
        ship_to_id=ship_to_id,
        lines=[LineRequest(code, quantity) for code, quantity in rows],
        purchase_order_number=purchase_order_number,
        notes=notes,
        channel=channel,
        placed_by_id=placed_by_id,
        requested_delivery_date=requested_delivery_date,
        entered_by_id=entered_by_id,
    )
    CartLine.objects.filter(cart=cart).delete()
    cart.save(update_fields=["updated_at"])
    return order


def _add_lines(
    tenant_id: int, buyer: Buyer, owner_id: int | None, wanted: list[_Wanted]
) -> Repricing:
    """Add every line that could be ordered at the quantity the cart would then hold; report
    every line, added or not, with today's price. Constant queries whatever the line count."""
    cart = _cart_for_update(tenant_id, buyer, owner_id)
    if not wanted:
        return Repricing(buyer.currency, [])
    in_cart = {
        line.sku_id: line
        for line in CartLine.objects.filter(cart=cart, sku_id__in=[w.sku_id for w in wanted])
    }
    totals = [
        w.quantity + (in_cart[w.sku_id].quantity if w.sku_id in in_cart else 0) for w in wanted
    ]
    check = check_lines(
        tenant_id,
        buyer.company_id,
        [LineRequest(w.sku, total) for w, total in zip(wanted, totals, strict=True)],
    )
    report, new, changed = [], [], []
    for w, total, line in zip(wanted, totals, check.lines, strict=True):
        problems = [_moved(p, "") for p in line.problems]
        added = not _blocking(line.problems)
        if added and w.sku_id in in_cart:
            in_cart[w.sku_id].quantity = total
            changed.append(in_cart[w.sku_id])
        elif added:
            new.append(CartLine(tenant_id=tenant_id, cart=cart, sku_id=w.sku_id, quantity=total))
        report.append(
            RepricedLine(
                sku_id=w.sku_id,
                sku=w.sku,
                description=line.description or w.description,
                quantity=w.quantity,
                cart_quantity=total if added else total - w.quantity,
                previous_unit_price=w.previous_unit_price,
                current_unit_price=line.unit_price,
                added=added,
                problems=problems,
            )
        )
    CartLine.objects.bulk_create(new)
    CartLine.objects.bulk_update(changed, ["quantity"])
    cart.save(update_fields=["updated_at"])
    return Repricing(check.currency, report)


@transaction.atomic
def reorder(
    *, tenant_id: int, order_id: int, company_id: int | None = None, cart_owner_id: int | None
) -> Repricing:
    """Copy an earlier order's lines into a cart at today's prices (`cart_owner_id` None: the
    staff cart of the order's company).

    With `company_id` (a buyer) an order of another company is not found. Lines that could not
    be ordered today are reported with their reasons and not added; the others are added (to
    what the cart already holds) and reported with the price they had and have now."""
    order_company = queries.order_company(tenant_id, order_id, company_id)
    buyer = queries.buyer_company(tenant_id, order_company)
    currency = Order.objects.filter(pk=order_id).values_list("currency", flat=True).get()
    # A price in the currency the company used to buy in says nothing about today's.
    same_currency = currency == buyer.currency
    rows = (
        OrderLine.objects.filter(order_id=order_id)
        .order_by("line_number")
        .values_list("sku_id", "sku__code", "quantity", "unit_price", "description")
    )
    wanted = [
        _Wanted(sku_id, code, quantity, price if same_currency else None, text)
        for sku_id, code, quantity, price, text in rows
    ]
    return _add_lines(tenant_id, buyer, cart_owner_id, wanted)


# Requisition lists


@dataclass(frozen=True)
class ListLine:
    sku: str
    quantity: int
    note: str = ""


@dataclass(frozen=True)
class Editor:
    """A company user changing a list; seller staff are `None` where an editor is asked."""

    company_user_id: int
    role: str


def _list_lines(tenant_id: int, buyer: Buyer, lines: list[ListLine]) -> list[tuple[int, ListLine]]:
    """The SKU id of every line; 422 with every line that names a SKU the company cannot buy,
    a SKU twice, or a quantity that is not positive."""
    if not lines:
        return []
    check = check_lines(
        tenant_id, buyer.company_id, [LineRequest(ln.sku, ln.quantity) for ln in lines]
    )
    errors = [
        _moved(p, f"lines[{i}]")
        for i, line in enumerate(check.lines)
        for p in line.problems
        if p.code in _LIST_REFUSES
    ]
    refuse(errors, "Some lines cannot be saved; see errors.")
    resolved = []
    for line, checked in zip(lines, check.lines, strict=True):
        assert checked.sku_id is not None
        resolved.append((checked.sku_id, line))
    return resolved


def _write_list_lines(
    tenant_id: int, saved: RequisitionList, lines: list[tuple[int, ListLine]]
) -> None:
    ListLineRow.objects.bulk_create(
        ListLineRow(
            tenant_id=tenant_id,
            requisition_list=saved,
            sku_id=sku_id,
            quantity=line.quantity,
            note=line.note,
        )
        for sku_id, line in lines
    )


@transaction.atomic
def create_requisition_list(
    *,
    tenant_id: int,
    company_id: int,
    owner_id: int | None,
    name: str,
    lines: list[ListLine],
) -> RequisitionList:
    """A saved list of SKUs and quantities the company buys again and again, owned by the
    company user who made it (None: made by seller staff). Every user of the company sees it."""
    buyer = queries.buyer_company(tenant_id, company_id)
    resolved = _list_lines(tenant_id, buyer, lines)
    saved = RequisitionList.objects.create(
        tenant_id=tenant_id, company_id=company_id, owner_id=owner_id, name=name
    )
    _write_list_lines(tenant_id, saved, resolved)
    return saved


def _locked_list(
    tenant_id: int, company_id: int, list_id: int, editor: Editor | None
) -> RequisitionList:
    found = tenant_row(
        RequisitionList.objects.select_for_update().filter(company_id=company_id),
        tenant_id,
        list_id,
        f"No requisition list {list_id}.",
    )
    allowed = (
        editor is None
        or editor.role == CompanyUser.Role.ADMIN
        or found.owner_id == editor.company_user_id
    )
    if not allowed:
        raise PermissionDenied(
            "Only the list's owner or a company admin may change it.", code="not_list_owner"
        )
    return found


@transaction.atomic
def update_requisition_list(
    *,
    tenant_id: int,
    company_id: int,
    list_id: int,
    editor: Editor | None,
    name: str | None = None,
    lines: list[ListLine] | None = None,
) -> RequisitionList:
    """Rename a list and/or replace all its lines (None leaves either as it is).

    A company user may change the lists they made; a company admin and seller staff any list
    of the company (403 `not_list_owner` otherwise)."""
    saved = _locked_list(tenant_id, company_id, list_id, editor)
    if lines is not None:
        buyer = queries.buyer_company(tenant_id, company_id)
        resolved = _list_lines(tenant_id, buyer, lines)
        ListLineRow.objects.filter(requisition_list=saved).delete()
        _write_list_lines(tenant_id, saved, resolved)
    if name is not None:
        saved.name = name
    saved.save()
    return saved


@transaction.atomic
def delete_requisition_list(
    *, tenant_id: int, company_id: int, list_id: int, editor: Editor | None
) -> None:
    """Delete a list and its lines; who may is as for `update_requisition_list`."""
    _locked_list(tenant_id, company_id, list_id, editor).delete()


@transaction.atomic
def add_requisition_list_to_cart(
    *, tenant_id: int, company_id: int, list_id: int, cart_owner_id: int | None
) -> Repricing:
    """Add a list's lines to a cart at today's prices; lines that could not be ordered today
    are reported and not added (see `reorder`). A list of another company is not found."""
    buyer = queries.buyer_company(tenant_id, company_id)
    saved = tenant_row(
        RequisitionList.objects.filter(company_id=company_id),
        tenant_id,
        list_id,
        f"No requisition list {list_id}.",
    )
    rows = (
        ListLineRow.objects.filter(requisition_list=saved)
        .order_by("id")
        .values_list("sku_id", "sku__code", "quantity")
    )
    wanted = [_Wanted(sku_id, code, quantity, None, code) for sku_id, code, quantity in rows]
    return _add_lines(tenant_id, buyer, cart_owner_id, wanted)


# Quotes


@dataclass(frozen=True)
class QuoteLineRequest:
    sku: str
    quantity: int
    note: str = ""


@dataclass(frozen=True)
class QuotedLine:
    line_number: int
    unit_price: Decimal


def _quote_event(quote: Quote, type: str, payload: dict[str, Any] | None = None) -> Event:
    return events.new(
        quote.tenant_id,
        type,
        "quote",
        quote.pk,
        {
            "quote": quote.number,
            "status": quote.status,
            "company_id": quote.company_id,
            **(payload or {}),
        },
    )


def _quote_buyer(tenant_id: int, company_id: int) -> Buyer:
    row = (
        Company.objects.filter(tenant_id=tenant_id, pk=company_id, is_active=True)
        .values_list("price_list__seller_id", "price_list__currency")
        .first()
    )
    if row is None:
        raise _refusal("company_id", "unknown_company", "No active company with this id")
    return Buyer(company_id, row[0], row[1])


def _ship_to_errors(tenant_id: int, company_id: int, ship_to_id: int | None) -> list[FieldError]:
    if (
        ship_to_id is None
        or Location.objects.filter(
            tenant_id=tenant_id,
            pk=ship_to_id,
            company_id=company_id,
            kind=Location.Kind.SHIP_TO,
            is_active=True,
        ).exists()
    ):
        return []
    return [FieldError("ship_to_id", "unknown_ship_to", "Not an active ship-to of this company")]


@transaction.atomic
def request_quote(
    *,
    tenant_id: int,
    company_id: int,
    lines: list[QuoteLineRequest],
    requested_by_id: int | None = None,
    ship_to_id: int | None = None,
    note: str = "",
) -> Quote:
    """A company asks the seller for prices (RFQ) on some lines, as one of its users or
    (`requested_by_id` None) through seller staff.

    Every line must name a SKU the company may buy, once, in a quantity it could order; a SKU
    without a list price may be asked for. All problems are reported at once (422)."""
    buyer = _quote_buyer(tenant_id, company_id)
    if not lines:
        raise _refusal("lines", "no_lines", "Ask for at least one line")
    errors = _ship_to_errors(tenant_id, company_id, ship_to_id)
    check = check_lines(tenant_id, company_id, [LineRequest(ln.sku, ln.quantity) for ln in lines])
    errors += [p for line in check.lines for p in line.problems if p.code not in _QUOTE_TOLERATES]
    refuse(errors, "The quote cannot be requested; see errors.")
    quote = Quote.objects.create(
        tenant_id=tenant_id,
        seller_id=buyer.seller_id,
        company_id=company_id,
        requested_by_id=requested_by_id,
        currency=check.currency,
        ship_to_id=ship_to_id,
        buyer_note=note,
        requested_at=clock.now(),
    )
    sku_ids = [checked.sku_id for checked in check.lines]
    QuoteLine.objects.bulk_create(
        QuoteLine(
            tenant_id=tenant_id,
            quote=quote,
            line_number=i,
            sku_id=sku_id,
            quantity=line.quantity,
            note=line.note,
        )
        for i, (line, sku_id) in enumerate(zip(lines, sku_ids, strict=True), 1)
        if sku_id is not None  # always: unknown SKUs were refused
    )
    payload = {"lines": [{"sku": ln.sku, "quantity": ln.quantity} for ln in lines]}
    events.record(_quote_event(quote, "quote.requested", payload))
    return quote


def _locked_quote(tenant_id: int, quote_id: int, company_id: int | None = None) -> Quote:
    quotes = Quote.objects.select_for_update(of=("self",))
    if company_id is not None:
        quotes = quotes.filter(company_id=company_id)
    return tenant_row(quotes, tenant_id, quote_id, f"No quote {quote_id}.")


def _move(quote: Quote, action: str, now: datetime) -> None:
    """Set the status `action` leads to, or refuse: 409 `quote_expired` once the answer has
    expired, else 409 `invalid_transition` where the table allows no such move."""
    status = effective_status(quote.status, quote.expires_at, now)
    if status == QuoteStatus.EXPIRED and action != QuoteAction.EXPIRE:
        raise Conflict(f"Quote {quote.number} has expired.", code="quote_expired")
    moved = target(status, action)
    if moved is None:
        raise InvalidTransition(f"Cannot {action} a quote that is {status}.")
    quote.status = moved


def _quote_lines(quote: Quote) -> list[QuoteLine]:
    return list(QuoteLine.objects.filter(quote=quote).select_related("sku").order_by("line_number"))


def _answer_errors(quote_lines: list[QuoteLine], answers: list[QuotedLine]) -> list[FieldError]:
    errors = []
    by_number = {line.line_number: line for line in quote_lines}
    seen = Counter(a.line_number for a in answers)
    for i, answer in enumerate(answers):
        at = f"lines[{i}]"
        line = by_number.get(answer.line_number)
        if line is None:
            errors.append(
                FieldError(f"{at}.line_number", "unknown_line", "The quote has no such line")
            )
        elif seen[answer.line_number] > 1:
            errors.append(FieldError(f"{at}.line_number", "duplicate_line", "Price each line once"))
        if answer.unit_price < 0:
            errors.append(
                FieldError(f"{at}.unit_price", "negative_price", "A price cannot be negative")
            )
        elif line is not None and answer.unit_price * line.quantity >= _MAX_AMOUNT:
            errors.append(
                FieldError(f"{at}.unit_price", "amount_too_large", "The line's amount is too large")
            )
    answered = set(seen)
    errors += [
        FieldError(
            "lines",
            "line_not_priced",
            f"Line {line.line_number} ({line.sku.code}) needs a price",
            {"line_number": line.line_number},
        )
        for line in quote_lines
        if line.line_number not in answered
    ]
    return errors


@transaction.atomic
def answer_quote(
    *,
    tenant_id: int,
    quote_id: int,
    lines: list[QuotedLine],
    expires_at: datetime,
    note: str = "",
) -> Quote:
    """The seller prices every line of a requested quote, valid until `expires_at` (in the
    future). Each line also keeps the price the company would pay today without the quote."""
    quote = _locked_quote(tenant_id, quote_id)
    now = clock.now()
    _move(quote, QuoteAction.ANSWER, now)
    quote_lines = _quote_lines(quote)
    errors = _answer_errors(quote_lines, lines)
    if expires_at <= now:
        errors.append(
            FieldError("expires_at", "expiry_not_in_future", "The quote must expire later")
        )
    refuse(errors, "The answer cannot be given; see errors.")
    listed = check_lines(
        tenant_id,
        quote.company_id,
        [LineRequest(line.sku.code, line.quantity) for line in quote_lines],
    )
    prices = {answer.line_number: answer.unit_price for answer in lines}
    for line, checked in zip(quote_lines, listed.lines, strict=True):
        line.unit_price = prices[line.line_number]
        line.list_unit_price = checked.unit_price
    QuoteLine.objects.bulk_update(quote_lines, ["unit_price", "list_unit_price"])
    quote.answered_at = now
    quote.expires_at = expires_at
    quote.seller_note = note
    quote.save()
    payload = {
        "expires_at": expires_at.isoformat(),
        "lines": [
            {"line_number": ln.line_number, "sku": ln.sku.code, "unit_price": str(ln.unit_price)}
            for ln in quote_lines
        ],
    }
    events.record(_quote_event(quote, "quote.answered", payload))
    return quote


@transaction.atomic
def reject_quote(*, tenant_id: int, quote_id: int, reason: str) -> Quote:
    """The seller will not quote (or takes back an answer not yet accepted), saying why."""
    quote = _locked_quote(tenant_id, quote_id)
    _move(quote, QuoteAction.REJECT, clock.now())
    quote.reject_reason = reason
    quote.save()
    events.record(_quote_event(quote, "quote.rejected", {"reason": reason}))
    return quote


@transaction.atomic
def accept_quote(
    *,
    tenant_id: int,
    quote_id: int,
    company_id: int,
    accepted_by_id: int | None = None,
    ship_to_id: int | None = None,
    purchase_order_number: str = "",
    channel: str = "api",
) -> Order:
    """The buyer takes the answered quote: it becomes an order at the quoted prices, in the
    same transaction. After its expiry: 409 `quote_expired`, nothing changed; an order the
    rules refuse (stock, credit…) leaves the quote answered.

    The order goes to `ship_to_id`, else to the ship-to named in the request."""
    quote = _locked_quote(tenant_id, quote_id, company_id)
    _move(quote, QuoteAction.ACCEPT, clock.now())
    ship_to = ship_to_id or quote.ship_to_id
    if ship_to is None:
        raise _refusal("ship_to_id", "ship_to_required", "Say where the order goes")
    quote_lines = _quote_lines(quote)
    prices = {line.sku.code: line.unit_price for line in quote_lines}
    order = place_order(
        tenant_id=tenant_id,
        company_id=quote.company_id,
        ship_to_id=ship_to,
        lines=[LineRequest(line.sku.code, line.quantity) for line in quote_lines],
        currency=quote.currency,
        purchase_order_number=purchase_order_number,
        notes=f"Quote {quote.number}",
        channel=channel,
        placed_by_id=accepted_by_id,
        quoted=QuotedPrices(quote.number, {k: v for k, v in prices.items() if v is not None}),
    )
    quote.order = order
    quote.save()
    events.record(_quote_event(quote, "quote.accepted", {"order": order.number}))
    return order


def _buyer_closes(tenant_id: int, quote_id: int, company_id: int, action: str, event: str) -> Quote:
    quote = _locked_quote(tenant_id, quote_id, company_id)
    _move(quote, action, clock.now())
    quote.save()
    events.record(_quote_event(quote, event))
    return quote


@transaction.atomic
def decline_quote(*, tenant_id: int, quote_id: int, company_id: int) -> Quote:
    """The buyer says no to the seller's answer."""
    return _buyer_closes(tenant_id, quote_id, company_id, QuoteAction.DECLINE, "quote.declined")


@transaction.atomic
def withdraw_quote(*, tenant_id: int, quote_id: int, company_id: int) -> Quote:
    """The buyer takes back a request the seller has not answered yet."""
    return _buyer_closes(tenant_id, quote_id, company_id, QuoteAction.WITHDRAW, "quote.withdrawn")


_EXPIRY_BATCH = 500


def expire_quotes(*, now: datetime | None = None) -> int:
    """Mark answered quotes past their expiry as expired, in every tenant; return how many.

    Readers already show them expired (`quote_states.effective_status`); this makes it a
    recorded fact with its `quote.expired` event. Each batch is its own short transaction;
    quotes another transaction holds (being accepted right now) are left for the next run."""
    now = now or clock.now()
    expired = 0
    while True:
        with transaction.atomic():
            due = list(
                Quote.objects.select_for_update(skip_locked=True)
                .filter(status=QuoteStatus.ANSWERED, expires_at__lte=now)
                .order_by("id")[:_EXPIRY_BATCH]
            )
            if not due:
                return expired
            for quote in due:
                quote.status = QuoteStatus.EXPIRED
            Quote.objects.bulk_update(due, ["status"])
            events.record(*(_quote_event(quote, "quote.expired") for quote in due))
            expired += len(due)
        if len(due) < _EXPIRY_BATCH:
            return expired
