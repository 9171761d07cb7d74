"""Entering an order on a customer's behalf: rows of SKU and quantity (typed or pasted),
checked as the order would check them, what will happen to the order (approval, credit hold)
shown before it is placed, then placed with channel "staff" and the staff member as `entered_by`.

The rows are read by the readers the portal's quick order uses (`pages.rows.typed_rows`,
`read_pasted`) and judged by `orders.queries.check_lines`, taxed to the chosen ship-to as the
portal's checkout taxes a cart (the tax per rate summed as the order page sums it); the
preview is `orders.judging.preview_routing` and the order is placed by
`orders.services.place_order`, once per form token (a double submit places nothing more), as
the API's Idempotency-Key does. Changing the ship-to checks the rows again (with HTMX at once,
without JavaScript with the next "check").
"""

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponseBase, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from dinghuo.backoffice.access import StaffRequest, StaffUser, staff_required
from dinghuo.core import clock, refusals
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.customers import queries as customers
from dinghuo.customers.models import Company, Location
from dinghuo.orders import judging, line_checks, routing_notice
from dinghuo.orders import queries as order_queries
from dinghuo.orders import services as order_services
from dinghuo.orders.line_checks import LineRequest
from dinghuo.orders.models import OrderLine
from dinghuo.orders.routing_notice import RoutingNotice
from dinghuo.pages import rows as rows_reader
from dinghuo.pages.responses import is_htmx, render_redirect
from dinghuo.pages.skus import sku_names
from dinghuo.pages.submits import ORDER_FORM_FIELDS, submit_once
from dinghuo.pages.taxes import TaxRow, tax_rows
from dinghuo.pricing import queries as pricing_queries
from dinghuo.pricing.tax import exemption_applies

CHANNEL = "staff"
BLANK_ROWS = 5
_LINE_FIELD = "lines["

# Staff entering an order read about the company (`core.refusals`, to staff); an unknown SKU
# here may well exist, outside what the company may buy.
ENTRY_WORDS: dict[str, Any] = {
    "unknown_sku": _("The company cannot buy this SKU (unknown or outside its assortment)."),
}


