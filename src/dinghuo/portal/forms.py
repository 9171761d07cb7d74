"""The buyer portal's forms and the reading of quick-order rows (typed, pasted, uploaded).

Forms check the shape of what a person typed (a number is a number, a date is a date); every
business rule (is this SKU orderable, at this quantity, at what price) is left to the services
and queries the API uses, whose problems `problem_message` puts into the page's language.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.core.errors import FieldError

# An order has at most 1,000 lines (the API's limit); a paste or file is read up to that.
MAX_ROWS = 1000
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# Spreadsheets copy cells with tabs; people type commas, semicolons or spaces.
_SEPARATORS = ("\t", ";", ",")
_WHOLE_NUMBER = re.compile(r"^[+-]?\d+(?:\.0*)?$")


@dataclass(frozen=True)
class Row:
    """One quick-order row as typed: a SKU code and a quantity (None: not a number)."""

    sku: str
    quantity: int | None
    quantity_text: str = ""
    position: int | None = None  # its place in the typed table, blank rows counted


@dataclass(frozen=True)
class BadLine:
    """A pasted or uploaded line that could not be read, by its line number (from 1)."""

    number: int
    text: str
    reason: str


@dataclass(frozen=True)
class ReadRows:
    rows: list[Row]
    bad_lines: list[BadLine]


def _quantity(text: str) -> int | None:
    """A whole number as spreadsheets write it ("12", "12.0", "+12"); None otherwise."""
    text = text.strip().replace("\u00a0", "")
    if not _WHOLE_NUMBER.match(text):
        return None
    return int(text.split(".")[0])


def _split(line: str) -> list[str]:
    for separator in _SEPARATORS:
        if separator in line:
            return [field.strip() for field in line.split(separator)]
    return line.split()


def _read_fields(numbered: list[tuple[int, list[str]]]) -> ReadRows:
    """Rows from lines already split into fields: the SKU code is the first field, the
    quantity the first later field that is a whole number. A first line of several fields
    without a quantity is a header and is skipped; blank lines are skipped; anything else
    is reported."""
    rows: list[Row] = []
    bad: list[BadLine] = []
    seen_content = False
    for number, fields in numbered:
        fields = [f.strip() for f in fields]
        if not any(fields):
            continue
        first_content = not seen_content
        seen_content = True
        text = " | ".join(f for f in fields if f)
        code = fields[0]
        quantity = next((q for q in map(_quantity, fields[1:]) if q is not None), None)
        if quantity is None:
            if first_content and len([f for f in fields if f]) > 1:
                continue  # a header line such as "SKU, Quantity"
            reason = gettext("no quantity") if code else gettext("no SKU code")
            bad.append(BadLine(number, text[:120], reason))
            continue
        if not code:
            bad.append(BadLine(number, text[:120], gettext("no SKU code")))
            continue
        if len(rows) >= MAX_ROWS:
            bad.append(
                BadLine(number, text[:120], gettext("more than %(max)d rows") % {"max": MAX_ROWS})
            )
            break
        rows.append(Row(code, quantity, str(quantity)))
    return ReadRows(rows, bad)


def read_pasted(text: str) -> ReadRows:
    """Rows pasted from a spreadsheet or typed: one per line, code and quantity separated by
    a tab, comma, semicolon or spaces."""
    lines = text.splitlines()
    return _read_fields([(i, _split(line)) for i, line in enumerate(lines, start=1)])


def read_csv(data: bytes) -> ReadRows:
    """Rows of a CSV file (UTF-8, as spreadsheets save it; comma, semicolon or tab)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ReadRows([], [BadLine(1, "", gettext("the file is not UTF-8 text"))])
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return _read_fields([(reader.line_num, fields) for fields in reader])


def read_xlsx(data: bytes) -> ReadRows:
    """Rows of the first sheet of an Excel workbook."""
    import openpyxl  # imported here: only uploads need it, and it is slow to import

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        return ReadRows([], [BadLine(1, "", gettext("the file is not an Excel workbook"))])
    sheet = book.worksheets[0]
    numbered = [
        (i, ["" if cell is None else str(cell) for cell in values])
        for i, values in enumerate(sheet.iter_rows(values_only=True), start=1)
    ]
    return _read_fields(numbered)


def read_upload(name: str, data: bytes) -> ReadRows:
    """Rows of an uploaded file, read by its extension (.xlsx, else CSV)."""
    if name.lower().endswith(".xlsx"):
        return read_xlsx(data)
    return read_csv(data)


