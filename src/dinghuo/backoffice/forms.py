"""The back office's forms, and its refusals said in the page's language: an order's
actions and shipments; price lists, their tier ladders and who they are offered to;
promotions.

Forms check the shape of what a person typed (a number is a number, a comment is not too
long); every business rule (may this order be confirmed, is there stock to ship) is left to
the services the API uses, whose problems `problem_message` puts into words.
"""

import re
import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.backoffice.params import int_param
from dinghuo.backoffice.queries import PickLine, company_by_code
from dinghuo.billing.models import BillingPolicy, Payment
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, FieldError
from dinghuo.customers.models import CreditPolicy
from dinghuo.pricing.models import Promotion

COMMENT_MAX = 1000
MAX_TIER_ROWS = 50
MAX_PROMOTION_SKUS = 1000


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


# --- price lists -------------------------------------------------------------------------


class PriceListForm(forms.Form):
    """A price list's code, name, currency and whether companies may order from it."""

    code = forms.SlugField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    currency = forms.CharField(
        label=_("Currency"),
        min_length=3,
        max_length=3,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 3}),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).upper()


class LadderForm(forms.Form):
    """One SKU's complete tier ladder: rows of minimum quantity and unit price. Rows left
    empty are dropped; whether the ladder rises is the price service's to say."""

    sku = forms.CharField(label=_("SKU code"), max_length=64)
    rows = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_TIER_ROWS)

    def __init__(self, data: Any = None, *, rows: int, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("rows", rows)
        super().__init__(data, **kwargs)
        self.row_count = rows
        for i in range(rows):
            self.fields[f"min_{i}"] = forms.IntegerField(
                label=_("Minimum quantity"),
                required=False,
                max_value=2_147_483_647,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "quantity"}),
            )
            self.fields[f"price_{i}"] = forms.DecimalField(
                label=_("Unit price"),
                required=False,
                max_digits=18,
                decimal_places=4,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "quantity"}),
            )

    @staticmethod
    def rows_posted(data: Any) -> int:
        """How many tier rows a posted form has (within the bounds a form may have)."""
        return min(max(int_param(data.get("rows")) or 1, 1), MAX_TIER_ROWS)

    def tier_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        """(row, minimum field, price field) of each row, for the template."""
        return [(i, self[f"min_{i}"], self[f"price_{i}"]) for i in range(self.row_count)]

    def filled(self) -> list[tuple[int, int, Decimal]]:
        """(row, minimum quantity, unit price) of each row with both given, in row order."""
        data = self.cleaned_data
        return [
            (i, data[f"min_{i}"], data[f"price_{i}"])
            for i in range(self.row_count)
            if data.get(f"min_{i}") is not None and data.get(f"price_{i}") is not None
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for i in range(self.row_count):
            has_min = cleaned.get(f"min_{i}") is not None
            has_price = cleaned.get(f"price_{i}") is not None
            if has_min and not has_price and f"price_{i}" not in self.errors:
                self.add_error(f"price_{i}", gettext("Give the unit price of this row."))
            if has_price and not has_min and f"min_{i}" not in self.errors:
                self.add_error(f"min_{i}", gettext("Give the minimum quantity of this row."))
        return cleaned


def _priority_field() -> forms.IntegerField:
    # The bounds of the API's `Priority`: the service stores what the form lets through.
    return forms.IntegerField(
        label=_("Priority"),
        initial=0,
        min_value=-1_000_000,
        max_value=1_000_000,
        help_text=_("Where several lists price a SKU, the highest priority wins."),
    )


class PriorityForm(forms.Form):
    """A new priority for one company's or group's offer of the list."""

    priority = _priority_field()


class AssignForm(forms.Form):
    """Offer the list to a company or a customer group, at a priority."""

    target = forms.ChoiceField(label=_("Offer to"), required=False)
    company_code = forms.CharField(
        label=_("or a company by its code"), max_length=64, required=False
    )
    priority = _priority_field()

    def __init__(
        self,
        data: Any = None,
        *,
        companies: list[tuple[int, str]],
        groups: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        target = self.fields["target"]
        assert isinstance(target, forms.ChoiceField)
        target.choices = [
            ("", gettext("Choose…")),
            (gettext("Companies"), [(f"company:{pk}", label) for pk, label in companies]),
            (gettext("Customer groups"), [(f"group:{pk}", label) for pk, label in groups]),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("target")) == bool(cleaned.get("company_code", "").strip()):
            raise forms.ValidationError(refusals.code_message("company_or_group"))
        return cleaned

    def chosen(self, tenant_id: int) -> tuple[int | None, int | None] | None:
        """(company id, customer group id) of the chosen target, one of them None; None when
        the typed company code names no company (the error is then on the form)."""
        code = self.cleaned_data.get("company_code", "").strip()
        if code:
            found = company_by_code(tenant_id, code)
            if found is None:
                self.add_error("company_code", refusals.code_message("unknown_company"))
                return None
            return found, None
        kind, _sep, pk = str(self.cleaned_data["target"]).partition(":")
        return (int(pk), None) if kind == "company" else (None, int(pk))


# --- promotions ----------------------------------------------------------------------------

KINDS: dict[str, Any] = {
    Promotion.Kind.PERCENT: _("Percent off"),
    Promotion.Kind.AMOUNT: _("Amount off each unit"),
}

_CODES_SPLIT = re.compile(r"[\s,;]+")


class PromotionForm(forms.Form):
    """A promotion as staff type it; SKUs by their codes. On an existing promotion the code
    and the kind are fixed (the service changes neither)."""

    code = forms.SlugField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=list(KINDS.items()))
    value = forms.DecimalField(
        label=_("Value"),
        max_digits=18,
        decimal_places=4,
        help_text=_("Percent off, or the amount off each unit."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        help_text=_("For an amount off only."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 3}),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    categories = forms.TypedMultipleChoiceField(
        label=_("Categories"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("With the categories below them."),
    )
    skus = forms.CharField(
        label=_("SKU codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separated by commas, spaces or new lines."),
    )
    customer_groups = forms.TypedMultipleChoiceField(
        label=_("Customer groups"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every company."),
    )
    applies_to_contract_prices = forms.BooleanField(
        label=_("Also lowers contract prices"), required=False
    )

    def __init__(
        self,
        data: Any = None,
        *,
        categories: list[tuple[int, str]],
        groups: list[tuple[int, str]],
        existing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        for name, choices in (("categories", categories), ("customer_groups", groups)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        if existing:
            self.fields["code"].disabled = True
            self.fields["kind"].disabled = True

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).strip().upper()

    def clean_skus(self) -> list[str]:
        codes = [c for c in _CODES_SPLIT.split(self.cleaned_data["skus"] or "") if c]
        if len(codes) > MAX_PROMOTION_SKUS:
            raise forms.ValidationError(
                gettext("At most %(count)d SKUs; use categories for more.")
                % {"count": MAX_PROMOTION_SKUS}
            )
        return list(dict.fromkeys(codes))


# --- billing: payments, refunds, credit notes, the billing policy --------------------------
# Amounts are bounded in digits only: whether one is above zero and fits the currency's
# minor units is the billing services' to say, in the words of `core.refusals`.

MONEY_DIGITS = 18
REFERENCE_MAX = 140
REASON_MAX = 300


def money_field(label: Any, *, required: bool = True) -> forms.DecimalField:
    """An amount of money as staff type it (a decimal point, no currency sign)."""
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=MONEY_DIGITS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _date_field(label: Any) -> forms.DateField:
    # ISO dates whatever the language: a date input reads no other format.
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _token_initial(kwargs: dict[str, Any]) -> None:
    kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4().hex)


class PaymentForm(forms.Form):
    """Money received from a company: how much, how, on which day, with which reference."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    amount = money_field(_("Amount"))
    method = forms.ChoiceField(label=_("Paid by"), choices=Payment.Method.choices)
    received_on = _date_field(_("Received on"))
    reference = forms.CharField(
        label=_("Reference"),
        max_length=REFERENCE_MAX,
        required=False,
        help_text=_("As the bank statement or the cheque shows it."),
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        _token_initial(kwargs)
        super().__init__(data, **kwargs)


def invoice_field(invoice_id: int) -> str:
    """The name of the company payment form's amount field of an open invoice."""
    return f"invoice_{invoice_id}"


OLDEST_FIRST = "oldest"
CHOSEN = "chosen"


class CompanyPaymentForm(PaymentForm):
    """A company's payment applied to its open invoices oldest due first, or to the invoices
    chosen with an amount each (the rest is the company's unapplied credit)."""

    apply = forms.ChoiceField(
        label=_("Apply it to"),
        widget=forms.RadioSelect,
        initial=OLDEST_FIRST,
    )

    def __init__(self, data: Any = None, *, open_invoices: list[int], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        apply = self.fields["apply"]
        assert isinstance(apply, forms.ChoiceField)
        apply.choices = [
            (OLDEST_FIRST, gettext("Its open invoices, oldest due first")),
            (CHOSEN, gettext("The invoices below, with the amount entered for each")),
        ]
        self.open_invoices = open_invoices
        for invoice_id in open_invoices:
            self.fields[invoice_field(invoice_id)] = money_field(_("Amount"), required=False)

    def amount_of(self, invoice_id: int) -> forms.BoundField:
        """The bound amount field of an open invoice (for the template)."""
        return self[invoice_field(invoice_id)]

    def chosen(self) -> list[tuple[int, Decimal]] | None:
        """(invoice id, amount) of each invoice given an amount when the payment is applied
        to chosen invoices; None when it goes oldest first."""
        if self.cleaned_data.get("apply") != CHOSEN:
            return None
        return [
            (invoice_id, amount)
            for invoice_id in self.open_invoices
            if (amount := self.cleaned_data.get(invoice_field(invoice_id))) is not None
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and self.chosen() == []:
            raise forms.ValidationError(gettext("Enter the amount for at least one invoice."))
        return cleaned


class RefundForm(forms.Form):
    """Paying back some of a company's unapplied credit."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    amount = money_field(_("Amount"))
    method = forms.ChoiceField(label=_("Paid back by"), choices=Payment.Method.choices)
    refunded_on = _date_field(_("Paid back on"))
    reference = forms.CharField(label=_("Reference"), max_length=REFERENCE_MAX, required=False)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        _token_initial(kwargs)
        super().__init__(data, **kwargs)


def credit_field(line_number: int) -> str:
    """The name of the credit note form's units field of an invoice line."""
    return f"credit_{line_number}"


CREDIT_WHOLE, CREDIT_LINES, CREDIT_AMOUNT = "whole", "lines", "amount"


class CreditNoteForm(forms.Form):
    """A credit note against an invoice: all of it, units of its lines, or an amount with
    tax; the reason is printed on it."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    mode = forms.ChoiceField(
        label=_("What to credit"), widget=forms.RadioSelect, initial=CREDIT_LINES
    )
    amount = money_field(_("Amount with tax"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.TextInput(),
        help_text=_("Printed on the credit note."),
    )

    def __init__(self, data: Any = None, *, lines: list[int], **kwargs: Any) -> None:
        """`lines`: the invoice's line numbers."""
        _token_initial(kwargs)
        super().__init__(data, **kwargs)
        mode = self.fields["mode"]
        assert isinstance(mode, forms.ChoiceField)
        mode.choices = [
            (CREDIT_WHOLE, gettext("The whole invoice (what is not credited yet)")),
            (CREDIT_LINES, gettext("The units entered below")),
            (CREDIT_AMOUNT, gettext("An amount")),
        ]
        self.line_numbers = lines
        for number in lines:
            self.fields[credit_field(number)] = forms.IntegerField(
                label=_("Units to credit"),
                min_value=0,
                max_value=1_000_000_000,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "quantity"}),
            )

    def units_of(self, line_number: int) -> forms.BoundField:
        """The bound units field of an invoice line (for the template)."""
        return self[credit_field(line_number)]

    def crediting(self) -> list[tuple[int, int]]:
        """(line number, units) of every line with units entered."""
        return [
            (number, units)
            for number in self.line_numbers
            if (units := self.cleaned_data.get(credit_field(number)) or 0) > 0
        ]


class BillingPolicyForm(forms.Form):
    """How the seller invoices, what its documents print, where receivables come from."""

    invoicing = forms.ChoiceField(
        label=_("Invoicing"), widget=forms.RadioSelect, choices=BillingPolicy.Invoicing.choices
    )
    legal_name = forms.CharField(label=_("Legal name"), max_length=200, required=False)
    address = forms.CharField(
        label=_("Address"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Printed on documents line by line, as typed."),
    )
    tax_number = forms.CharField(label=_("Tax number"), max_length=64, required=False)
    payment_instructions = forms.CharField(
        label=_("Payment instructions"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Printed on every invoice: bank, account, the reference to quote."),
    )
    receivables_source = forms.ChoiceField(
        label=_("Where receivables come from"),
        widget=forms.RadioSelect,
        choices=CreditPolicy.ReceivablesSource.choices,
    )
