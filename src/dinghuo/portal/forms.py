"""The buyer portal's forms (the rows of a quick order, a quote or a list are read by
`dinghuo.pages.rows`).

Forms check the shape of what a person typed (a number is a number, a date is a date); every
business rule (is this SKU orderable, at this quantity, at what price) is left to the services
and queries the API uses, whose problems `problem_message` puts into the page's language.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, FieldError

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


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
