"""The buyer portal's quick order: rows of SKU and quantity, typed, pasted or uploaded,
checked at once as placing would check them, then every valid row added to the cart.

The rows are read by `dinghuo.pages.rows` and judged by `orders.queries.check_lines` (a fixed
number of queries whatever the number of rows); the cart service adds them. The company always
comes from the signed-in buyer (`request.buyer`).
"""

from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from dinghuo.buying import queries as buying_queries
from dinghuo.buying import services as buying
from dinghuo.catalog import queries as catalog
from dinghuo.core.errors import DomainError
from dinghuo.orders import queries as order_queries
from dinghuo.orders.line_checks import LineRequest
from dinghuo.orders.queries import LineCheck
from dinghuo.pages.responses import is_htmx, render_redirect
from dinghuo.pages.rows import BadLine, Row, read_pasted, read_upload, typed_rows
from dinghuo.pages.skus import sku_names
from dinghuo.portal import forms
from dinghuo.portal import queries as page
from dinghuo.portal.access import Buyer, BuyerRequest, buyer_required

QUICK_ORDER_BLANK_ROWS = 5


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


def _local_problems(row: Row) -> list[str]:
    """What the page itself can tell before asking: a row needs a code and a number."""
    problems = []
    if not row.sku:
        problems.append(forms.code_message("no_sku"))
    if row.quantity is None:
        problems.append(forms.code_message("not_a_number"))
    return problems


def check_rows(buyer: Buyer, rows: list[Row]) -> QuickCheck:
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
    names = sku_names(buyer.tenant_id, [line.sku_id for line in checked.lines if line.sku_id])
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


def add_rows_to_cart(buyer: Buyer, rows: list[Row]) -> AddReport:
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


def _as_listed(buyer: Buyer, rows: list[Row]) -> list[Row]:
    """The rows with each code spelled as the seller lists it, whatever case it was typed in
    (one query, two when a code is not spelled as listed)."""
    seller_id = buying_queries.buyer_company(buyer.tenant_id, buyer.company_id).seller_id
    listed = catalog.codes_as_listed(buyer.tenant_id, seller_id, [row.sku for row in rows])
    return [replace(row, sku=listed.get(row.sku, row.sku)) for row in rows]


def _rows_from_request(request: HttpRequest) -> tuple[list[Row], list[BadLine]]:
    action = request.POST.get("action", "check")
    if action == "paste":
        paste = forms.PasteForm(request.POST)
        if not paste.is_valid():
            return [], [BadLine(0, "", str(e)) for e in paste.errors.get("rows_text", [])]
        read = read_pasted(paste.cleaned_data["rows_text"])
        return read.rows, read.bad_lines
    if action == "upload":
        upload = forms.UploadForm(request.POST, request.FILES)
        if not upload.is_valid():
            return [], [BadLine(0, "", str(e)) for e in upload.errors.get("file", [])]
        file = upload.cleaned_data["file"]
        read = read_upload(file.name or "", file.read())
        return read.rows, read.bad_lines
    typed = typed_rows(request.POST.getlist("sku"), request.POST.getlist("quantity"))
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
    rows = _as_listed(buyer, rows) if rows else rows
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
    if is_htmx(request) and action == "check":
        # Only the results answer, each into its row: the inputs the buyer may be typing in
        # at that moment are left alone.
        by_position = {row.index: row for row in checked.rows}
        posted = len(request.POST.getlist("sku"))
        context["results"] = [by_position.get(i, QuickRow(i, "", "")) for i in range(posted)]
        return render(request, "portal/_quick_order_results.html", context)
    checked.rows = _with_blank_rows(checked.rows)
    # What was pasted stays in the box, so that a line the page could not read is mended
    # there rather than typed again; the rows read from it are in the table above.
    pasted = request.POST.get("rows_text", "") if action == "paste" else ""
    context["paste_form"] = forms.PasteForm(initial={"rows_text": pasted})
    context["upload_form"] = forms.UploadForm()
    context["cart_size"] = page.cart_size(buyer)
    return render(request, "portal/quick_order.html", context)
