"""Stock count pages: the counts (and a form to start one), the counting page a counter uses
on a phone (blind: code, name and unit, never the expected quantity; a SKU code typed or
scanned jumps to its line), and the review page (expected, counted, variance; post, send
lines back for recount, cancel).

Thin pages over `stocktaking.services` and `stocktaking.queries` (what the API uses), each
change one service call in one transaction; a refusal is shown as a message. The tenant
comes from the signed-in staff member: another tenant's count is not found (404).
"""

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.forms import error_messages
from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.inventory import queries as inventory
from dinghuo.inventory.services import MAX_STOCK_QUANTITY
from dinghuo.pages.skus import sku_names
from dinghuo.stocktaking import count_states, queries, services
from dinghuo.stocktaking.count_states import CountStatus
from dinghuo.stocktaking.models import STATUS_WORDS, StockCount

LIST_SIZE = 50
LINES_SHOWN = 100

STATUS_LABELS: dict[str, Any] = dict(STATUS_WORDS)


class StartForm(django_forms.Form):
    warehouse = django_forms.ChoiceField(label=_("Warehouse"))
    categories = django_forms.MultipleChoiceField(
        label=_("Only these categories (none: the whole warehouse)"),
        required=False,
        widget=django_forms.CheckboxSelectMultiple,
    )
    note = django_forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, tenant_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from dinghuo.catalog.models import Category

        warehouse_field = self.fields["warehouse"]
        category_field = self.fields["categories"]
        assert isinstance(warehouse_field, django_forms.ChoiceField)
        assert isinstance(category_field, django_forms.MultipleChoiceField)
        warehouse_field.choices = [
            (w.code, f"{w.name} ({w.code})")
            for w in inventory.warehouses(tenant_id, is_active=True).order_by("priority", "id")
        ]
        category_field.choices = [
            (str(c.pk), c.name)
            for c in Category.objects.filter(tenant_id=tenant_id).order_by("code")
        ]


