"""Stock pages: the levels per warehouse (search, low stock, a page at a time), one SKU's
levels and ledger, and the forms to receive, adjust and transfer its stock.

Thin pages over `inventory.queries` and the stock services the API uses (`receive_stock`,
`adjust_stock`) plus `inventory.services.transfer_stock`; each refusal is shown next to the
field it is about. The tenant always comes from the signed-in staff member, so another
tenant's SKU id finds nothing (404).
"""

from dataclasses import dataclass
from functools import partial
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dinghuo.backoffice import forms
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.params import int_param
from dinghuo.backoffice.queries import LOW_STOCK_THRESHOLD, low_stock_skus
from dinghuo.catalog.texts import column
from dinghuo.core import refusals
from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.inventory import queries as inventory
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import StockLevel, StockMovement
from dinghuo.orders import services as orders
from dinghuo.pages.responses import is_htmx
from dinghuo.pages.skus import sku_names

STOCK_PAGE_SIZE = 50
LEDGER_PAGE_SIZE = 50
REASON_MAX = 200
# The languages whose SKU names the search looks in (the translated name columns).
_NAME_LANGUAGES = ("en", "zh-hant", "zh-hans")

KIND_LABELS: dict[str, Any] = {
    StockMovement.Kind.RECEIPT: _("Receipt"),
    StockMovement.Kind.ADJUSTMENT: _("Adjustment"),
    StockMovement.Kind.RESERVATION: _("Reserved for an order"),
    StockMovement.Kind.RELEASE: _("Released from an order"),
    StockMovement.Kind.ISSUE: _("Shipped"),
}


# --- reads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelsPage:
    levels: list[StockLevel]
    page: int
    has_next: bool


def levels_page(tenant_id: int, *, q: str = "", low: bool = False, page: int = 1) -> LevelsPage:
    """A page of stock levels with their SKU and warehouse, by SKU code then warehouse
    priority (one query): `q` is part of a SKU code or of its name in any language."""
    qs = inventory.stock_levels(tenant_id)
    if q:
        wanted = Q(sku__code__icontains=q)
        for language in _NAME_LANGUAGES:
            wanted |= Q(**{f"sku__{column('name', language)}__icontains": q})
        qs = qs.filter(wanted)
    if low:
        qs = qs.filter(sku_id__in=low_stock_skus(tenant_id))
    start = (page - 1) * STOCK_PAGE_SIZE
    found = list(
        qs.order_by("sku__code", "warehouse__priority", "warehouse_id")[
            start : start + STOCK_PAGE_SIZE + 1
        ]
    )
    return LevelsPage(found[:STOCK_PAGE_SIZE], page, len(found) > STOCK_PAGE_SIZE)


def ledger_page(
    tenant_id: int, sku_id: int, *, before: int | None = None
) -> tuple[list[StockMovement], int | None]:
    """A SKU's stock movements, newest first, with their warehouse (one query), and the
    cursor of the next (older) page."""
    qs = inventory.movements(tenant_id, sku_id=sku_id)
    if before:
        qs = qs.filter(id__lt=before)
    found = list(qs.order_by("-id")[: LEDGER_PAGE_SIZE + 1])
    cursor = found[LEDGER_PAGE_SIZE - 1].pk if len(found) > LEDGER_PAGE_SIZE else None
    return found[:LEDGER_PAGE_SIZE], cursor


# --- forms --------------------------------------------------------------------------------


