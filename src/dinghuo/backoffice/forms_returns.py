"""The returns desk's forms: approve (optional comment), reject (comment), receive (per line
the units that arrived and their fate) and close (the credit note; a refund if ticked).

Shapes only; what may be done to a return is `returns.services`' to say, and its refusals
are put next to their field by `place_refusal`.
"""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dinghuo.backoffice.forms import error_messages, problem_message
from dinghuo.billing.models import Payment
from dinghuo.core.errors import DomainError
from dinghuo.returns.models import Fate
from dinghuo.returns.services import Inspected, RefundAsked
from dinghuo.returns.services.approving import MAX_COMMENT

MAX_UNITS = 1_000_000_000
LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


def place_refusal(
    form: forms.Form,
    error: DomainError,
    fields: dict[str, str] | None = None,
    prefixes: dict[str, str] | None = None,
) -> None:
    """The service's problems on the form: each next to its field (`fields` maps the
    service's field names to the form's), the rest above the form; a problem whose field
    starts with a key of `prefixes` is said after that key's label ("A-1: …")."""
    if not error.errors:
        for sentence in error_messages(error):
            form.add_error(None, sentence)
        return
    for problem in error.errors:
        name = (fields or {}).get(problem.field, problem.field)
        said = problem_message(problem)
        label = next(
            (text for at, text in (prefixes or {}).items() if problem.field.startswith(at)), None
        )
        form.add_error(name if name in form.fields else None, f"{label}: {said}" if label else said)


class ApproveReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Why it is rejected (the company reads this)"),
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def received_field(line_number: int) -> str:
    return f"received_{line_number}"


def fate_field(line_number: int) -> str:
    return f"fate_{line_number}"


class ReceiveForm(forms.Form):
    """Per return line (`asked`: line number → units asked back) the units that arrived
    (all of them by default) and what becomes of them."""

    def __init__(self, *args: Any, asked: dict[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line_numbers = list(asked)
        for number, units in asked.items():
            self.fields[received_field(number)] = forms.IntegerField(
                label=_("Units received"),
                min_value=0,
                max_value=MAX_UNITS,
                initial=units,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 6}),
            )
            self.fields[fate_field(number)] = forms.ChoiceField(
                label=_("What becomes of them"),
                required=False,
                choices=[("", "-"), *Fate.choices],
                initial=Fate.RESTOCK,
            )

    def inspected(self) -> list[Inspected]:
        data = self.cleaned_data
        return [
            Inspected(n, data[received_field(n)], data[fate_field(n)] or "")
            for n in self.line_numbers
        ]

    def refusal_fields(self) -> dict[str, str]:
        """The service's `lines[i].…` names → this form's fields (lines are sent in order)."""
        names: dict[str, str] = {}
        for i, n in enumerate(self.line_numbers):
            names[f"lines[{i}].received_quantity"] = received_field(n)
            names[f"lines[{i}].fate"] = fate_field(n)
        return names


class CloseReturnForm(forms.Form):
    """Close: the credit note is issued; ticked, what the credit did not settle is paid
    back by `method`."""

    refund = forms.BooleanField(label=_("Refund what the credit does not settle"), required=False)
    method = forms.ChoiceField(
        label=_("Paid back by"),
        choices=Payment.Method.choices,
        initial=Payment.Method.BANK_TRANSFER,
    )
    reference = forms.CharField(label=_("Bank reference"), max_length=100, required=False)

    def refund_asked(self) -> RefundAsked | None:
        data = self.cleaned_data
        return RefundAsked(data["method"], data["reference"]) if data["refund"] else None