def typed_rows(skus: list[str], quantities: list[str]) -> list[Row]:
    """The rows of the quick-order table as posted, each knowing its place in the table;
    rows left blank are dropped."""
    rows = []
    for position, (sku, quantity) in enumerate(zip(skus, quantities, strict=False)):
        sku, quantity = sku.strip(), quantity.strip()
        if sku or quantity:
            rows.append(Row(sku, _quantity(quantity), quantity, position))
    return rows[:MAX_ROWS]


class PasteForm(forms.Form):
    rows_text = forms.CharField(
        label=_("Paste rows"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "A-100\t12"}),
        max_length=100_000,
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class AddToCartForm(forms.Form):
    sku = forms.CharField(max_length=64)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000_000)


class CartQuantityForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000_000)


class CheckoutForm(forms.Form):
    """What a buyer adds to the cart to make it an order. The ship-to choices are the
    company's active ship-to addresses, given by the view."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    ship_to = forms.TypedChoiceField(label=_("Ship to"), coerce=int)
    purchase_order_number = forms.CharField(
        label=_("Purchase order number"), max_length=64, required=False
    )
    requested_date = forms.DateField(
        label=_("Requested delivery date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, ship_tos: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ship_to"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = ship_tos

    def clean_requested_date(self) -> date | None:
        wanted: date | None = self.cleaned_data.get("requested_date")
        if wanted is not None and wanted < timezone.localdate():
            raise forms.ValidationError(_("Choose a date from today on."))
        return wanted

    def order_notes(self) -> str:
        """The notes the order keeps. Orders have no requested-date field yet, so the date
        goes first in the notes, in ISO form so that staff and systems read it alike."""
        notes: str = self.cleaned_data.get("notes") or ""
        wanted = self.cleaned_data.get("requested_date")
        if wanted is None:
            return notes
        line = f"Requested delivery date: {wanted.isoformat()}"
        return f"{line}\n{notes}" if notes else line


# --- problems from the services, in the page's language ------------------------------------

# Problems that do not stop a line from being ordered (`orders.queries.check_lines`: a stock
# shortage is a warning, placing decides on backorder); pages show them as warnings.
WARNING_CODES = frozenset({"insufficient_stock"})


def split_problems(problems: list[FieldError]) -> tuple[list[str], list[str]]:
    """A line's problems as (blocking, warnings), each said once in the active language."""
    blocking = [problem_message(p) for p in problems if p.code not in WARNING_CODES]
    warnings = [problem_message(p) for p in problems if p.code in WARNING_CODES]
    return list(dict.fromkeys(blocking)), list(dict.fromkeys(warnings))


def problem_message(problem: FieldError) -> str:
    """A problem found by a service or query, said in the active language; a code the portal
    does not know keeps the service's own (English) message."""
    extra = problem.extra
    code = problem.code
    if code == "below_minimum" and "minimum" in extra:
        return gettext("Order at least %(minimum)s.") % {"minimum": extra["minimum"]}
    if code == "not_pack_multiple" and "pack_size" in extra:
        return gettext("Comes in packs of %(pack)s.") % {"pack": extra["pack_size"]}
    if code == "insufficient_stock" and "available" in extra:
        return gettext("Only %(available)s available now.") % {"available": extra["available"]}
    if code in {"over_limit", "overdue"}:
        return gettext("Your company's credit does not allow this order now.")
    simple = _SIMPLE_MESSAGES.get(code)
    return str(simple) if simple is not None else problem.message


_SIMPLE_MESSAGES = {
    "unknown_sku": _("No such SKU in your catalogue."),
    "inactive_sku": _("This SKU can no longer be ordered."),
    "duplicate_sku": _("This SKU is on more than one row; put it on one row."),
    "quantity_not_positive": _("Order at least one unit."),
    "quantity_too_large": _("The quantity is too large."),
    "no_price": _("This SKU has no price for your company; ask for a quote."),
    "amount_too_large": _("The amount is too large; split the order."),
    "cart_empty": _("The cart is empty."),
    "unknown_ship_to": _("Choose one of your company's delivery addresses."),
    "price_list_inactive": _("Your company cannot order now; please contact the seller."),
    "credit_refused": _("Your company's credit does not allow this order now."),
    "no_lines": _("Add at least one line."),
    "not_a_number": _("Enter a whole number."),
    "no_sku": _("Enter a SKU code."),
}
