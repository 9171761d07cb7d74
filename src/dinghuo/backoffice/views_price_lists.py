"""Price list pages: the tenant's price lists, one list with its settings and its SKUs' tier
ladders (searched, a page at a time), and the ladder editor.

Thin pages over `pricing.services` and `pricing.queries`, the code the API's pricing routes
use: a form checks only the shape of what was typed (a number is a number); whether a ladder
rises or a currency may change is the service's call, and its refusals are shown next to the
field or the tier row they are about. The tenant always comes from the signed-in staff member,
so another tenant's ids find nothing (404). Who a list is offered to is `views_price_offers`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dinghuo.backoffice import changes, forms
from dinghuo.backoffice import queries as page
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.params import int_param
from dinghuo.core.errors import DomainError, FieldError, NotFound
from dinghuo.core.money import format_unit_price, minor_units
from dinghuo.customers import queries as customers
from dinghuo.pages.responses import is_htmx, render_redirect
from dinghuo.pages.skus import sku_names
from dinghuo.pricing import queries as pricing
from dinghuo.pricing import services
from dinghuo.pricing.models import PriceList

LISTS_PAGE_SIZE = 50
PRICES_PAGE_SIZE = 50
BLANK_TIER_ROWS = 3  # empty rows under a ladder, for tiers to add
# A select lists this many companies at most; any company can be named by its code instead
# (a tenant may have tens of thousands).
MAX_COMPANY_CHOICES = 200


@dataclass(frozen=True)
class PriceRow:
    """One SKU priced on a list: its code, its name in the reader's language, its ladder."""

    sku_id: int
    code: str
    name: str
    ladder: list[tuple[int, Decimal, int]]  # minimum, unit price, decimals to show


def _shown(ladder: list[tuple[int, Decimal]], currency: str) -> list[tuple[int, Decimal, int]]:
    # The currency's minor units, more only where a price has them (0.3333 stays 0.3333).
    return [
        (quantity, price, max(minor_units(currency), -int(price.normalize().as_tuple().exponent)))
        for quantity, price in ladder
    ]


def prices_page(
    price_list: PriceList, q: str, after: int | None
) -> tuple[list[PriceRow], int | None]:
    """A page of the SKUs the list prices (by code, part of it in any case), each with its
    ladder and name (three queries, whatever the page's length)."""
    qs = pricing.priced_skus(price_list)
    if q:
        qs = qs.filter(code__icontains=q)
    if after:
        qs = qs.filter(pk__gt=after)
    skus = list(qs.order_by("pk")[: PRICES_PAGE_SIZE + 1])
    more = len(skus) > PRICES_PAGE_SIZE
    skus = skus[:PRICES_PAGE_SIZE]
    ids = [sku.pk for sku in skus]
    ladders = pricing.ladders(price_list.pk, ids)
    names = sku_names(price_list.tenant_id, ids)
    rows = [
        PriceRow(
            sku.pk,
            sku.code,
            names.get(sku.pk, ""),
            _shown(ladders.get(sku.pk, []), price_list.currency),
        )
        for sku in skus
    ]
    return rows, skus[-1].pk if more else None


def price_list_or_404(tenant_id: int, price_list_id: int) -> PriceList:
    """The tenant's price list, or 404."""
    try:
        return pricing.price_list(tenant_id, price_list_id)
    except NotFound as error:
        raise Http404 from error


def _ladder_form(price_list: PriceList, sku_code: str) -> forms.LadderForm:
    """The editor of a SKU's ladder on the list, filled with its tiers (two queries)."""
    sku = pricing.priced_skus(price_list, sku_code=sku_code).first()
    ladder = pricing.ladders(price_list.pk, [sku.pk]).get(sku.pk, []) if sku else []
    initial: dict[str, Any] = {"sku": sku_code}
    for i, (min_quantity, unit_price) in enumerate(ladder):
        initial[f"min_{i}"] = min_quantity
        initial[f"price_{i}"] = format_unit_price(unit_price, price_list.currency)
    rows = min(len(ladder) + BLANK_TIER_ROWS, forms.MAX_TIER_ROWS)
    return forms.LadderForm(initial=initial, rows=rows)


