"""The buyer portal's catalogue and product pages, and adding a SKU to the cart from them.

Thin pages over the services and queries the API uses: a page reads what it shows through
them, writes through them, and shows their refusals next to the field or the row they are
about. The company always comes from the signed-in buyer (`request.buyer`), never from the URL
or the form, so guessing another company's SKU id finds nothing (404).

Pages answer HTMX requests (`HX-Request`) with the fragment that changed and plain requests
with the whole page, so every form also works without JavaScript.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_POST

from dinghuo.buying import catalogue as company_catalogue
from dinghuo.buying import services as buying
from dinghuo.buying.availability import Availability, availability
from dinghuo.catalog import queries as catalog
from dinghuo.core.errors import DomainError
from dinghuo.core.phrases import Phrase
from dinghuo.orders.line_checks import MAX_QUANTITY
from dinghuo.pages.responses import is_htmx
from dinghuo.pages.skus import entry_name
from dinghuo.portal import forms
from dinghuo.portal import queries as page
from dinghuo.portal.access import Buyer, BuyerRequest, buyer_required
from dinghuo.portal.params import positive_int
from dinghuo.pricing import queries as pricing
from dinghuo.pricing.tiers import unit_price_for

CATALOGUE_PAGE_SIZE = 50


def _safe_next(request: HttpRequest, fallback: str) -> str:
    wanted = request.POST.get("next") or ""
    # A path of this site only: `redirect` would take any other text for a view's name.
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, {request.get_host()}, request.is_secure()
    ):
        return wanted
    return fallback


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
    image: str = ""  # the main image's small copy, "" without one

    @property
    def availability(self) -> Availability:
        return availability(self.available, self.suggested_quantity, self.allow_backorder)

    @property
    def suggested_quantity(self) -> int:
        """The smallest quantity that is a whole number of packs and reaches the minimum,
        filled into the quantity box (the service still judges what is sent)."""
        packs = -(-self.min_order_quantity // self.pack_size)
        return max(packs, 1) * self.pack_size


def _shown(entry: company_catalogue.CatalogueEntry) -> ShownEntry:
    row = entry.row
    image = entry.image
    return ShownEntry(
        sku_id=row["id"],
        code=row["code"],
        name=entry_name(row),
        unit=row["unit"],
        unit_price=unit_price_for(entry.tiers, 1),
        tiers=entry.tiers,
        available=max(entry.available, 0),
        min_order_quantity=row["min_order_quantity"],
        pack_size=row["pack_size"],
        allow_backorder=bool(row["product__allow_backorder"]),
        image=image,
    )


LAYOUTS = ("grid", "list")


def search_words(text: str) -> str:
    """What a person typed, as searched: full-width letters and digits as ASCII (NFKC),
    spaces at the ends dropped and runs of spaces inside made one, at most 100 characters."""
    return " ".join(unicodedata.normalize("NFKC", text).split())[:100]


def _layout(request: BuyerRequest) -> str:
    """Grid or list: the one asked for is remembered in the person's session."""
    asked = request.GET.get("layout", "")
    if asked in LAYOUTS:
        request.session["catalogue_layout"] = asked
        return asked
    kept = request.session.get("catalogue_layout", "")
    return kept if kept in LAYOUTS else "grid"


@require_GET
@buyer_required
def catalogue(request: BuyerRequest) -> HttpResponse:
    """The company's catalogue: search, category and in-stock filters, sorting, a count of
    what matches, its prices and tiers, availability in words, as a grid or a list, and
    "more" for the next page (appended in place with HTMX)."""
    buyer = request.buyer
    q = search_words(request.GET.get("q") or "")
    category_id = positive_int(request.GET.get("category"))
    sort = request.GET.get("sort", "")
    sort = sort if sort in company_catalogue.SORTS else ""
    in_stock = request.GET.get("in_stock") == "1"
    after = positive_int(request.GET.get("after")) or 0
    offset = positive_int(request.GET.get("offset")) or 0
    more = bool(after or offset)
    browse = company_catalogue.Browse(
        sort=sort,
        language=get_language() or "en",
        in_stock=in_stock,
        offset=offset,
        count=not more,
    )
    try:
        found = company_catalogue.buyer_catalogue(
            buyer.tenant_id,
            buyer.company_id,
            after_id=0 if sort else after,
            limit=CATALOGUE_PAGE_SIZE,
            category_id=category_id,
            q=q or None,
            browse=browse,
        )
    except DomainError as error:
        messages.error(request, " ".join(forms.refusal_messages(error)))
        found = company_catalogue.CataloguePage("", [], None, 0)
    filters = {"q": q, "category": category_id or "", "sort": sort, "in_stock": in_stock and "1"}
    kept = urlencode({key: value for key, value in filters.items() if value})
    context: dict[str, Any] = {
        "currency": found.currency,
        "entries": [_shown(entry) for entry in found.entries],
        "more_query": _more_query(kept, sort, offset, found.next_after),
        "kept_query": kept,
        "total": found.total,
        "count_cap": company_catalogue.COUNT_CAP,
        "q": q,
        "category_id": category_id,
        "sort": sort,
        "in_stock": in_stock,
        "layout": _layout(request),
    }
    if is_htmx(request) and more:
        return render(request, "portal/_catalogue_rows.html", context)
    context["categories"] = list(catalog.categories(buyer.tenant_id).order_by("name", "id"))
    context.update(page.cart_summary(buyer))
    return render(request, "portal/catalogue.html", context)


def _more_query(kept: str, sort: str, offset: int, next_after: int | None) -> str:
    """The query string of the next page ("" on the last): by offset when sorted, else after
    the last SKU's id."""
    if next_after is None:
        return ""
    step = f"offset={offset + CATALOGUE_PAGE_SIZE}" if sort else f"after={next_after}"
    return f"{kept}&{step}" if kept else step


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
    asked = positive_int(request.GET.get("quantity"))
    # Past what one line may order a price is not explained (nor computable: its total
    # would pass the precision of the money arithmetic).
    quantity = asked if asked and asked <= MAX_QUANTITY else shown.suggested_quantity
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
            "images": list(catalog.product_images(buyer.tenant_id, product_.pk)),
            **page.cart_summary(buyer),
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
        request, "portal/_cart_size.html", {**page.cart_summary(buyer), "oob": True}
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
    if is_htmx(request):
        body = render(
            request,
            "portal/_add_to_cart.html",
            {
                "sku": request.POST.get("sku", ""),
                "sku_id": positive_int(request.POST.get("sku_id")) or "",
                "pack": positive_int(request.POST.get("pack")) or "",
                "unit": request.POST.get("unit", "")[:16],
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