def _quantity(label: Any, *, min_value: int = 1) -> django_forms.IntegerField:
    return django_forms.IntegerField(
        label=label,
        min_value=min_value,
        max_value=stock.MAX_STOCK_QUANTITY,
        widget=django_forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _reason() -> django_forms.CharField:
    # Optional here: whether a reason is needed is the service's rule (adjustments need one).
    return django_forms.CharField(label=_("Reason"), max_length=REASON_MAX, required=False)


class _WarehouseForm(django_forms.Form):
    """A stock form whose warehouse fields offer the tenant's warehouses."""

    warehouse_fields: tuple[str, ...] = ("warehouse",)

    def __init__(self, *args: Any, warehouses: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.warehouse_fields:
            field = self.fields[name]
            assert isinstance(field, django_forms.ChoiceField)
            field.choices = warehouses


class ReceiveForm(_WarehouseForm):
    """Goods arrived in a warehouse."""

    warehouse = django_forms.ChoiceField(label=_("Warehouse"))
    quantity = _quantity(_("Units received"))
    reason = _reason()


class AdjustForm(_WarehouseForm):
    """A correction of on hand: a count, damage, a loss."""

    warehouse = django_forms.ChoiceField(label=_("Warehouse"))
    delta = _quantity(
        _("Change in units (negative to take away)"), min_value=-stock.MAX_STOCK_QUANTITY
    )
    reason = _reason()


class TransferForm(_WarehouseForm):
    """Units moved from one warehouse to another."""

    warehouse_fields = ("from_warehouse", "to_warehouse")
    from_warehouse = django_forms.ChoiceField(label=_("From warehouse"))
    to_warehouse = django_forms.ChoiceField(label=_("To warehouse"))
    quantity = _quantity(_("Units to move"))
    reason = _reason()


FORMS: dict[str, type[_WarehouseForm]] = {
    "receive": ReceiveForm,
    "adjust": AdjustForm,
    "transfer": TransferForm,
}
# Problems a service reports without a field (or on another), shown next to this field.
_CODE_FIELD = {"below_reserved": "delta", "insufficient_stock": "quantity"}


# The stock page's own words: a shortage here is what may be moved out of one warehouse.
STOCK_WORDS: dict[str, Any] = {
    "insufficient_stock": _("Only %(available)s available to move (the rest is reserved)."),
}


def show_refusal(form: django_forms.Form, error: DomainError) -> None:
    """Each problem of a refused stock change next to its field (or above the form)."""
    for problem in refusals.problems_of(error):
        name: str | None = _CODE_FIELD.get(problem.code, problem.field)
        if name not in form.fields:
            name = None
        form.add_error(name, forms.problem_message(problem, STOCK_WORDS))


# --- pages --------------------------------------------------------------------------------


@require_GET
@staff_required(get="stock.view")
def levels(request: StaffRequest) -> HttpResponse:
    """Stock levels per warehouse (on hand, reserved, available), searchable by SKU code or
    name, optionally only the SKUs low in stock; a page at a time."""
    tenant_id = request.staff.tenant_id
    q = (request.GET.get("q") or "").strip()[:64]
    low = request.GET.get("low") == "1"
    found = levels_page(tenant_id, q=q, low=low, page=int_param(request.GET.get("page")) or 1)
    names = sku_names(tenant_id, [level.sku_id for level in found.levels])
    context = {
        "rows": [(level, names.get(level.sku_id, level.sku.code)) for level in found.levels],
        "found": found,
        "q": q,
        "low": low,
        "threshold": LOW_STOCK_THRESHOLD,
    }
    if is_htmx(request):
        return render(request, "backoffice/_stock_rows.html", context)
    return render(request, "backoffice/stock.html", context)


def _warehouse_choices(tenant_id: int) -> list[tuple[str, str]]:
    rows = inventory.warehouses(tenant_id).order_by("priority", "id")
    inactive = gettext("%(name)s (%(code)s, inactive)")
    return [
        (
            w.code,
            f"{w.name} ({w.code})" if w.is_active else inactive % {"name": w.name, "code": w.code},
        )
        for w in rows
    ]


def _sku_page(
    request: StaffRequest, sku_id: int, bound: dict[str, django_forms.Form] | None = None
) -> HttpResponse:
    tenant_id = request.staff.tenant_id
    try:
        sku, sku_levels = inventory.sku_stock(tenant_id, sku_id)
    except NotFound as error:
        raise Http404 from error
    movements, older = ledger_page(tenant_id, sku.pk, before=int_param(request.GET.get("before")))
    warehouses = _warehouse_choices(tenant_id)
    # A transfer goes somewhere else: the second warehouse is offered as the destination.
    initial = {"transfer": {"to_warehouse": warehouses[1][0]}} if len(warehouses) > 1 else {}
    stock_forms: dict[str, django_forms.Form] = {
        name: form_class(prefix=name, warehouses=warehouses, initial=initial.get(name))
        for name, form_class in FORMS.items()
    }
    stock_forms.update(bound or {})
    return render(
        request,
        "backoffice/stock_sku.html",
        {
            "sku": sku,
            "name": sku_names(tenant_id, [sku.pk]).get(sku.pk, sku.code),
            "levels": sku_levels,
            "totals": {
                "on_hand": sum(level.on_hand for level in sku_levels),
                "reserved": sum(level.reserved for level in sku_levels),
                "available": sum(level.available for level in sku_levels),
            },
            "movements": [(m, KIND_LABELS.get(m.kind, m.kind)) for m in movements],
            "older": older,
            "forms": stock_forms,
        },
    )


@require_GET
@staff_required(get="stock.view")
def sku(request: StaffRequest, sku_id: int) -> HttpResponse:
    """One SKU's stock in each warehouse and its ledger (newest first, a page at a time),
    with the forms to receive, adjust and transfer it."""
    return _sku_page(request, sku_id)


def _change(request: StaffRequest, sku_id: int, name: str) -> HttpResponseBase:
    """Run one stock form through its service: done → back to the SKU's page with a note;
    refused → the page again with each problem next to its field."""
    tenant_id = request.staff.tenant_id
    form = FORMS[name](request.POST, prefix=name, warehouses=_warehouse_choices(tenant_id))
    if not form.is_valid():
        return _sku_page(request, sku_id, {name: form})
    data = form.cleaned_data
    if name == "receive":
        run: Any = partial(
            stock.receive_stock,
            warehouse_code=data["warehouse"],
            quantity=data["quantity"],
            reason=data["reason"],
            reference="staff",
        )
        done = gettext("Received %(count)s units.") % {"count": data["quantity"]}
    elif name == "adjust":
        run = partial(
            stock.adjust_stock,
            warehouse_code=data["warehouse"],
            delta=data["delta"],
            reason=data["reason"],
            reference="staff",
        )
        done = gettext("Stock adjusted by %(delta)s units.") % {"delta": data["delta"]}
    else:
        run = partial(
            stock.transfer_stock,
            from_warehouse=data["from_warehouse"],
            to_warehouse=data["to_warehouse"],
            quantity=data["quantity"],
            reason=data["reason"],
        )
        done = gettext("Moved %(count)s units from %(source)s to %(target)s.") % {
            "count": data["quantity"],
            "source": data["from_warehouse"],
            "target": data["to_warehouse"],
        }
    # Units that arrive (not an adjustment downwards) go to the orders waiting for them first.
    write = partial(run, tenant_id=tenant_id, sku_id=sku_id)
    if name != "adjust" or data["delta"] > 0:
        write = partial(
            orders.with_backorders_filled, tenant_id=tenant_id, sku_ids=[sku_id], arrive=write
        )
    try:
        atomic_with_retry(write)
    except DomainError as error:
        if any(problem.code == "unknown_sku" for problem in error.errors):
            raise Http404 from error
        show_refusal(form, error)
        return _sku_page(request, sku_id, {name: form})
    messages.success(request, done)
    return redirect("backoffice:stock-sku", sku_id=sku_id)


@require_POST
@staff_required(post="stock.receive")
def receive(request: StaffRequest, sku_id: int) -> HttpResponseBase:
    """Record goods received into a warehouse."""
    return _change(request, sku_id, "receive")


@require_POST
@staff_required(post="stock.adjust")
def adjust(request: StaffRequest, sku_id: int) -> HttpResponseBase:
    """Correct a warehouse's on hand; the reason is kept in the ledger."""
    return _change(request, sku_id, "adjust")


@require_POST
@staff_required(post="stock.adjust")
def transfer(request: StaffRequest, sku_id: int) -> HttpResponseBase:
    """Move units from one warehouse to another."""
    return _change(request, sku_id, "transfer")