def _place_ladder_problem(filled: list[tuple[int, int, Decimal]]) -> Callable[[FieldError], str]:
    def place(problem: FieldError) -> str:
        if problem.field.endswith(".sku"):
            return "sku"
        tier = problem.extra.get("tier")
        if isinstance(tier, int) and 0 <= tier < len(filled):
            row = filled[tier][0]
            on_price = problem.extra.get("reason") in {"negative_price", "price_too_large"}
            return f"price_{row}" if on_price else f"min_{row}"
        return ""

    return place


def assign_form_for(tenant_id: int, data: Any = None) -> forms.AssignForm:
    """The assign form with the tenant's companies and customer groups (two queries)."""
    groups = customers.customer_groups(tenant_id).order_by("name", "pk").values_list("pk", "name")
    return forms.AssignForm(
        data,
        companies=page.company_choices(tenant_id)[:MAX_COMPANY_CHOICES],
        groups=[(pk, str(name)) for pk, name in groups],
        prefix="assign",
    )


def _settings_form(price_list: PriceList, data: Any = None) -> forms.PriceListForm:
    initial = {
        "code": price_list.code,
        "name": price_list.name,
        "currency": price_list.currency,
        "is_active": price_list.is_active,
    }
    return forms.PriceListForm(data, initial=initial, prefix="list")


