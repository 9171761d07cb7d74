"""Receivables aging for people: the buckets' names in the reader's language, totals per
currency, and the report as CSV and as an Excel workbook (openpyxl).

Amounts are numbers, not text: in the CSV plain decimals with the currency's minor units
beside a currency column; in the workbook numeric cells shown with the currency's decimals
and code ("1,234.50 HKD"), so that a spreadsheet sums them. Each currency has its total row
(amounts in two currencies are never added). Text a spreadsheet would run as a formula
(a company named "=1+1") is written as text.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.billing import aging
from dinghuo.billing.queries import CompanyAging
from dinghuo.core.money import format_amount, minor_units

# The buckets as a person reads them (tables, the chart, the PDF, the exports).
BUCKET_LABELS: dict[str, Any] = {
    aging.CURRENT: _("Not yet due"),
    aging.DAYS_1_30: _("1–30 days overdue"),
    aging.DAYS_31_60: _("31–60 days overdue"),
    aging.DAYS_61_90: _("61–90 days overdue"),
    aging.OVER_90: _("Over 90 days overdue"),
}
# What a spreadsheet reads as the start of a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CurrencyTotal:
    """The aging of every company that owes in one currency, summed."""

    currency: str
    companies: int
    aged: aging.Aged


def totals(rows: Iterable[CompanyAging]) -> list[CurrencyTotal]:
    """The companies' agings summed per currency, by currency code."""
    sums: dict[str, tuple[int, aging.Aged]] = {}
    for row in rows:
        count, aged = sums.get(row.currency, (0, aging.Aged()))
        sums[row.currency] = (count + 1, aging.add(aged, row.aged))
    return [CurrencyTotal(cur, count, aged) for cur, (count, aged) in sorted(sums.items())]


def labelled(aged: aging.Aged) -> list[tuple[str, Any, Decimal]]:
    """(bucket, its words, its amount) of each bucket, in bucket order."""
    return [(name, BUCKET_LABELS[name], amount) for name, amount in aged.by_bucket().items()]


def headings() -> list[str]:
    """The columns' headings in the active language."""
    return [
        gettext("Company code"),
        gettext("Company"),
        gettext("Currency"),
        *(str(BUCKET_LABELS[name]) for name in aging.BUCKETS),
        gettext("Total"),
    ]


def _text(value: str) -> str:
    """Text a spreadsheet will not run: a leading formula character is quoted away."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _rows(
    rows: Sequence[CompanyAging], quote: bool
) -> Iterable[tuple[bool, str, str, str, aging.Aged]]:
    """(is a total, code, name, currency, aging) of each company, then a total row per
    currency; with `quote`, text that would be run as a formula is quoted."""
    for row in rows:
        code, name = (_text(row.code), _text(row.name)) if quote else (row.code, row.name)
        yield False, code, name, row.currency, row.aged
    for total in totals(rows):
        yield True, "", gettext("Total"), total.currency, total.aged


def _amounts(aged: aging.Aged) -> list[Decimal]:
    return [*aged.by_bucket().values(), aged.total]


def aging_csv(rows: Sequence[CompanyAging]) -> str:
    """The aging as CSV: a heading row, a row per company, a total row per currency."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings())
    for _total, code, name, currency, aged in _rows(rows, quote=True):
        amounts = [format_amount(amount, currency) for amount in _amounts(aged)]
        writer.writerow([code, name, currency, *amounts])
    return out.getvalue()


def number_format(currency: str) -> str:
    """Excel's format of an amount in `currency`: its decimals and its code."""
    digits = minor_units(currency)
    decimals = "." + "0" * digits if digits else ""
    return f'#,##0{decimals} "{currency}"'


def aging_xlsx(rows: Sequence[CompanyAging], on: date) -> bytes:
    """The aging as an Excel workbook: one sheet named after the day, the heading row frozen,
    amounts as numbers in their currency's format, a bold total row per currency."""
    from openpyxl import Workbook  # imported here: only this download needs it, and it is slow
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("Aging %(day)s") % {"day": on.isoformat()})
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHI", (16, 36, 10, 18, 18, 18, 18, 18, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)

    def text(value: str, *, strong: bool = False) -> Cell | str:
        """A text cell: bold, or one a spreadsheet would run as a formula, as a styled
        string cell; any other as the plain string."""
        if not strong and not value.startswith("="):
            return value  # a plain string cell (openpyxl reads only "=…" as a formula)
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula
        if strong:
            cell.font = bold
        return cell

    sheet.append([text(heading, strong=True) for heading in headings()])
    for strong, code, name, currency, aged in _rows(rows, quote=False):
        cells: list[Cell | str | None] = [
            text(code) if code else None,
            text(name, strong=strong),
            text(currency),
        ]
        for amount in _amounts(aged):
            cell = WriteOnlyCell(sheet, value=amount)
            cell.number_format = number_format(currency)
            if strong:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
