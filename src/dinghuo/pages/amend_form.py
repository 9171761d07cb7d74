"""The form to change an order, shared by the buyer's and the staff's pages (each subclasses
it for its words): every line's quantity (0 removes it), a few rows to add SKUs (any case,
spaces around), the ship-to, the requested delivery date (or none), the PO number, a note.

`send` calls `orders.services.amend_order` once per form token (`pages.submits`), so a
double click changes the order once; a form showing an older version of the order is not
applied (it would undo the change made since) but shown again as the order now is. The
service's refusals are put next to the box they are about, in the reader's language.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.db.models.functions import Upper
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.catalog import queries as catalog
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, FieldError, NotFound
from dinghuo.core.idempotency import MAX_KEY_LENGTH
from dinghuo.core.models import IdempotencyRecord
from dinghuo.orders import services
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.services.amending import MAX_NOTE, MAX_PO_NUMBER
from dinghuo.pages.amendments import CLOSED_CODES
from dinghuo.pages.submits import ORDER_FORM_FIELDS, submit_once

NEW_ROWS = 3  # empty rows to add SKUs; more can be added by amending again
MAX_UNITS = 1_000_000_000
# A shortage on a line the order already has is about the units added to it.
MORE_UNITS: refusals.Overrides = {
    "insufficient_stock": _("Only %(available)s more available now."),
}


# --- the form --------------------------------------------------------------------------------


def quantity_field(line_number: int) -> str:
    """The name of an order line's quantity box."""
    return f"quantity_{line_number}"


def new_sku_field(row: int) -> str:
    """The name of the SKU box of a row to add."""
    return f"new_sku_{row}"


def new_quantity_field(row: int) -> str:
    """The name of the quantity box of a row to add."""
    return f"new_quantity_{row}"


@dataclass(frozen=True)
class Slot:
    """Where a wanted line came from on the form: an order line's quantity box, or a row
    added (its SKU and quantity boxes)."""

    quantity: str
    sku: str
    existing: bool


