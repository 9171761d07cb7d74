"""The exchange-rate page's forms: one rate typed in, a CSV file of rates.

They check only the shape of what was given (a day is a day, a number a number, a file not
too large); whether the rate may be set (a currency other than the base, above zero, at most
10 decimals) is the rates service's call, and its refusals are shown next to the fields.
"""

from typing import Any

from babel.numbers import list_currencies
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.core.money import is_currency
from dinghuo.core.templatetags.dinghuo import currency_name

# 10,000 rows of "2026-03-31,USD,7.8012345678" are about 300 kB; room for wide files.
MAX_CSV_BYTES = 2 * 1024 * 1024
# Every currency the rates service accepts, by code.
ISO_CURRENCIES = sorted(code for code in list_currencies() if is_currency(code))

Choices = list[tuple[str, str]]


def currency_choices(in_use: list[str], base: str) -> list[tuple[str, Choices]]:
    """The currencies a rate can be set for, named in the reader's language: those the
    price lists use first, then every other (never the base currency)."""

    def named(code: str) -> tuple[str, str]:
        return code, f"{code} · {currency_name(code, 1)}"

    others = [named(c) for c in ISO_CURRENCIES if c != base and c not in in_use]
    groups = [(gettext("Currencies of your price lists"), [named(c) for c in in_use])]
    return [*([g for g in groups if g[1]]), (gettext("Other currencies"), others)]


class RateForm(forms.Form):
    """One rate: what one unit of a currency is worth in the base currency from a day on."""

    currency = forms.ChoiceField(label=_("Currency"))
    day = forms.DateField(
        label=_("Valid from"),
        # ISO dates whatever the language: a date input reads no other format.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    rate = forms.DecimalField(
        label=_("Rate"),
        # The service says what a rate may be (above zero, 10 decimals); this only reads it.
        max_digits=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(
        self, data: Any = None, *, choices: list[tuple[str, Choices]], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = choices


class RatesFileForm(forms.Form):
    """A CSV file of rates."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "A first line naming the columns date, currency and rate, then one rate a line "
            "(such as 2026-03-31,USD,7.8012). Commas or semicolons; UTF-8."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(size)s MB; import it in parts.")
                % {"size": MAX_CSV_BYTES // (1024 * 1024)}
            )
        return upload