class CountedForm(django_forms.Form):
    sku = django_forms.CharField(label=_("SKU code"), max_length=64)
    counted = django_forms.IntegerField(
        label=_("Units found"),
        min_value=0,
        max_value=MAX_STOCK_QUANTITY,
        widget=django_forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _say_form_errors(request: StaffRequest, form: django_forms.Form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


def _found(request: StaffRequest, count_id: int) -> StockCount:
    try:
        return queries.count(request.staff.tenant_id, count_id)
    except NotFound as error:
        raise Http404 from error


@require_GET
@staff_required(get="stock.view")
def counts(request: StaffRequest) -> HttpResponse:
    """The tenant's counts, newest first, with the form to start one."""
    tenant_id = request.staff.tenant_id
    rows = list(queries.counts(tenant_id).order_by("-pk")[:LIST_SIZE])
    return render(
        request,
        "backoffice/stock_counts.html",
        {
            "rows": [(c, STATUS_LABELS.get(c.status, c.status)) for c in rows],
            "form": StartForm(tenant_id=tenant_id),
        },
    )


@require_POST
@staff_required(post="stock.count")
def start(request: StaffRequest) -> HttpResponseBase:
    """Start a count; then its counting page."""
    tenant_id = request.staff.tenant_id
    form = StartForm(request.POST, tenant_id=tenant_id)
    if not form.is_valid():
        _say_form_errors(request, form)
        return redirect("backoffice:stock-counts")
    data = form.cleaned_data
    try:
        made = atomic_with_retry(
            lambda: services.start_count(
                tenant_id=tenant_id,
                warehouse_code=data["warehouse"],
                category_ids=[int(c) for c in data["categories"]],
                note=data["note"],
            )
        )
    except DomainError as error:
        for text in error_messages(error):
            messages.error(request, text)
        return redirect("backoffice:stock-counts")
    return redirect("backoffice:stock-count", count_id=made.pk)


def _lines(count: StockCount, *, sku: str = "", only_variances: bool = False) -> list[Any]:
    """Up to `LINES_SHOWN` lines (a SKU code searched: its line), with the SKU's name."""
    found = list(queries.lines(count, sku_code=sku or None, only_variances=only_variances))
    shown = found[:LINES_SHOWN]
    names = sku_names(count.tenant_id, [line.sku_id for line in shown])
    return [(line, names.get(line.sku_id, line.sku.code)) for line in shown]


@require_GET
@staff_required(get="stock.count")
def counting(request: StaffRequest, count_id: int) -> HttpResponse:
    """The counter's page: type or scan a SKU code and the units found. Blind: the expected
    quantity is never shown here."""
    count = _found(request, count_id)
    sku = (request.GET.get("sku") or "").strip()[:64]
    return render(
        request,
        "backoffice/stock_count.html",
        {
            "count": count,
            "status": STATUS_LABELS.get(count.status, count.status),
            "countable": count_states.may_count(count.status),
            "lines": _lines(count, sku=sku),
            "sku": sku,
            "more": count.line_total > LINES_SHOWN,  # type: ignore[attr-defined]
        },
    )


def _act(
    request: StaffRequest, count_id: int, act: Callable[[int], Any], done: str, to: str
) -> HttpResponseBase:
    """Run one change of the count; a refusal becomes a message on the page it came from."""
    _found(request, count_id)
    try:
        atomic_with_retry(lambda: act(request.staff.tenant_id))
    except DomainError as error:
        for text in error_messages(error):
            messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect(to, count_id=count_id)


@require_POST
@staff_required(post="stock.count")
def count_sku(request: StaffRequest, count_id: int) -> HttpResponseBase:
    """Record the units found of one SKU (a recount replaces them)."""
    form = CountedForm(request.POST)
    if not form.is_valid():
        _found(request, count_id)
        _say_form_errors(request, form)
        return redirect("backoffice:stock-count", count_id=count_id)
    sku, counted = form.cleaned_data["sku"], form.cleaned_data["counted"]
    done = gettext("%(sku)s: %(count)s counted.") % {"sku": sku, "count": counted}
    return _act(
        request,
        count_id,
        lambda tenant: services.record_count(
            tenant_id=tenant, count_id=count_id, sku_code=sku, counted=counted
        ),
        done,
        "backoffice:stock-count",
    )


@require_POST
@staff_required(post="stock.count")
def submit(request: StaffRequest, count_id: int) -> HttpResponseBase:
    """Counting is done: the count goes to review."""
    return _act(
        request,
        count_id,
        lambda tenant: services.submit_count(tenant_id=tenant, count_id=count_id),
        gettext("The count waits for review."),
        "backoffice:stock-count",
    )


@require_GET
@staff_required(get="stock.count_post")
def review(request: StaffRequest, count_id: int) -> HttpResponse:
    """Expected (on hand when counted), counted and variance per line; only variances on
    request; post, send lines back, or cancel."""
    count = _found(request, count_id)
    only = request.GET.get("only") == "1"
    return render(
        request,
        "backoffice/stock_count_review.html",
        {
            "count": count,
            "status": STATUS_LABELS.get(count.status, count.status),
            "lines": _lines(count, only_variances=only),
            "only": only,
            "in_review": count.status == CountStatus.IN_REVIEW,
            "open": not count_states.is_final(count.status),
        },
    )


@require_POST
@staff_required(post="stock.count_post")
def post(request: StaffRequest, count_id: int) -> HttpResponseBase:
    """Adjust stock by every variance, all or nothing."""
    return _act(
        request,
        count_id,
        lambda tenant: services.post_count(tenant_id=tenant, count_id=count_id),
        gettext("The count is posted: stock is adjusted by its variances."),
        "backoffice:stock-count-review",
    )


@require_POST
@staff_required(post="stock.count_post")
def recount(request: StaffRequest, count_id: int) -> HttpResponseBase:
    """Send the count back to counting; the lines ticked are counted again."""
    line_ids = [int(v) for v in request.POST.getlist("line") if v.isdigit() and len(v) < 12]
    return _act(
        request,
        count_id,
        lambda tenant: services.send_back(tenant_id=tenant, count_id=count_id, line_ids=line_ids),
        gettext("The count is back to counting."),
        "backoffice:stock-count-review",
    )


@require_POST
@staff_required(post="stock.count_post")
def cancel(request: StaffRequest, count_id: int) -> HttpResponseBase:
    """Drop the count; stock is not touched."""
    return _act(
        request,
        count_id,
        lambda tenant: services.cancel_count(tenant_id=tenant, count_id=count_id),
        gettext("The count is cancelled."),
        "backoffice:stock-count-review",
    )
