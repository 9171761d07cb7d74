"""The buyer portal's ordering pages: catalogue, product, quick order, cart, checkout, orders.

Thin pages over the services and queries the API uses: a page reads what it shows through
them, writes through them, and shows their refusals next to the field or the row they are
about. The company always comes from the signed-in buyer (`request.buyer`), never from the URL
or the form, so guessing another company's order or SKU id finds nothing (404).

Pages answer HTMX requests (`HX-Request`) with the fragment that changed and plain requests
with the whole page, so every form also works without JavaScript.
"""

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dinghuo.buying import catalogue as company_catalogue
from dinghuo.buying import queries as buying_queries
from dinghuo.buying import services as buying
from dinghuo.catalog import queries as catalog
from dinghuo.core import idempotency, refusals
from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.core.phrases import Phrase
from dinghuo.orders import judging, routing_notice
from dinghuo.orders import queries as order_queries
from dinghuo.orders.line_checks import LineRequest
from dinghuo.orders.queries import LineCheck
from dinghuo.orders.states import OrderStatus
from dinghuo.portal import forms
from dinghuo.portal import queries as page
from dinghuo.portal.access import Buyer, BuyerRequest, buyer_required
from dinghuo.portal.views_lists import keep_repricing
from dinghuo.pricing import queries as pricing
from dinghuo.pricing.tiers import unit_price_for

CATALOGUE_PAGE_SIZE = 50
ORDERS_PAGE_SIZE = 25
QUICK_ORDER_BLANK_ROWS = 5
# Orders placed on these pages say so; staff see where an order came from.
CHANNEL = "portal"

