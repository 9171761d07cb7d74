"""The buyer's return request form: per delivered line the units to send back and why, and
a note for the whole request.

The form checks only the shape (a whole number, a known reason, a note not too long); how
many units may go back, and whether the order may be returned at all, is the returns
service's to say (`returns.services.request_return`), and its refusals are put next to the
field they are about by `place_refusal`.
"""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dinghuo.core.errors import DomainError
from dinghuo.portal.forms import problem_message, refusal_messages
from dinghuo.returns.models import ReturnReason
from dinghuo.returns.services import LineAsked
from dinghuo.returns.services.requesting import MAX_NOTE

MAX_UNITS = 1_000_000_000
# `lines[3].quantity` → (3, "quantity"): where the service found a problem.
LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


def quantity_field(line_number: int) -> str:
    return f"quantity_{line_number}"


def reason_field(line_number: int) -> str:
    return f"reason_{line_number}"


def reason_choices() -> list[tuple[str, Any]]:
    """The fixed reasons, in the page's language, after an empty choice."""
    return [("", _("Choose a reason")), *ReturnReason.choices]


class ReturnRequestForm(forms.Form):
    """Built for the order's lines (`line_numbers`): a quantity box and a reason select
    each; a line left empty or at 0 is not returned."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, line_numbers: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line_numbers = line_numbers
        for number in line_numbers:
            self.fields[quantity_field(number)] = forms.IntegerField(
                label=_("Units to return"),
                required=False,
                min_value=0,
                max_value=MAX_UNITS,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 6}),
            )
            self.fields[reason_field(number)] = forms.ChoiceField(
                label=_("Reason"), required=False, choices=reason_choices()
            )

    def asked(self) -> list[LineAsked]:
        """The lines with units to return, in the order's line order."""
        data = self.cleaned_data
        return [
            LineAsked(number, data[quantity_field(number)], data[reason_field(number)] or "")
            for number in self.line_numbers
            if data.get(quantity_field(number))
        ]

    def line_rows(self) -> dict[int, tuple[forms.BoundField, forms.BoundField]]:
        """Line number → its (quantity, reason) fields, for the template."""
        return {n: (self[quantity_field(n)], self[reason_field(n)]) for n in self.line_numbers}

    def place_refusal(self, error: DomainError, asked: list[LineAsked]) -> None:
        """Each of the service's problems next to its field, in the buyer's language; a
        problem of no field on the form (the order moved on, say) above it."""
        if not error.errors:
            for sentence in refusal_messages(error):
                self.add_error(None, sentence)
            return
        for problem in error.errors:
            self.add_error(self._field_of(problem.field, asked), problem_message(problem))

    def _field_of(self, where: str, asked: list[LineAsked]) -> str | None:
        found = LINE_FIELD.match(where)
        if found and int(found.group(1)) < len(asked):
            number = asked[int(found.group(1))].line_number
            names = {"quantity": quantity_field(number), "reason": reason_field(number)}
            return names.get(found.group(2))
        return "note" if where == "note" else None
