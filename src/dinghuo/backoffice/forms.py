"""The back office's forms, and its refusals said in the page's language.

Forms check the shape of what a person typed (a number is a number, a comment is not too
long); every business rule (may this order be confirmed, is there stock to ship) is left to
the services the API uses, whose problems `problem_message` puts into words.
"""

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.backoffice.queries import PickLine
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, FieldError

COMMENT_MAX = 1000


def problem_message(problem: FieldError, overrides: refusals.Overrides | None = None) -> str:
    """A problem found by a service, said to staff in the active language (`core.refusals`)."""
    return refusals.message(problem, audience=refusals.STAFF, overrides=overrides)


def error_messages(error: DomainError, overrides: refusals.Overrides | None = None) -> list[str]:
    """A refusal as sentences to staff: each field error, or the error's own code."""
    return refusals.messages(error, audience=refusals.STAFF, overrides=overrides)


class CommentForm(forms.Form):
    """A required comment: releasing a credit hold, rejecting an order."""

    comment = forms.CharField(
        label=_("Comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class ApproveForm(forms.Form):
    """Approving the seller's step; the comment is optional."""

    comment = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(forms.Form):
    """Cancelling an order; the reason is kept on the order's timeline."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        widget=forms.TextInput(),
    )


def quantity_field(line_number: int) -> str:
    """The name of the ship form's quantity field of an order line."""
    return f"ship_{line_number}"


class ShipForm(forms.Form):
    """A shipment of an order: per line the units shipping now (all that is left by
    default), the carrier, the tracking number and, optionally, the warehouse it leaves."""

    carrier = forms.CharField(label=_("Carrier"), max_length=64)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=128)
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(
        self,
        data: Any = None,
        *,
        pick: list[PickLine],
        warehouses: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4().hex)
        super().__init__(data, **kwargs)
        self.pick = pick
        warehouse = self.fields["warehouse"]
        assert isinstance(warehouse, forms.ChoiceField)
        warehouse.choices = [("", gettext("Where the stock is reserved")), *warehouses]
        for item in pick:
            line = item.line
            self.fields[quantity_field(line.line_number)] = forms.IntegerField(
                label=line.sku_code,
                min_value=0,
                max_value=1_000_000_000,
                initial=item.to_ship,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "quantity"}),
            )

    def quantity_of(self, line_number: int) -> forms.BoundField:
        """The bound quantity field of an order line (for the template)."""
        return self[quantity_field(line_number)]

    def shipping(self) -> list[tuple[int, int]]:
        """(line number, units) of every line with units to ship now."""
        wanted = []
        for item in self.pick:
            units = self.cleaned_data.get(quantity_field(item.line.line_number)) or 0
            if units > 0:
                wanted.append((item.line.line_number, units))
        return wanted

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not self.shipping():
            raise forms.ValidationError(gettext("Enter the units to ship on at least one line."))
        return cleaned
