"""The buyer portal's cart and checkout: every line at today's price, changed or removed in
place; then ship-to, purchase-order number, requested date and notes, what will happen to the
order (approval, credit hold) before it is placed, and placing it once per form token.

Thin pages over `buying.queries.cart` and the cart services, `orders.judging.preview_routing`
said by `orders.routing_notice`, and `buying.services.checkout_cart` run through
`pages.submits.submit_once` (`core.idempotency.run_once`), so a double submit places one
order. The company always comes from the signed-in buyer (`request.buyer`). Choosing another
ship-to shows its tax and total at once with HTMX (only that part of the page answers), and
without JavaScript with the form's "update" button.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dinghuo.buying import queries as buying_queries
from dinghuo.buying import services as buying
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.orders import judging, routing_notice
from dinghuo.orders.line_checks import LineRequest
from dinghuo.pages.responses import is_htmx, render_redirect
from dinghuo.pages.skus import sku_names
from dinghuo.pages.submits import ORDER_FORM_FIELDS, submit_once
from dinghuo.portal import forms
from dinghuo.portal import queries as page
from dinghuo.portal.access import Buyer, BuyerRequest, buyer_required

# A punchout session (portal/views_punchout.py) sends its cart back instead of checking out.
SESSION_KEY_PUNCHOUT = "punchout"
# Orders placed on these pages say so; staff see where an order came from.
CHANNEL = "portal"


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
    # Tax to `ship_to` (a name; empty: the company has none, so no tax is known) and the
    # total the buyer would owe.
    tax: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    prices_include_tax: bool = False
    ship_to: str = ""


def cart_view(
    buyer: Buyer, errors: dict[int, str] | None = None, ship_to: tuple[int, str] | None = None
) -> CartView:
    """The buyer's cart through `buying.queries.cart` (priced and taxed as placing would
    price it, to `ship_to` (id, name) or else the company's first ship-to), plus one query
    for the names and one for the ship-to: a fixed number of queries whatever its size."""
    if ship_to is None:
        ship_to = buying_queries.first_ship_to(buyer.tenant_id, buyer.company_id)
    priced = buying_queries.cart(
        buyer.tenant_id,
        buyer.company_id,
        buyer.company_user_id,
        ship_to_id=ship_to[0] if ship_to else None,
    )
    names = sku_names(buyer.tenant_id, [line.sku_id for line in priced.lines])
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
    check = priced.check
    if check is None:
        return CartView(priced.currency, rows, Decimal(0), priced.can_order)
    return CartView(
        priced.currency,
        rows,
        check.subtotal,
        priced.can_order,
        tax=check.tax,
        total=check.total,
        prices_include_tax=check.prices_include_tax,
        ship_to=ship_to[1] if ship_to else "",
    )


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
    if is_htmx(request):
        return render(request, "portal/_cart.html", {"cart": cart_view(buyer, errors)})
    for message in errors.values():
        messages.error(request, message)
    return redirect("portal:cart")


# --- checkout -----------------------------------------------------------------------------


def checkout_notice(
    buyer: Buyer, cart_: CartView, ship_to_id: int | None = None
) -> routing_notice.RoutingNotice | None:
    """The seller's rules applied to the cart as it stands, with its tax to `ship_to_id`
    (`orders.judging.preview_routing`, the code placing uses), for the page to show before
    the buyer places the order."""
    if not cart_.rows:
        return None
    preview = judging.preview_routing(
        buyer.tenant_id,
        buyer.company_id,
        [LineRequest(row.sku, row.quantity) for row in cart_.rows],
        placed_by_id=buyer.company_user_id,
        ship_to_id=ship_to_id,
    )
    return routing_notice.notice(preview, refusals.BUYER)


# The action of the form's button that only shows the tax and total to the chosen ship-to
# (and of the HTMX request a change of ship-to sends); without it the form places the order.
REFRESH = "refresh"


def _checkout_form(buyer: Buyer, data: Any = None) -> forms.CheckoutForm:
    addresses = page.ship_tos(buyer)
    choices = [(a.pk, f"{a.name} — {a.line1}, {a.city}") for a in addresses]
    initial = {"token": uuid.uuid4().hex, "ship_to": choices[0][0] if choices else None}
    form = forms.CheckoutForm(data, ship_tos=choices, initial=initial)
    # Another ship-to may pay other tax: its tax and total answer at once, in place (a newer
    # choice cancels the answer to an older one).
    form.fields["ship_to"].widget.attrs.update(
        {
            "hx-post": reverse("portal:checkout"),
            "hx-trigger": "change",
            "hx-target": "#checkout-totals",
            "hx-swap": "outerHTML",
            "hx-vals": f'{{"action": "{REFRESH}"}}',
            "hx-sync": "this:replace",
        }
    )
    return form


def _chosen_ship_to(form: forms.CheckoutForm) -> tuple[int, str] | None:
    """The ship-to the form names (as submitted, else the one it offers first) with its label."""
    field: Any = form.fields["ship_to"]
    labels = {int(value): str(label) for value, label in field.choices}
    cleaned = getattr(form, "cleaned_data", {})
    chosen = cleaned.get("ship_to") or form.initial.get("ship_to")
    return (int(chosen), labels[int(chosen)]) if chosen in labels else None


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

    def create() -> tuple[int, dict[str, Any]]:
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
        return 201, {"order_id": order.pk}

    answer = submit_once(
        request,
        tenant_id=buyer.tenant_id,
        scope=f"portal-{buyer.company_user_id}:",
        token=data["token"],
        body=body,
        create=create,
    )
    return int(answer["order_id"])


@require_http_methods(["GET", "POST"])
@buyer_required
def checkout(request: BuyerRequest) -> HttpResponseBase:
    """Ship-to, purchase-order number, requested date and notes; what will happen to the
    order (approval, credit hold) before it is placed, with its tax and total to the chosen
    ship-to; then place it and show it.

    POST `action`: `refresh` (show the tax, total and notice to the ship-to chosen, placing
    nothing; with HTMX only that part answers) or anything else (place the order)."""
    if SESSION_KEY_PUNCHOUT in request.session:  # the cart goes back to the buyer's system
        return redirect("portal:cart")
    buyer = request.buyer
    posted = request.method == "POST"
    form = _checkout_form(buyer, request.POST if posted else None)
    refresh = posted and request.POST.get("action") == REFRESH
    valid = posted and form.is_valid()  # also when refreshing: the chosen ship-to, cleaned
    if valid and not refresh:
        try:
            order_id = _place(request, buyer, form)
        except DomainError as error:
            for problem in refusals.problems_of(error):
                name = ORDER_FORM_FIELDS.get(problem.field)
                form.add_error(name, forms.problem_message(problem))
        else:
            messages.success(request, gettext("Thank you: your order is placed."))
            return redirect("portal:order", order_id=order_id)
    ship_to = _chosen_ship_to(form)
    cart_ = cart_view(buyer, ship_to=ship_to)
    notice = checkout_notice(buyer, cart_, ship_to[0] if ship_to else None)
    context = {"form": form, "cart": cart_, "routing": notice}
    if refresh and is_htmx(request):
        if not cart_.rows:  # emptied meanwhile (another tab): the whole page says so
            return render_redirect(request, reverse("portal:checkout"))
        return render(request, "portal/_checkout_totals.html", {**context, "oob": True})
    return render(request, "portal/checkout.html", context)
