"""Receivables aging for people: the buckets' names in the reader's language, totals per
currency and for all companies in base currency, and the report as CSV and as an Excel
workbook (openpyxl).

Amounts are numbers, not text: in the CSV plain decimals with the currency's minor units
beside a currency column; in the workbook numeric cells shown with the currency's decimals
and code ("1,234.50 HKD"), so that a spreadsheet sums them. Each row also says its amounts in
the seller's base currency (at the invoices' rates). Each currency has its total row (amounts
in two currencies are never added); the last row is every company's, in base currency. Text
a spreadsheet would run as a formula (a company named "=1+1") is written as text.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import reduce
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
    """The aging of every company that owes in one currency, summed: in that currency and
    in base currency (`base`). For the total of all companies in base currency (`of_all`),
    both are the base amounts."""

    currency: str
    companies: int
    aged: aging.Aged
    base_currency: str = ""
    base: aging.Aged = field(default_factory=aging.Aged)
    of_all: bool = False


def _groups(
    rows: Iterable[CompanyAging], key: Callable[[CompanyAging], tuple[str, str]]
) -> list[tuple[tuple[str, str], int, aging.Aged, aging.Aged]]:
    """The rows summed by `key`: (key, companies, aging, aging in base currency), by key."""
    groups: dict[tuple[str, str], list[CompanyAging]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return [
        (
            found,
            len({m.company_id for m in members}),
            reduce(aging.add, (m.aged for m in members), aging.Aged()),
            reduce(aging.add, (m.base for m in members), aging.Aged()),
        )
        for found, members in sorted(groups.items())
    ]


def totals(rows: Iterable[CompanyAging]) -> list[CurrencyTotal]:
    """The companies' agings summed per currency, by currency code."""
    return [
        CurrencyTotal(currency, companies, own, base_currency, base)
        for (currency, base_currency), companies, own, base in _groups(
            rows, lambda row: (row.currency, row.base_currency)
        )
    ]


def base_totals(rows: Iterable[CompanyAging]) -> list[CurrencyTotal]:
    """Every company's aging in base currency, summed (one per base currency: one, unless
    the tenant's sellers keep their books in several)."""
    return [
        CurrencyTotal(base_currency, companies, base, base_currency, base, of_all=True)
        for (base_currency, _), companies, _own, base in _groups(
            rows, lambda row: (row.base_currency, "")
        )
    ]


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
        gettext("Base currency"),
        *(
            gettext("%(bucket)s, in base currency") % {"bucket": BUCKET_LABELS[name]}
            for name in aging.BUCKETS
        ),
        gettext("Total in base currency"),
    ]


def _text(value: str) -> str:
    """Text a spreadsheet will not run: a leading formula character is quoted away."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


@dataclass(frozen=True)
class _Row:
    strong: bool
    code: str
    name: str
    currency: str
    aged: aging.Aged | None  # None: the row of all companies, in base currency only
    base_currency: str
    base: aging.Aged


def _rows(rows: Sequence[CompanyAging], quote: bool) -> Iterable[_Row]:
    """Each company's row, then a total row per currency, then all companies in base
    currency; with `quote`, text that would be run as a formula is quoted."""
    for row in rows:
        code, name = (_text(row.code), _text(row.name)) if quote else (row.code, row.name)
        yield _Row(False, code, name, row.currency, row.aged, row.base_currency, row.base)
    for total in totals(rows):
        name = gettext("Total")
        yield _Row(True, "", name, total.currency, total.aged, total.base_currency, total.base)
    for every in base_totals(rows):
        name = gettext("All companies")
        yield _Row(True, "", name, "", None, every.currency, every.base)


def _amounts(aged: aging.Aged) -> list[Decimal]:
    return [*aged.by_bucket().values(), aged.total]


def aging_csv(rows: Sequence[CompanyAging]) -> str:
    """The aging as CSV: a heading row, a row per company, a total row per currency, the
    total of all companies in base currency."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings())
    for row in _rows(rows, quote=True):
        own = [] if row.aged is None else _amounts(row.aged)
        amounts = [format_amount(amount, row.currency) for amount in own] or [""] * 6
        base = [format_amount(amount, row.base_currency) for amount in _amounts(row.base)]
        writer.writerow([row.code, row.name, row.currency, *amounts, row.base_currency, *base])
    return out.getvalue()


def number_format(currency: str) -> str:
    """Excel's format of an amount in `currency`: its decimals and its code."""
    digits = minor_units(currency)
    decimals = "." + "0" * digits if digits else ""
    return f'#,##0{decimals} "{currency}"'


def aging_xlsx(rows: Sequence[CompanyAging], on: date) -> bytes:
    """The aging as an Excel workbook: one sheet named after the day, the heading row frozen,
    amounts as numbers in their currency's format, a bold total row per currency and one of
    all companies in base currency."""
    from openpyxl import Workbook  # imported here: only this download needs it, and it is slow
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("Aging %(day)s") % {"day": on.isoformat()})
    sheet.freeze_panes = "A2"
    widths = (16, 36, 10, *(18,) * 6, 10, *(18,) * 6)
    for letter, width in zip("ABCDEFGHIJKLMNOP", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)

    def text(value: str, *, strong: bool = False) -> Cell | str | None:
        """A text cell: bold, or one a spreadsheet would run as a formula, as a styled
        string cell; any other as the plain string (none for no text)."""
        if not value:
            return None
        if not strong and not value.startswith("="):
            return value  # a plain string cell (openpyxl reads only "=…" as a formula)
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula
        if strong:
            cell.font = bold
        return cell

    def amounts(aged: aging.Aged | None, currency: str, strong: bool) -> list[Cell | None]:
        """The buckets and their total as numbers in `currency`'s format (none: blanks)."""
        if aged is None:
            return [None] * 6
        cells: list[Cell | None] = []
        for amount in _amounts(aged):
            cell = WriteOnlyCell(sheet, value=amount)
            cell.number_format = number_format(currency)
            if strong:
                cell.font = bold
            cells.append(cell)
        return cells

    sheet.append([text(heading, strong=True) for heading in headings()])
    for row in _rows(rows, quote=False):
        sheet.append(
            [
                text(row.code),
                text(row.name, strong=row.strong),
                text(row.currency),
                *amounts(row.aged, row.currency, row.strong),
                text(row.base_currency),
                *amounts(row.base, row.base_currency, row.strong),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