class AmendForm(forms.Form):
    """The order as it should be: built for its lines (a quantity box each, 0 removes a line)
    with `NEW_ROWS` rows to add SKUs. Shapes only; the rules are the service's. Each side
    subclasses it for its words (`audience`, the PO number's label)."""

    audience: refusals.Audience = refusals.STAFF
    notice = ""  # why the form is shown again afresh (the order changed meanwhile)

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # The version of the order the form shows: a form sent after the order changed again
    # would undo that change (`send` refuses it).
    version = forms.IntegerField(widget=forms.HiddenInput)
    ship_to = forms.TypedChoiceField(label=_("Ship to"), coerce=int)
    requested_date = forms.DateField(
        label=_("Requested delivery date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    no_date = forms.BooleanField(label=_("No particular delivery date"), required=False)
    purchase_order_number = forms.CharField(
        label=_("PO number"), max_length=MAX_PO_NUMBER, required=False
    )
    note = forms.CharField(
        label=_("Why it changes (optional)"), max_length=MAX_NOTE, required=False
    )

    def __init__(
        self, data: Any = None, *, order: Order, ship_tos: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        self.order = order
        self.ship_tos = ship_tos
        self.lines: list[OrderLine] = list(order.lines.all())
        initial = {
            "token": uuid.uuid4().hex,
            "version": order.version,
            "ship_to": order.ship_to_id,
            "requested_date": order.requested_delivery_date,
            "purchase_order_number": order.purchase_order_number,
            **{quantity_field(line.line_number): line.quantity for line in self.lines},
        }
        super().__init__(data, initial=initial, **kwargs)
        ship_to = self.fields["ship_to"]
        assert isinstance(ship_to, forms.TypedChoiceField)
        ship_to.choices = ship_tos
        for line in self.lines:
            self.fields[quantity_field(line.line_number)] = forms.IntegerField(
                label=line.sku_code, min_value=0, max_value=MAX_UNITS, widget=_quantity_box()
            )
        for row in range(NEW_ROWS):
            self.fields[new_sku_field(row)] = forms.CharField(
                label=_("SKU code"),
                max_length=64,
                required=False,
                widget=forms.TextInput(attrs={"size": 10, "autocapitalize": "characters"}),
            )
            self.fields[new_quantity_field(row)] = forms.IntegerField(
                label=_("Quantity"),
                min_value=1,
                max_value=MAX_UNITS,
                required=False,
                widget=_quantity_box(),
            )

    def stale(self) -> bool:
        """Sent from a page showing another version of the order than it has now."""
        return str(self.data.get("version", "")).strip() != str(self.order.version)

    def line_rows(self) -> list[tuple[OrderLine, forms.BoundField]]:
        """Each order line with its quantity box (for the template)."""
        return [(line, self[quantity_field(line.line_number)]) for line in self.lines]

    def new_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The rows to add SKUs: (SKU box, quantity box)."""
        return [(self[new_sku_field(r)], self[new_quantity_field(r)]) for r in range(NEW_ROWS)]

    def detail_fields(self) -> list[forms.BoundField]:
        """The order's own fields, in the order the page shows them (for the template)."""
        lines = {quantity_field(line.line_number) for line in self.lines}
        rows = {name for r in range(NEW_ROWS) for name in (new_sku_field(r), new_quantity_field(r))}
        return [field for field in self.visible_fields() if field.name not in lines | rows]

    def clean(self) -> dict[str, Any]:
        """A row to add needs both a SKU and a quantity."""
        cleaned = super().clean() or {}
        for row in range(NEW_ROWS):
            sku = (cleaned.get(new_sku_field(row)) or "").strip()
            units = cleaned.get(new_quantity_field(row))
            if sku and units is None and new_quantity_field(row) not in self.errors:
                self.add_error(new_quantity_field(row), self._said("not_a_number"))
            if units is not None and not sku:
                self.add_error(new_sku_field(row), self._said("no_sku"))
        return cleaned

    def wanted(self, codes: dict[str, str]) -> tuple[list[services.LineRequest], list[Slot]]:
        """The lines the order should have (the order's, then the rows added, each SKU as
        the catalogue spells it: `codes`), and where each came from on the form."""
        data = self.cleaned_data
        lines: list[services.LineRequest] = []
        slots: list[Slot] = []
        for line in self.lines:
            field = quantity_field(line.line_number)
            if data[field]:
                lines.append(services.LineRequest(line.sku_code, data[field]))
                slots.append(Slot(field, field, existing=True))
        for row, typed in self.added():
            code = codes.get(typed.upper(), typed)
            lines.append(services.LineRequest(code, data[new_quantity_field(row)]))
            slots.append(Slot(new_quantity_field(row), new_sku_field(row), existing=False))
        return lines, slots

    def added(self) -> list[tuple[int, str]]:
        """(row, SKU as typed, trimmed) of each row filled in."""
        data = self.cleaned_data
        return [
            (row, sku)
            for row in range(NEW_ROWS)
            if (sku := (data.get(new_sku_field(row)) or "").strip())
        ]

    def changes(self, lines: list[services.LineRequest], reprice: bool) -> services.AmendRequest:
        """What the service is asked to change: the fields that differ from the order's."""
        data, order = self.cleaned_data, self.order
        day: date | None = None if data["no_date"] else data["requested_date"]
        return services.AmendRequest(
            lines=lines,
            ship_to_id=data["ship_to"] if data["ship_to"] != order.ship_to_id else None,
            purchase_order_number=data["purchase_order_number"],
            requested_delivery_date=day,
            clear_requested_delivery_date=day is None and order.requested_delivery_date is not None,
            reprice=reprice,
            note=data["note"],
        )

    def body(self, lines: list[services.LineRequest], reprice: bool) -> dict[str, Any]:
        """What the form asks, as the one-time token's record compares it."""
        data = self.cleaned_data
        return {
            "lines": [[line.sku, line.quantity] for line in lines],
            "ship_to": data["ship_to"],
            "requested_date": None if data["no_date"] else str(data["requested_date"] or ""),
            "purchase_order_number": data["purchase_order_number"],
            "note": data["note"],
            "reprice": reprice,
        }

    def place_refusal(self, error: DomainError) -> None:
        """Each of the service's problems next to the box it is about, in the reader's
        language; a problem of no box (credit, nothing changed) above the form."""
        slots = self.wanted({})[1]
        by_sku = {line.sku_code: quantity_field(line.line_number) for line in self.lines}
        for problem in refusals.problems_of(error):
            target, existing = _target(problem, slots, by_sku)
            overrides = MORE_UNITS if existing else None
            if problem.code == "nothing_to_amend" or target not in self.fields:
                target = None
            said = refusals.message(problem, audience=self.audience, overrides=overrides)
            if target is None or said not in self.errors.get(target, []):
                self.add_error(target, said)

    def _said(self, code: str) -> str:
        return refusals.code_message(code, audience=self.audience)


def _quantity_box() -> forms.NumberInput:
    return forms.NumberInput(attrs={"inputmode": "numeric", "size": 6, "class": "quantity"})


def _target(
    problem: FieldError, slots: list[Slot], by_sku: dict[str, str]
) -> tuple[str | None, bool]:
    """The form field a problem is about, and whether it is a line the order already has."""
    where = problem.field
    if where.startswith("lines[") and "]" in where:
        index = where[len("lines[") : where.index("]")]
        if index.isdigit() and int(index) < len(slots):
            slot = slots[int(index)]
            on_sku = where.endswith(".sku") and not slot.existing
            return (slot.sku if on_sku else slot.quantity), slot.existing
    sku = problem.extra.get("sku")
    if isinstance(sku, str) and sku in by_sku:  # a removed line that has shipped units
        return by_sku[sku], True
    return ORDER_FORM_FIELDS.get(where), False


def catalogue_codes(tenant_id: int, seller_id: int, typed: list[str]) -> dict[str, str]:
    """The seller's SKU codes the typed ones name whatever their case, by upper-case code
    (one query; none when nothing was typed). A code typed exactly as spelt wins."""
    if not typed:
        return {}
    found = (
        catalog.skus(tenant_id)
        .filter(seller_id=seller_id)
        .annotate(upper_code=Upper("code"))
        .filter(upper_code__in=sorted({code.upper() for code in typed}))
        .values_list("code", flat=True)
    )
    codes: dict[str, str] = {}
    for code in sorted(found):
        if code in typed or code.upper() not in codes:
            codes[code.upper()] = code
    return codes


# --- sending it once -------------------------------------------------------------------------


@dataclass
class Sent:
    """What became of a sent form: the amendment's answer (show the order with
    `done_message`), or why the order can no longer change (in the reader's words), or the
    form to show again (with the service's refusals, or afresh when the order changed
    meanwhile)."""

    form: AmendForm
    answer: dict[str, Any] | None = None
    closed: str = ""


def send(
    request: HttpRequest,
    form: AmendForm,
    *,
    by: services.Actor,
    scope: str,
    reprice_field: bool = False,
) -> Sent:
    """Amend the order as the sent `form` says, once per form token (`pages.submits`): the
    same form sent again (a double click) finds the first answer. A form of an older version
    of the order is not applied (it would undo the change made since); the order is shown
    afresh to change again. `reprice_field`: the form has the staff's reprice box."""
    if form.stale():
        earlier = _earlier_answer(form, scope)
        if earlier is not None:
            return Sent(form, answer=earlier)
        fresh = type(form)(order=form.order, ship_tos=form.ship_tos)
        fresh.notice = gettext("The order was changed meanwhile: here it is as it is now.")
        return Sent(fresh)
    if not form.is_valid():
        return Sent(form)
    reprice = bool(reprice_field and form.cleaned_data.get("reprice"))
    try:
        return Sent(form, answer=_amend_once(request, form, by, scope, reprice))
    except NotFound:
        raise
    except DomainError as error:
        if error.code in CLOSED_CODES:
            said = refusals.messages(error, audience=form.audience)
            return Sent(form, closed=" ".join(said))
        form.place_refusal(error)
        return Sent(form)


def _earlier_answer(form: AmendForm, scope: str) -> dict[str, Any] | None:
    """The answer kept for the form's token when it already changed the order."""
    token = form.data.get("token")
    if not isinstance(token, str) or not 0 < len(token) <= MAX_KEY_LENGTH:
        return None
    body = (
        IdempotencyRecord.objects.filter(
            tenant_id=form.order.tenant_id, key=scope + token, response_status__isnull=False
        )
        .values_list("response_body", flat=True)
        .first()
    )
    return body if isinstance(body, dict) and "version" in body else None


def _amend_once(
    request: HttpRequest, form: AmendForm, by: services.Actor, scope: str, reprice: bool
) -> dict[str, Any]:
    """The service called once per form token; its answer for `done_message`."""
    order = form.order
    typed = [sku for _row, sku in form.added()]
    lines, _slots = form.wanted(catalogue_codes(order.tenant_id, order.seller_id, typed))
    changes = form.changes(lines, reprice)

    def create() -> tuple[int, dict[str, Any]]:
        made = services.amend_order(
            tenant_id=order.tenant_id, order_id=order.pk, changes=changes, by=by
        )
        return 201, {
            "version": made.version,
            "status_before": made.status_before,
            "status_after": made.status_after,
            "total": str(made.total_after),
            "currency": order.currency,
        }

    answer: dict[str, Any] = submit_once(
        request,
        tenant_id=order.tenant_id,
        scope=scope,
        token=form.cleaned_data["token"],
        body=form.body(lines, reprice),
        create=create,
    )
    return answer