def price_list_page(
    request: StaffRequest,
    price_list: PriceList,
    *,
    settings_form: forms.PriceListForm | None = None,
    ladder_form: forms.LadderForm | None = None,
    assign_form: forms.AssignForm | None = None,
    priority_form: tuple[int, forms.PriorityForm] | None = None,
) -> HttpResponse:
    """The price list's page; a form given (refused, with its errors) replaces the empty
    one."""
    tenant_id = request.staff.tenant_id
    q = (request.GET.get("q") or "").strip()[:64]
    rows, next_after = prices_page(price_list, q, int_param(request.GET.get("after")))
    edit = (request.GET.get("edit") or "").strip()[:64]
    if ladder_form is None and edit:
        ladder_form = _ladder_form(price_list, edit)
    assignments = list(pricing.assignments(tenant_id, price_list.pk).order_by("-priority", "pk"))
    return render(
        request,
        "backoffice/price_list.html",
        {
            "price_list": price_list,
            "rows": rows,
            "q": q,
            "next_after": next_after,
            "ladder_form": ladder_form,
            "settings_form": settings_form or _settings_form(price_list),
            "assignments": assignments,
            "assign_form": assign_form or assign_form_for(tenant_id),
            # A refused priority change: (assignment id, the form with its errors).
            "priority_form": priority_form,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required(get="prices.view", post="prices.change")
def price_lists(request: StaffRequest) -> HttpResponseBase:
    """The tenant's price lists: currency, whether active, how many SKUs and tiers they
    price and to how many companies or groups they are offered; a form makes a new one."""
    tenant_id = request.staff.tenant_id
    form = forms.PriceListForm(request.POST if request.method == "POST" else None, prefix="new")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = changes.run(
                lambda: services.create_price_list(
                    tenant_id=tenant_id,
                    code=data["code"],
                    name=data["name"],
                    currency=data["currency"],
                    is_active=data["is_active"],
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, changes.field_of)
        else:
            messages.success(
                request, gettext("Price list %(code)s is created.") % {"code": created.code}
            )
            return redirect("backoffice:price-list", price_list_id=created.pk)
    rows, next_after = page.price_lists_page(
        tenant_id, after=int_param(request.GET.get("after")), limit=LISTS_PAGE_SIZE
    )
    return render(
        request,
        "backoffice/price_lists.html",
        {"rows": rows, "next_after": next_after, "form": form},
    )


@require_GET
@staff_required(get="prices.view")
def price_list(request: StaffRequest, price_list_id: int) -> HttpResponse:
    """One price list: its settings, its SKUs' tier ladders (searched by SKU, a page at a
    time; HTMX asks for the rows only), the ladder editor, and who the list is offered to."""
    found = price_list_or_404(request.staff.tenant_id, price_list_id)
    if is_htmx(request) and request.GET.get("fragment") == "rows":
        q = (request.GET.get("q") or "").strip()[:64]
        rows, next_after = prices_page(found, q, int_param(request.GET.get("after")))
        return render(
            request,
            "backoffice/_price_rows.html",
            {"price_list": found, "rows": rows, "q": q, "next_after": next_after},
        )
    return price_list_page(request, found)


@require_POST
@staff_required(post="prices.change")
def price_list_settings(request: StaffRequest, price_list_id: int) -> HttpResponseBase:
    """Change a list's code, name, currency or whether it is active (the service refuses a
    new currency once the list has prices)."""
    tenant_id = request.staff.tenant_id
    found = price_list_or_404(tenant_id, price_list_id)
    form = _settings_form(found, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            changes.run(
                lambda: services.update_price_list(
                    tenant_id=tenant_id,
                    price_list_id=found.pk,
                    code=data["code"],
                    name=data["name"],
                    currency=data["currency"],
                    is_active=data["is_active"],
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, changes.field_of)
        else:
            messages.success(request, gettext("The price list is saved."))
            return redirect("backoffice:price-list", price_list_id=found.pk)
    return price_list_page(request, found, settings_form=form)


@require_http_methods(["GET", "POST"])
@staff_required(get="prices.view", post="prices.change")
def ladder(request: StaffRequest, price_list_id: int) -> HttpResponseBase:
    """A SKU's tier ladder on the list: GET the editor (`?sku=`), POST the complete ladder
    (or `remove` to take the SKU's price off the list) through `replace_prices`."""
    tenant_id = request.staff.tenant_id
    found = price_list_or_404(tenant_id, price_list_id)
    if request.method == "GET":
        code = (request.GET.get("sku") or request.GET.get("edit") or "").strip()[:64]
        form = _ladder_form(found, code)
        if not is_htmx(request):
            query = urlencode({"edit": code})
            return redirect(f"{reverse('backoffice:price-list', args=[found.pk])}?{query}#ladder")
        return _ladder_fragment(request, found, form)
    form = forms.LadderForm(request.POST, rows=forms.LadderForm.rows_posted(request.POST))
    removing = request.POST.get("remove") == "1"
    if form.is_valid():
        filled = form.filled()
        code = form.cleaned_data["sku"].strip()
        if not filled and not removing:
            form.add_error(None, gettext("Give at least one tier, or remove the SKU's price."))
        else:
            tiers = [] if removing else [(quantity, price) for _row, quantity, price in filled]
            entry = services.PriceEntry(sku=code, tiers=tiers)
            try:
                change = changes.run(
                    lambda: services.replace_prices(
                        tenant_id=tenant_id, price_list_id=found.pk, entries=[entry]
                    )
                )
            except DomainError as error:
                changes.show_refusal(form, error, _place_ladder_problem(filled))
            else:
                if removing:
                    note = gettext("The price of %(sku)s is removed from the list.")
                elif change.changed:
                    note = gettext("The tiers of %(sku)s are saved.")
                else:
                    note = gettext("The tiers of %(sku)s were already so; nothing changed.")
                messages.success(request, note % {"sku": code})
                back = reverse("backoffice:price-list", args=[found.pk])
                return render_redirect(request, f"{back}?{urlencode({'q': code})}")
    if is_htmx(request):
        return _ladder_fragment(request, found, form)
    return price_list_page(request, found, ladder_form=form)


def _ladder_fragment(
    request: StaffRequest, price_list: PriceList, form: forms.LadderForm
) -> HttpResponse:
    return render(
        request,
        "backoffice/_ladder_form.html",
        {"price_list": price_list, "ladder_form": form},
    )
