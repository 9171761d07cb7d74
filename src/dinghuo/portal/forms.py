"""The buyer portal's forms and the reading of quick-order rows (typed, pasted, uploaded).

Forms check the shape of what a person typed (a number is a number, a date is a date); every
business rule (is this SKU orderable, at this quantity, at what price) is left to the services
and queries the API uses, whose problems `problem_message` puts into the page's language.
"""

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, FieldError

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


# --- problems from the services, in the page's language ------------------------------------
# Said by `core.refusals` to a buyer ("your company"); a page passes its own words for a code
# as `overrides` where it needs other ones.


def problem_message(problem: FieldError, overrides: refusals.Overrides | None = None) -> str:
    """A problem found by a service, query or form reader, said to the buyer in the active
    language."""
    return refusals.message(problem, audience=refusals.BUYER, overrides=overrides)


def refusal_messages(error: DomainError, overrides: refusals.Overrides | None = None) -> list[str]:
    """A service's refusal as sentences to the buyer, each said once."""
    return refusals.messages(error, audience=refusals.BUYER, overrides=overrides)


def code_message(code: str, overrides: refusals.Overrides | None = None) -> str:
    """A problem the page finds itself (an empty row, an empty cart), said to the buyer."""
    return refusals.code_message(code, audience=refusals.BUYER, overrides=overrides)


def split_problems(problems: list[FieldError]) -> tuple[list[str], list[str]]:
    """A line's problems as (blocking, warnings), each said once in the active language."""
    return refusals.split(problems, audience=refusals.BUYER)
