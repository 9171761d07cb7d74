"""The quote desk's forms: an answer (a price and a word for each line, an expiry date, a note
to the buyer) and a rejection (the reason)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from dinghuo.buying.models import QuoteLine

DEFAULT_VALID_DAYS = 14
NOTE_MAX = 2000
LINE_NOTE_MAX = 300


def price_field(name: str) -> str:
    return f"price_{name}"


def note_field(name: str) -> str:
    return f"note_{name}"


class AnswerForm(forms.Form):
    """A unit price for every line (as staff type it: a decimal point, no currency sign)."""

    expires_on = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The buyer can order at these prices until the end of this day."),
    )
    note = forms.CharField(
        label=_("Note to the buyer"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, data: Any = None, *, lines: list[QuoteLine], today: date, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault(
            "expires_on", today + timedelta(days=DEFAULT_VALID_DAYS)
        )
        super().__init__(data, **kwargs)
        self.line_numbers = [line.line_number for line in lines]
        for line in lines:
            number = str(line.line_number)
            self.fields[price_field(number)] = forms.DecimalField(
                label=_("Unit price"),
                min_value=Decimal(0),
                max_digits=15,
                decimal_places=4,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "autocomplete": "off", "class": "quantity"}
                ),
            )
            self.fields[note_field(number)] = forms.CharField(
                label=_("Note on the line"), required=False, max_length=LINE_NOTE_MAX
            )

    def prices(self) -> list[tuple[int, Decimal, str]]:
        """(line number, unit price, note) of every line."""
        data = self.cleaned_data
        return [
            (n, data[price_field(str(n))], data[note_field(str(n))].strip())
            for n in self.line_numbers
        ]

    def expires_at(self, zone: str) -> datetime:
        """The end of the chosen day in the seller's time zone."""
        chosen: date = self.cleaned_data["expires_on"]
        return datetime.combine(chosen, time(23, 59, 59), tzinfo=ZoneInfo(zone))


class RejectQuoteForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the buyer"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