# The order statuses in the page's language, in the order of the status filter.
STATUS_LABELS: dict[str, Any] = dict(OrderStatus.choices)
EVENT_LABELS = {
    "order.placed": _("Order placed"),
    "order.confirmed": _("Confirmed"),
    "order.credit_hold": _("Put on credit hold"),
    "order.hold_released": _("Credit hold released"),
    "order.approval_requested": _("Approval requested"),
    "order.approved": _("Approved"),
    "order.rejected": _("Rejected"),
    "order.approval_expired": _("Approval expired"),
    "order.shipped": _("Shipped"),
    "order.delivered": _("Delivered"),
    "order.cancelled": _("Cancelled"),
}
APPROVER_LABELS = routing_notice.APPROVERS[refusals.BUYER]
APPROVAL_STATUS_LABELS: dict[str, Any] = {
    "pending": _("Waiting for a decision"),
    "waiting": _("Waiting for an earlier level"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "expired": _("Expired"),
    "cancelled": _("Cancelled"),
}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _int_param(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


def _safe_next(request: HttpRequest, fallback: str) -> str:
    wanted = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    return fallback


# --- the catalogue ------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownEntry:
    """A catalogue entry as a page shows it."""

    sku_id: int
    code: str
    name: str
    unit: str
    unit_price: Decimal | None
    tiers: list[tuple[int, Decimal]]
    available: int
    min_order_quantity: int
    pack_size: int
    allow_backorder: bool

    @property
    def suggested_quantity(self) -> int:
        """The smallest quantity that is a whole number of packs and reaches the minimum,
        filled into the quantity box (the service still judges what is sent)."""
        packs = -(-self.min_order_quantity // self.pack_size)
        return max(packs, 1) * self.pack_size


def _shown(entry: company_catalogue.CatalogueEntry) -> ShownEntry:
    row = entry.row
    return ShownEntry(
        sku_id=row["id"],
        code=row["code"],
        name=page.entry_name(row),
        unit=row["unit"],
        unit_price=unit_price_for(entry.tiers, 1),
        tiers=entry.tiers,
        available=max(entry.available, 0),
        min_order_quantity=row["min_order_quantity"],
        pack_size=row["pack_size"],
        allow_backorder=bool(row["product__allow_backorder"]),
    )


@require_GET
@buyer_required
def catalogue(request: BuyerRequest) -> HttpResponse:
    """The company's catalogue: search, category filter, its prices and tiers, availability,
    and "more" for the next page (appended in place with HTMX)."""
    buyer = request.buyer
    q = (request.GET.get("q") or "").strip()[:100]
    category_id = _int_param(request.GET.get("category"))
    after = _int_param(request.GET.get("after")) or 0
    try:
        found = company_catalogue.buyer_catalogue(
            buyer.tenant_id,
            buyer.company_id,
            after_id=after,
            limit=CATALOGUE_PAGE_SIZE,
            category_id=category_id,
            q=q or None,
        )
    except DomainError as error:
        messages.error(request, " ".join(forms.refusal_messages(error)))
        found = company_catalogue.CataloguePage("", [], None)
    context: dict[str, Any] = {
        "currency": found.currency,
        "entries": [_shown(entry) for entry in found.entries],
        "next_after": found.next_after,
        "q": q,
        "category_id": category_id,
        "after": after,
    }
    if _is_htmx(request) and after:
        return render(request, "portal/_catalogue_rows.html", context)
    context["categories"] = list(catalog.categories(buyer.tenant_id).order_by("name", "id"))
    context["cart_size"] = page.cart_size(buyer)
    return render(request, "portal/catalogue.html", context)


@require_GET
@buyer_required
def product(request: BuyerRequest, sku_id: int) -> HttpResponse:
    """One SKU the company may order: its product's name and description in the reader's
    language, the company's ladder, availability, terms, and why it costs what it costs."""
    buyer = request.buyer
    try:
        found = page.catalogue_entry(buyer, sku_id)
    except DomainError as error:
        raise Http404 from error
    if found is None:
        raise Http404
    currency, entry = found
    shown = _shown(entry)
    product_, _skus = catalog.product_detail(buyer.tenant_id, entry.row["product_id"])
    quantity = _int_param(request.GET.get("quantity")) or shown.suggested_quantity
    explanation = price_reason(buyer, shown.code, quantity)
    return render(
        request,
        "portal/product.html",
        {
            "entry": shown,
            "currency": currency,
            "product": product_,
            "quantity": quantity,
            "explanation": explanation,
            "cart_size": page.cart_size(buyer),
        },
    )


@dataclass(frozen=True)
class PriceReason:
    """Why a quantity costs what it costs, in words a buyer reads."""

    unit_price: Decimal | None
    line_total: Decimal | None
    source: str
    tier: int | None
    promotion: str
    steps: Sequence[Phrase]  # the pricing rule's own steps, said in the page's language


def price_reason(buyer: Buyer, sku: str, quantity: int) -> PriceReason:
    """The price of `quantity` units for the company, through the pricing rule's own
    explanation (`pricing.queries.explain`)."""
    explained = pricing.explain(buyer.tenant_id, buyer.company_id, sku, quantity)
    resolution = explained.verdict.resolution
    if resolution is None:
        return PriceReason(None, None, "", None, "", explained.verdict.phrases)
    frozen = resolution.as_json()
    source = (
        gettext("your contract %(reference)s") % {"reference": frozen.get("reference", "")}
        if frozen.get("source") == "contract"
        else gettext("price list %(name)s") % {"name": frozen.get("price_list", "")}
    )
    promotion = frozen.get("promotion", {}).get("code", "") if "promotion" in frozen else ""
    return PriceReason(
        resolution.unit_price,
        resolution.unit_price * quantity,
        source,
        frozen.get("tier"),
        promotion,
        explained.verdict.phrases,
    )


def _cart_size_fragment(request: HttpRequest, buyer: Buyer) -> str:
    return render(
        request, "portal/_cart_size.html", {"cart_size": page.cart_size(buyer), "oob": True}
    ).content.decode()


@require_POST
@buyer_required
def add_to_cart(request: BuyerRequest) -> HttpResponseBase:
    """Add a quantity of a SKU to the buyer's cart. With HTMX the row's form answers in
    place (added, or why not) and the cart size in the header follows."""
    buyer = request.buyer
    form = forms.AddToCartForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            buying.add_to_cart(
                tenant_id=buyer.tenant_id,
                company_id=buyer.company_id,
                owner_id=buyer.company_user_id,
                sku=form.cleaned_data["sku"],
                quantity=form.cleaned_data["quantity"],
            )
        except DomainError as error:
            errors = forms.refusal_messages(error)
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    added = not errors
    if _is_htmx(request):
        body = render(
            request,
            "portal/_add_to_cart.html",
            {
                "sku": request.POST.get("sku", ""),
                "sku_id": _int_param(request.POST.get("sku_id")) or "",
                "pack": _int_param(request.POST.get("pack")) or "",
                "next": request.POST.get("next", ""),
                "quantity": request.POST.get("quantity", ""),
                "added": added,
                "errors": errors,
            },
        ).content.decode()
        return HttpResponse(body + _cart_size_fragment(request, buyer))
    if added:
        messages.success(
            request,
            gettext("Added %(quantity)s × %(sku)s to the cart.")
            % {"quantity": form.cleaned_data["quantity"], "sku": form.cleaned_data["sku"]},
        )
    else:
        messages.error(request, " ".join(errors))
    return redirect(_safe_next(request, reverse("portal:catalogue")))


# --- quick order --------------------------------------------------------------------------


@dataclass
class QuickRow:
    """A quick-order row as the page shows it: what was typed and, once checked, the price,
    the line total and every problem."""

    index: int
    sku: str
    quantity_text: str
    name: str = ""
    unit_price: Decimal | None = None
    line_total: Decimal | None = None
    available: int | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checked: bool = False

    @property
    def ok(self) -> bool:
        return self.checked and not self.problems


@dataclass
class QuickCheck:
    rows: list[QuickRow]
    currency: str = ""
    subtotal: Decimal = Decimal(0)
    error: str = ""

    @property
    def valid_count(self) -> int:
        return sum(1 for row in self.rows if row.ok)


def _local_problems(row: forms.Row) -> list[str]:
    """What the page itself can tell before asking: a row needs a code and a number."""
    problems = []
    if not row.sku:
        problems.append(forms.code_message("no_sku"))
    if row.quantity is None:
        problems.append(forms.code_message("not_a_number"))
    return problems


def check_rows(buyer: Buyer, rows: list[forms.Row]) -> QuickCheck:
    """Price and judge every row for the company with `orders.queries.check_lines` (a fixed
    number of queries whatever the number of rows) and name each SKU in the reader's
    language (one more)."""
    shown = [
        QuickRow(i if row.position is None else row.position, row.sku, row.quantity_text)
        for i, row in enumerate(rows)
    ]
    wanted: list[tuple[QuickRow, LineRequest]] = []
    for row, quick in zip(rows, shown, strict=True):
        quick.problems = _local_problems(row)
        if not quick.problems and row.quantity is not None:
            wanted.append((quick, LineRequest(row.sku, row.quantity)))
        quick.checked = True
    result = QuickCheck(shown)
    if not wanted:
        return result
    try:
        checked = order_queries.check_lines(
            buyer.tenant_id, buyer.company_id, [line for _, line in wanted]
        )
    except DomainError as error:
        result.error = " ".join(forms.refusal_messages(error))
        return result
    names = page.sku_names(buyer.tenant_id, [line.sku_id for line in checked.lines if line.sku_id])
    for (quick, _line), line in zip(wanted, checked.lines, strict=True):
        _fill(quick, line, names)
    result.currency = checked.currency
    result.subtotal = checked.subtotal
    return result


def _fill(quick: QuickRow, line: LineCheck, names: dict[int, str]) -> None:
    quick.name = names.get(line.sku_id, line.description) if line.sku_id else ""
    quick.unit_price = line.unit_price
    quick.line_total = line.line_total
    quick.available = line.available
    quick.problems, quick.warnings = forms.split_problems(line.problems)


def _with_blank_rows(rows: list[QuickRow]) -> list[QuickRow]:
    """The rows numbered afresh from the top, and blank rows to type more in."""
    for index, row in enumerate(rows):
        row.index = index
    start = len(rows)
    return rows + [QuickRow(start + i, "", "") for i in range(QUICK_ORDER_BLANK_ROWS)]


@dataclass
class AddReport:
    added: list[QuickRow]
    refused: list[QuickRow]
    currency: str


def add_rows_to_cart(buyer: Buyer, rows: list[forms.Row]) -> AddReport:
    """Add every row the cart service accepts, in one transaction; a row it refuses (or that
    repeats a SKU of another row) is left out and reported with its reasons."""
    checked = check_rows(buyer, rows)
    counts = Counter(row.sku for row in rows)
    added: list[QuickRow] = []
    refused: list[QuickRow] = []
    with transaction.atomic():
        for row, quick in zip(rows, checked.rows, strict=True):
            # The service would merge a repeated SKU into one line; the page said it would
            # not (one row per SKU, as an order refuses duplicates), so it does not.
            if counts[row.sku] > 1 or row.quantity is None or not row.sku:
                refused.append(quick)
                continue
            try:
                buying.add_to_cart(
                    tenant_id=buyer.tenant_id,
                    company_id=buyer.company_id,
                    owner_id=buyer.company_user_id,
                    sku=row.sku,
                    quantity=row.quantity,
                )
            except DomainError as error:  # add_to_cart's savepoint rolled its work back
                quick.problems = forms.refusal_messages(error)
                refused.append(quick)
            else:
                added.append(quick)
    return AddReport(added, refused, checked.currency)


def _rows_from_request(request: HttpRequest) -> tuple[list[forms.Row], list[forms.BadLine]]:
    action = request.POST.get("action", "check")
    if action == "paste":
        paste = forms.PasteForm(request.POST)
        if not paste.is_valid():
            return [], [forms.BadLine(0, "", str(e)) for e in paste.errors.get("rows_text", [])]
        read = forms.read_pasted(paste.cleaned_data["rows_text"])
        return read.rows, read.bad_lines
    if action == "upload":
        upload = forms.UploadForm(request.POST, request.FILES)
        if not upload.is_valid():
            return [], [forms.BadLine(0, "", str(e)) for e in upload.errors.get("file", [])]
        file = upload.cleaned_data["file"]
        read = forms.read_upload(file.name or "", file.read())
        return read.rows, read.bad_lines
    typed = forms.typed_rows(request.POST.getlist("sku"), request.POST.getlist("quantity"))
    return typed, []


@require_http_methods(["GET", "POST"])
@buyer_required
def quick_order(request: BuyerRequest) -> HttpResponse:
    """Rows of SKU and quantity, typed, pasted or uploaded, checked at once; then every
    valid row added to the cart.

    POST `action`: `check` (the rows as typed; with HTMX only the rows answer), `paste`,
    `upload`, or `add` (add the rows the cart accepts; the others stay on the page)."""
    buyer = request.buyer
    action = request.POST.get("action", "") if request.method == "POST" else ""
    rows, bad_lines = _rows_from_request(request) if action else ([], [])
    context: dict[str, Any] = {
        "bad_lines": bad_lines,
        "bad_source": action if bad_lines else "",
        "added": [],
    }
    checked: QuickCheck | None = None
    if action == "add":
        report = add_rows_to_cart(buyer, rows)
        if report.added:
            count = len(report.added)
            messages.success(
                request,
                ngettext(
                    "%(count)d row added to the cart.", "%(count)d rows added to the cart.", count
                )
                % {"count": count},
            )
        if not report.refused:
            return render_redirect(request, reverse("portal:cart"))
        # The refused rows stay on the page with the reasons the service gave.
        for index, row in enumerate(report.refused):
            row.index = index
        checked = QuickCheck(report.refused, report.currency)
    elif rows:
        checked = check_rows(buyer, rows)
    checked = checked or QuickCheck([])
    context["check"] = checked
    if _is_htmx(request) and action == "check":
        # Only the results answer, each into its row: the inputs the buyer may be typing in
        # at that moment are left alone.
        by_position = {row.index: row for row in checked.rows}
        posted = len(request.POST.getlist("sku"))
        context["results"] = [by_position.get(i, QuickRow(i, "", "")) for i in range(posted)]
        return render(request, "portal/_quick_order_results.html", context)
    checked.rows = _with_blank_rows(checked.rows)
    context["paste_form"] = forms.PasteForm()
    context["upload_form"] = forms.UploadForm()
    context["cart_size"] = page.cart_size(buyer)
    return render(request, "portal/quick_order.html", context)


def render_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect an HTMX request follows as a whole-page navigation."""
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


# --- the cart -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CartRow:
    """A cart line priced now, named in the reader's language, with its problems."""

    sku_id: int
    sku: str
    name: str
    quantity: int
    unit_price: Decimal | None
    line_total: Decimal | None
    available: int | None
    problems: list[str]
    warnings: list[str]
    error: str = ""  # a change to this line the service just refused


@dataclass(frozen=True)
class CartView:
    currency: str
    rows: list[CartRow]
    subtotal: Decimal
    can_order: bool


def cart_view(buyer: Buyer, errors: dict[int, str] | None = None) -> CartView:
    """The buyer's cart through `buying.queries.cart` (priced as placing would price it),
    plus one query for the names: a fixed number of queries whatever its size."""
    priced = buying_queries.cart(buyer.tenant_id, buyer.company_id, buyer.company_user_id)
    names = page.sku_names(buyer.tenant_id, [line.sku_id for line in priced.lines])
    errors = errors or {}
    rows = [
        CartRow(
            sku_id=line.sku_id,
            sku=line.check.sku,
            name=names.get(line.sku_id, line.check.description),
            quantity=line.check.quantity,
            unit_price=line.check.unit_price,
            line_total=line.check.line_total,
            available=line.check.available,
            problems=problems,
            warnings=warnings,
            error=errors.get(line.sku_id, ""),
        )
        for line in priced.lines
        for problems, warnings in [forms.split_problems(line.check.problems)]
    ]
    subtotal = priced.check.subtotal if priced.check else Decimal(0)
    return CartView(priced.currency, rows, subtotal, priced.can_order)


@require_GET
@buyer_required
def cart(request: BuyerRequest) -> HttpResponse:
    """The buyer's cart: every line at today's price, why a line cannot be ordered, change
    or remove a line, the subtotal, and the way to checkout. After a reorder, what changed."""
    buyer = request.buyer
    context = {
        "cart": cart_view(buyer),
        "repricing": _repricing_report(request.session.pop("portal_repricing", None)),
    }
    return render(request, "portal/cart.html", context)


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def _repricing_report(kept: dict[str, Any] | None) -> dict[str, Any] | None:
    """The reorder report kept in the session, its prices decimals again."""
    if not kept:
        return None
    for line in kept["lines"]:
        for key in ("previous", "current"):
            line[key] = None if line[key] is None else Decimal(line[key])
    return kept


@require_POST
@buyer_required
def cart_line(request: BuyerRequest, sku_id: int) -> HttpResponse:
    """Change the quantity of a cart line (`action=update`) or remove it (`action=remove`).
    With HTMX the cart answers in place; a refusal shows on the line."""
    buyer = request.buyer
    errors: dict[int, str] = {}
    where = {
        "tenant_id": buyer.tenant_id,
        "company_id": buyer.company_id,
        "owner_id": buyer.company_user_id,
        "sku_id": sku_id,
    }
    try:
        if request.POST.get("action") == "remove":
            buying.remove_from_cart(**where)
        else:
            form = forms.CartQuantityForm(request.POST)
            if form.is_valid():
                buying.set_cart_quantity(**where, quantity=form.cleaned_data["quantity"])
            else:
                errors[sku_id] = " ".join(str(e) for e in form.errors.get("quantity", []))
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        errors[sku_id] = " ".join(forms.refusal_messages(error))
    if _is_htmx(request):
        return render(request, "portal/_cart.html", {"cart": cart_view(buyer, errors)})
    for message in errors.values():
        messages.error(request, message)
    return redirect("portal:cart")


# --- checkout -----------------------------------------------------------------------------


def checkout_notice(buyer: Buyer, cart_: CartView) -> routing_notice.RoutingNotice | None:
    """The seller's rules applied to the cart as it stands (`orders.judging.preview_routing`,
    the code placing uses), for the page to show before the buyer places the order."""
    if not cart_.rows:
        return None
    preview = judging.preview_routing(
        buyer.tenant_id,
        buyer.company_id,
        [LineRequest(row.sku, row.quantity) for row in cart_.rows],
        placed_by_id=buyer.company_user_id,
    )
    return routing_notice.notice(preview, refusals.BUYER)


def _checkout_form(buyer: Buyer, data: Any = None) -> forms.CheckoutForm:
    addresses = page.ship_tos(buyer)
    choices = [(a.pk, f"{a.name} — {a.line1}, {a.city}") for a in addresses]
    initial = {"token": uuid.uuid4().hex, "ship_to": choices[0][0] if choices else None}
    return forms.CheckoutForm(data, ship_tos=choices, initial=initial)


def _place(request: HttpRequest, buyer: Buyer, form: forms.CheckoutForm) -> int:
    """Place the cart once per form token: a second submit of the same form (a double click,
    a resent request) finds the first answer and places nothing, as the API's
    Idempotency-Key does. The token is claimed in the order's own transaction."""
    data = form.cleaned_data
    body = {
        "ship_to": data["ship_to"],
        "purchase_order_number": data["purchase_order_number"],
        "requested_delivery_date": str(data["requested_date"] or ""),
        "notes": data["notes"],
    }
    key = f"portal-{buyer.company_user_id}:{data['token']}"
    idempotency.check_key(key)
    fingerprint = idempotency.request_fingerprint("POST", request.path, body)

    def once() -> int:
        record, replay = idempotency.claim(buyer.tenant_id, key, fingerprint)
        if replay is not None:
            return int(replay.body["order_id"])
        order = buying.checkout_cart(
            tenant_id=buyer.tenant_id,
            company_id=buyer.company_id,
            owner_id=buyer.company_user_id,
            ship_to_id=data["ship_to"],
            purchase_order_number=data["purchase_order_number"],
            notes=data["notes"],
            requested_delivery_date=data["requested_date"],
            channel=CHANNEL,
            placed_by_id=buyer.company_user_id,
        )
        idempotency.store(record, 201, {"order_id": order.pk})
        return order.pk

    return atomic_with_retry(once)


_CHECKOUT_FIELDS = {
    "ship_to_id": "ship_to",
    "purchase_order_number": "purchase_order_number",
    "requested_delivery_date": "requested_date",
}


@require_http_methods(["GET", "POST"])
@buyer_required
def checkout(request: BuyerRequest) -> HttpResponseBase:
    """Ship-to, purchase-order number, requested date and notes; what will happen to the
    order (approval, credit hold) before it is placed; then place it and show it."""
    buyer = request.buyer
    form = _checkout_form(buyer, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            order_id = _place(request, buyer, form)
        except DomainError as error:
            for problem in refusals.problems_of(error):
                name = _CHECKOUT_FIELDS.get(problem.field)
                form.add_error(name, forms.problem_message(problem))
        else:
            messages.success(request, gettext("Thank you: your order is placed."))
            return redirect("portal:order", order_id=order_id)
    cart_ = cart_view(buyer)
    return render(
        request,
        "portal/checkout.html",
        {"form": form, "cart": cart_, "routing": checkout_notice(buyer, cart_)},
    )


# --- orders -------------------------------------------------------------------------------


@require_GET
@buyer_required
def orders(request: BuyerRequest) -> HttpResponse:
    """The company's orders, newest first, by status, a page at a time."""
    buyer = request.buyer
    status = request.GET.get("status") or ""
    if status not in STATUS_LABELS:
        status = ""
    before = _int_param(request.GET.get("before"))
    found = page.company_orders(buyer, status=status, before=before, limit=ORDERS_PAGE_SIZE)
    rows = [(order, STATUS_LABELS.get(order.status, order.status)) for order in found.orders]
    return render(
        request,
        "portal/orders.html",
        {
            "rows": rows,
            "next_before": found.next_before,
            "status": status,
            "statuses": list(STATUS_LABELS.items()),
        },
    )


@require_GET
@buyer_required
def order(request: BuyerRequest, order_id: int) -> HttpResponse:
    """One of the company's orders: lines, totals, status, approvals, shipments with carrier
    and tracking number, and its timeline. Another company's order is not found."""
    buyer = request.buyer
    try:
        found, shipments = order_queries.order_detail(
            buyer.tenant_id, order_id, company_id=buyer.company_id
        )
        events = order_queries.timeline(buyer.tenant_id, order_id, company_id=buyer.company_id)
    except NotFound as error:
        raise Http404 from error
    lines = list(found.lines.all())
    names = page.sku_names(buyer.tenant_id, [line.sku_id for line in lines])
    return render(
        request,
        "portal/order.html",
        {
            "order": found,
            "status_label": STATUS_LABELS.get(found.status, found.status),
            "lines": [(line, names.get(line.sku_id, line.description)) for line in lines],
            "approvals": [
                (
                    step,
                    APPROVER_LABELS.get(step.approver, step.approver),
                    APPROVAL_STATUS_LABELS.get(step.status, step.status),
                )
                for step in found.approvals.all()
            ],
            "shipments": shipments,
            "events": [
                (event, EVENT_LABELS.get(event.type, event.type), event.payload.get("comment", ""))
                for event in events
            ],
        },
    )


@require_POST
@buyer_required
def reorder(request: BuyerRequest, order_id: int) -> HttpResponseBase:
    """Copy an order's lines into the buyer's cart at today's prices; the cart then shows
    which lines were added, which price changed and which could not be added, and why."""
    buyer = request.buyer
    try:
        repricing = buying.reorder(
            tenant_id=buyer.tenant_id,
            order_id=order_id,
            company_id=buyer.company_id,
            cart_owner_id=buyer.company_user_id,
        )
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        messages.error(request, " ".join(forms.refusal_messages(error)))
        return redirect("portal:order", order_id=order_id)
    keep_repricing(request, buyer, repricing)
    added = sum(1 for line in repricing.lines if line.added)
    messages.success(
        request,
        gettext("%(added)d of %(total)d lines were added to your cart at today's prices.")
        % {"added": added, "total": len(repricing.lines)},
    )
    return redirect("portal:cart")
