"""The buyer's return request form: per delivered line the units to send back and why, a
note for the whole request, up to five photos, and whether the buyer wants a credit note or
an exchange (replacement goods: by default the same, else pasted rows of SKU and quantity).

The form checks only the shape (a whole number, a known reason, a note not too long, how
many photos and how large, known before they are read); how many units may go back,
whether the order may be returned at all and whether a file is a photo we take is the
returns service's to say (`returns.services.request_return`), and its refusals are put next
to the field they are about by `place_refusal`.
"""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.core.errors import DomainError, FieldError
from dinghuo.pages.rows import read_pasted
from dinghuo.portal.forms import problem_message, refusal_messages
from dinghuo.returns import photos
from dinghuo.returns.models import Outcome, ReturnReason
from dinghuo.returns.services import LineAsked, Photo, Replacement
from dinghuo.returns.services.requesting import MAX_NOTE

MAX_UNITS = 1_000_000_000
# `lines[3].quantity` → (3, "quantity"): where the service found a problem.
LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
REPLACEMENT_FIELD = re.compile(r"^replacements\[(\d+)\]")
MAX_PASTE = 20_000


def quantity_field(line_number: int) -> str:
    return f"quantity_{line_number}"


def reason_field(line_number: int) -> str:
    return f"reason_{line_number}"


def reason_choices() -> list[tuple[str, Any]]:
    """The fixed reasons, in the page's language, after an empty choice."""
    return [("", _("Choose a reason")), *ReturnReason.choices]


class PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of files in one input (`multiple`); the form bounds how many."""

    widget = PhotosInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PhotosField, self).clean(one, initial) for one in files]


class ReturnRequestForm(forms.Form):
    """Built for the order's lines (`line_numbers`): a quantity box and a reason select
    each; a line left empty or at 0 is not returned."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = PhotosField(label=_("Photos"), required=False)
    outcome = forms.ChoiceField(
        label=_("What you would like for the goods"),
        choices=Outcome.choices,
        initial=Outcome.CREDIT,
        required=False,  # not chosen: a credit note
        widget=forms.RadioSelect,
    )
    replacements = forms.CharField(
        label=_("Replacement goods"),
        required=False,
        max_length=MAX_PASTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For an exchange: one item a line, its SKU and the quantity. Left empty, you get "
            "the same items in the same quantities."
        ),
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

    def clean_photos(self) -> list[Any]:
        """At most five, none larger than allowed (their sizes are known before reading)."""
        files = self.cleaned_data.get("photos") or []
        problem = photos.count_problem(0, len(files))
        if problem is not None:
            raise forms.ValidationError(problem_message(problem))
        for i, upload in enumerate(files):
            if (upload.size or 0) > photos.MAX_BYTES:
                raise forms.ValidationError(problem_message(photos.too_large(f"photos[{i}]")))
        return files

    def clean_outcome(self) -> str:
        return str(self.cleaned_data.get("outcome") or Outcome.CREDIT)

    def clean_replacements(self) -> list[Replacement] | None:
        """The pasted rows (None when left empty: the same goods); a line that cannot be read
        is refused with its number."""
        text = self.cleaned_data.get("replacements") or ""
        if not text.strip():
            return None
        read = read_pasted(text)
        if read.bad_lines:
            raise forms.ValidationError(
                [
                    gettext("Line %(number)d (%(text)s): %(reason)s")
                    % {"number": bad.number, "text": bad.text, "reason": bad.reason}
                    for bad in read.bad_lines
                ]
            )
        return [Replacement(row.sku, row.quantity or 0) for row in read.rows]

    def sent_photos(self) -> list[Photo]:
        """The photos as sent, for the service to check."""
        return [Photo(upload.read(), upload.name or "") for upload in self.cleaned_data["photos"]]

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
            self.add_error(self._field_of(problem.field, asked), self._said(problem))

    def _said(self, problem: FieldError) -> str:
        """The problem in the buyer's words; a replacement's with its SKU first."""
        said = problem_message(problem)
        found = REPLACEMENT_FIELD.match(problem.field)
        rows = self.cleaned_data.get("replacements") or []
        if found and int(found.group(1)) < len(rows):
            return f"{rows[int(found.group(1))].sku}: {said}"
        return said

    def _field_of(self, where: str, asked: list[LineAsked]) -> str | None:
        found = LINE_FIELD.match(where)
        if found and int(found.group(1)) < len(asked):
            number = asked[int(found.group(1))].line_number
            names = {"quantity": quantity_field(number), "reason": reason_field(number)}
            return names.get(found.group(2))
        for name in ("photos", "replacements", "outcome"):
            if where.startswith(name):
                return name
        return "note" if where == "note" else None