class EntryForm(django_forms.Form):
    """The order's details (the rows are posted as lists `sku` and `quantity`)."""

    token = django_forms.CharField(widget=django_forms.HiddenInput, max_length=64)
    ship_to = django_forms.TypedChoiceField(label=_("Ship to"), coerce=int)
    purchase_order_number = django_forms.CharField(
        label=_("Purchase order number"), max_length=64, required=False
    )
    requested_date = django_forms.DateField(
        label=_("Requested delivery date"),
        required=False,
        widget=django_forms.DateInput(attrs={"type": "date"}),
    )
    notes = django_forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=2000,
        widget=django_forms.Textarea(attrs={"rows": 2}),
    )
    paste = django_forms.CharField(
        label=_("Paste rows"),
        required=False,
        max_length=100_000,
        widget=django_forms.Textarea(attrs={"rows": 3, "placeholder": "A-100\t12"}),
    )

    def __init__(
        self, *args: Any, ship_tos: list[tuple[int, str]], check_url: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        ship_to = self.fields["ship_to"]
        assert isinstance(ship_to, django_forms.TypedChoiceField)
        ship_to.choices = ship_tos
        # Another ship-to may pay other tax: with HTMX the rows are checked again at once
        # (a newer choice cancels the answer to an older one).
        ship_to.widget.attrs.update(
            {
                "hx-post": check_url,
                "hx-trigger": "change",
                "hx-vals": '{"action": "check"}',
                "hx-sync": "this:replace",
            }
        )


@dataclass
class EntryRow:
    """A row as the page shows it: what was typed and, once checked, price and problems."""

    sku: str
    quantity_text: str
    quantity: int | None = None
    name: str = ""
    unit_price: Decimal | None = None
    line_total: Decimal | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Checked:
    """The rows checked, and their amounts to `ship_to` (its label; empty: no ship-to chosen,
    so no tax is known): net, tax per rate and in all, and total, as placing will freeze them."""

    rows: list[EntryRow]
    currency: str = ""
    subtotal: Decimal = Decimal(0)  # as priced (with tax where the list's prices include it)
    ok: bool = False
    error: str = ""
    ship_to: str = ""
    net: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    tax_rows: list[TaxRow] = field(default_factory=list)
    prices_include_tax: bool = False
    exemption: str = ""  # the company's certificate, when it counts today


def _rows(request: HttpRequest, form: EntryForm) -> list[EntryRow]:
    """The typed rows, then any pasted ones; a pasted line that cannot be read becomes a row
    that says why."""
    typed = rows_reader.typed_rows(request.POST.getlist("sku"), request.POST.getlist("quantity"))
    rows = [EntryRow(r.sku, r.quantity_text, r.quantity) for r in typed]
    pasted = form.data.get("paste", "") if form.is_bound else ""
    if pasted:
        read = rows_reader.read_pasted(str(pasted)[:100_000])
        rows += [EntryRow(r.sku, r.quantity_text, r.quantity) for r in read.rows]
        rows += [EntryRow(bad.text, "", None, problems=[bad.reason]) for bad in read.bad_lines]
    return rows[: rows_reader.MAX_ROWS]


def check(
    tenant_id: int, company: Company, rows: list[EntryRow], ship_to: tuple[int, str] | None
) -> Checked:
    """Judge every row with `orders.queries.check_lines` (a fixed number of queries whatever
    the number of rows), taxed to `ship_to` (id, label) as the portal's checkout taxes a cart,
    and name the SKUs in the reader's language (one more)."""
    result = Checked(rows)
    wanted: list[EntryRow] = []
    for row in rows:
        if row.problems:
            continue
        if not row.sku:
            row.problems.append(refusals.code_message("no_sku"))
        if row.quantity is None:
            row.problems.append(refusals.code_message("not_a_number"))
        if not row.problems:
            wanted.append(row)
    if not wanted:
        return result
    lines = [LineRequest(row.sku, row.quantity or 0) for row in wanted]
    try:
        checked = order_queries.check_lines(
            tenant_id, company.pk, lines, ship_to_id=ship_to[0] if ship_to else None
        )
    except DomainError as error:
        result.error = " ".join(refusals.messages(error, overrides=ENTRY_WORDS))
        return result
    names = sku_names(tenant_id, [line.sku_id for line in checked.lines if line.sku_id])
    for row, line in zip(wanted, checked.lines, strict=True):
        row.name = names.get(line.sku_id, line.description) if line.sku_id else ""
        row.unit_price, row.line_total = line.unit_price, line.line_total
        row.problems, row.warnings = refusals.split(
            line.problems, audience=refusals.STAFF, overrides=ENTRY_WORDS
        )
    result.currency, result.subtotal = checked.currency, checked.subtotal
    result.ok = len(wanted) == len(rows) and checked.ok
    if ship_to is not None:
        _add_tax(result, checked, tenant_id, company, ship_to, lines)
    return result


def _add_tax(
    result: Checked,
    checked: order_queries.LinesCheck,
    tenant_id: int,
    company: Company,
    ship_to: tuple[int, str],
    lines: list[LineRequest],
) -> None:
    """The checked rows' tax to the ship-to (`check_lines` computed it), its rates named."""
    result.ship_to = ship_to[1]
    result.tax, result.total = checked.tax, checked.total
    result.net = checked.total - checked.tax
    result.prices_include_tax = checked.prices_include_tax
    certificate = company.tax_exemption_certificate
    if exemption_applies(certificate, company.tax_exemption_expires_on, clock.now().date()):
        result.exemption = certificate
    if checked.tax:
        result.tax_rows = tax_by_rate(tenant_id, company.pk, ship_to[0], lines)


def tax_by_rate(
    tenant_id: int, company_id: int, ship_to_id: int, lines: list[LineRequest]
) -> list[TaxRow]:
    """The lines' tax per rate to the ship-to, as the order page will show it once placed:
    priced and taxed by the code placing uses (`orders.line_checks`), summed by
    `pages.taxes.tax_rows` over the lines placing would write, each rate named in the
    reader's language. The price step's queries again, and one for the rates' names."""
    now = clock.now()
    parties, _errors = line_checks.resolve_parties(tenant_id, company_id, ship_to_id, None)
    if parties is None or parties.tax.certificate_on(now.date()):
        return []
    results, _book = line_checks.check_lines(tenant_id, parties, lines, at=now)
    priced = [r for r in results if r.ok]
    document = line_checks.taxed(priced, parties, now.date())
    ids = {r.tax_rate.id for r in priced if r.tax_rate}
    rates = {rate.pk: rate for rate in pricing_queries.tax_rates(tenant_id).filter(pk__in=ids)}
    # Unsaved, with the fields the order page sums: the lines as placing would write them.
    written = [
        OrderLine(
            tax_rate=rates[r.tax_rate.id],
            tax_percent=taxed.rate,
            net_amount=taxed.net,
            tax_amount=taxed.tax,
        )
        for r, taxed in zip(priced, document.lines, strict=True)
        if r.tax_rate and r.tax_rate.id in rates
    ]
    return tax_rows(written)


def preview(
    tenant_id: int, company_id: int, rows: list[EntryRow], ship_to_id: int | None
) -> RoutingNotice:
    """The seller's rules applied to the rows as they stand, their amount the gross to the
    ship-to (the code placing uses)."""
    found = judging.preview_routing(
        tenant_id,
        company_id,
        [LineRequest(row.sku, row.quantity or 0) for row in rows],
        ship_to_id=ship_to_id,
    )
    return routing_notice.notice(found, refusals.STAFF)


def _place(
    request: HttpRequest, staff: StaffUser, company: Company, form: EntryForm, rows: list[EntryRow]
) -> int:
    """Place the order once per form token; the token is claimed in the order's own
    transaction, so a refused order leaves it free for the corrected form."""
    data = form.cleaned_data
    lines = [LineRequest(row.sku, row.quantity or 0) for row in rows]
    body = {
        "company": company.pk,
        "ship_to": data["ship_to"],
        "purchase_order_number": data["purchase_order_number"],
        "requested_delivery_date": str(data["requested_date"] or ""),
        "notes": data["notes"],
        "lines": [[line.sku, line.quantity] for line in lines],
    }

    def create() -> tuple[int, dict[str, Any]]:
        order = order_services.place_order(
            tenant_id=staff.tenant_id,
            company_id=company.pk,
            ship_to_id=data["ship_to"],
            lines=lines,
            purchase_order_number=data["purchase_order_number"],
            notes=data["notes"],
            requested_delivery_date=data["requested_date"],
            channel=CHANNEL,
            entered_by_id=staff.user_id,
        )
        return 201, {"order_id": order.pk}

    answer = submit_once(
        request,
        tenant_id=staff.tenant_id,
        scope=f"staff-{staff.user_id}:",
        token=data["token"],
        body=body,
        create=create,
    )
    return int(answer["order_id"])


def _show_refusal(form: EntryForm, rows: list[EntryRow], error: DomainError) -> None:
    """Each problem of a refused order next to its row or field, or above the form."""
    for problem in refusals.problems_of(error):
        message = refusals.message(problem, overrides=ENTRY_WORDS)
        if problem.field.startswith(_LINE_FIELD):
            index = problem.field[len(_LINE_FIELD) :].split("]", 1)[0]
            if index.isdigit() and int(index) < len(rows):
                rows[int(index)].problems.append(message)
                continue
        form.add_error(ORDER_FORM_FIELDS.get(problem.field), message)


def _company_and_ship_tos(tenant_id: int, company_id: int) -> tuple[Company, list[Location]]:
    try:
        company = customers.company_detail(tenant_id, company_id)
    except NotFound as error:
        raise Http404 from error
    ship_tos = [
        location
        for location in company.locations.all()
        if location.kind == Location.Kind.SHIP_TO and location.is_active
    ]
    return company, ship_tos


@require_http_methods(["GET", "POST"])
@staff_required(get="orders.enter", post="orders.enter")
def enter_order(request: StaffRequest, company_id: int) -> HttpResponseBase:
    """Rows of SKU and quantity, ship-to and purchase-order number for one company.

    POST `action`: `check` (judge the rows, taxed to the chosen ship-to, and show what will
    happen to the order; with HTMX only the form answers, also when the ship-to changes) or
    `place` (place the order when every row can be ordered, then show it on the order page)."""
    staff = request.staff
    company, ship_tos = _company_and_ship_tos(staff.tenant_id, company_id)
    choices = [(a.pk, f"{a.name} — {a.line1}, {a.city}") for a in ship_tos]
    url = reverse("backoffice:company-order", args=[company.pk])
    if request.method == "POST":
        form = EntryForm(request.POST, ship_tos=choices, check_url=url)
        action = request.POST.get("action", "check")
    else:
        initial = {"token": uuid.uuid4().hex, "ship_to": choices[0][0] if choices else None}
        form = EntryForm(initial=initial, ship_tos=choices, check_url=url)
        action = ""
    rows = _rows(request, form) if action else []
    ship_to = _chosen_ship_to(form, choices)
    checked = check(staff.tenant_id, company, rows, ship_to) if rows else Checked([])
    if action == "place" and form.is_valid():
        if not rows:
            form.add_error(None, refusals.code_message("no_lines"))
        elif checked.ok:
            try:
                order_id = _place(request, staff, company, form, rows)
            except NotFound as error:
                raise Http404 from error
            except DomainError as error:
                _show_refusal(form, rows, error)
            else:
                messages.success(request, gettext("The order is placed for the company."))
                return render_redirect(request, reverse("backoffice:order", args=[order_id]))
        else:
            form.add_error(None, gettext("Correct the rows marked below first."))
    shown = (
        preview(staff.tenant_id, company.pk, rows, ship_to[0] if ship_to else None)
        if checked.ok
        else None
    )
    context: dict[str, Any] = {
        "company": company,
        "form": _unpasted(form),
        "check": checked,
        "rows": rows + [EntryRow("", "") for _ in range(BLANK_ROWS)],
        "preview": shown,
        "has_ship_to": bool(choices),
    }
    template = "backoffice/_entry_form.html" if is_htmx(request) else "backoffice/entry.html"
    return render(request, template, context)


def _chosen_ship_to(form: EntryForm, choices: list[tuple[int, str]]) -> tuple[int, str] | None:
    """The ship-to the form names (as sent, else the one it offers first) with its label;
    None when it names none of the company's active ones."""
    labels = dict(choices)
    try:
        chosen = int(form["ship_to"].value())
    except (TypeError, ValueError):
        return None
    return (chosen, labels[chosen]) if chosen in labels else None


def _unpasted(form: EntryForm) -> EntryForm:
    """The form to show again: pasted rows are now in the table, so the paste box is
    emptied (a second check must not add them twice)."""
    if isinstance(form.data, QueryDict) and form.data.get("paste"):
        data = form.data.copy()
        data["paste"] = ""
        form.data = data
    return form
