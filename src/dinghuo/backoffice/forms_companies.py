"""The company forms of the back office: a company, one of its addresses, one of its users,
its credit line.

A form checks the shape of what was typed; a code already used, a country that is none, the
last admin switched off or prepaid terms with days are the customers services' refusals (the
API's), shown next to the field they are about.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dinghuo.core.templatetags.dinghuo import babel_locale
from dinghuo.customers.models import CompanyUser, CreditLine, Location
from dinghuo.customers.services import COUNTRIES, MAX_TERMS_DAYS

MAX_AMOUNT = Decimal("99999999999999")  # fits the amount columns (18 digits, 4 decimals)


def _amount_field(label: Any, help_text: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_value=MAX_AMOUNT,
        decimal_places=4,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class CompanyForm(forms.Form):
    """A buying company: code, name, the price list it buys on, the group it is part of, its
    customer groups, and whether it may order."""

    code = forms.CharField(
        label=_("Customer code"),
        max_length=64,
        help_text=_("Unique among your companies; your ERP's customer number, for example."),
    )
    name = forms.CharField(label=_("Name"), max_length=300)
    price_list = forms.TypedChoiceField(label=_("Price list"), coerce=int)
    parent_code = forms.CharField(
        label=_("Part of (the code of its head company)"),
        max_length=64,
        required=False,
        help_text=_("Empty when it belongs to no group."),
    )
    groups = forms.TypedMultipleChoiceField(label=_("Customer groups"), required=False, coerce=int)
    is_active = forms.BooleanField(
        label=_("May order"),
        required=False,
        initial=True,
        help_text=_("Untick to stop its users from placing orders."),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        price_lists: list[tuple[int, str]],
        groups: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        price_list = self.fields["price_list"]
        assert isinstance(price_list, forms.TypedChoiceField)
        price_list.choices = [(str(pk), label) for pk, label in price_lists]
        chosen = self.fields["groups"]
        assert isinstance(chosen, forms.TypedMultipleChoiceField)
        chosen.choices = [(str(pk), label) for pk, label in groups]


def country_choices() -> list[tuple[str, str]]:
    """Every ISO country, named in the active language, by name."""
    names = babel_locale().territories
    return sorted(((code, str(names.get(code, code))) for code in COUNTRIES), key=lambda c: c[1])


class LocationForm(forms.Form):
    """A ship-to or bill-to address of the company."""

    kind = forms.ChoiceField(label=_("Used for"), choices=Location.Kind.choices)
    name = forms.CharField(
        label=_("Name of the address"),
        max_length=200,
        help_text=_("What buyers choose it by, for example Main warehouse."),
    )
    line1 = forms.CharField(label=_("Address"), max_length=200)
    line2 = forms.CharField(label=_("Address (second line)"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    country = forms.ChoiceField(label=_("Country or region"))
    region = forms.CharField(
        label=_("Province or state (code)"),
        max_length=3,
        required=False,
        help_text=_("Only where tax differs by province, for example GD."),
    )
    is_active = forms.BooleanField(
        label=_("In use"),
        required=False,
        initial=True,
        help_text=_("Untick to stop new orders from using it; past orders keep it."),
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = [("", "—"), *country_choices()]

    def clean_region(self) -> str:
        return str(self.cleaned_data["region"]).strip().upper()


class CompanyUserForm(forms.Form):
    """A person who buys for the company: email (only when added), name, role, spending
    limit, and whether they may sign in (only once they exist)."""

    email = forms.EmailField(label=_("Email"), max_length=150)
    name = forms.CharField(label=_("Name"), max_length=150)
    role = forms.ChoiceField(
        label=_("Role"), choices=CompanyUser.Role.choices, initial=CompanyUser.Role.BUYER
    )
    spending_limit = _amount_field(
        _("Spending limit"),
        _("Orders above this need a company approver; empty means no limit."),
    )
    is_active = forms.BooleanField(
        label=_("May sign in"),
        required=False,
        initial=True,
        help_text=_("Untick to take their access away; their orders stay."),
    )


class CreditForm(forms.Form):
    """The company's credit line: limit, payment terms, deposit, and why it changes."""

    credit_limit = _amount_field(_("Credit limit"), _("Empty means no limit."))
    terms = forms.ChoiceField(label=_("Payment terms"), choices=CreditLine.Terms.choices)
    terms_days = forms.IntegerField(
        label=_("Days to pay"),
        min_value=0,
        max_value=MAX_TERMS_DAYS,
        help_text=_("0 for prepaid."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    deposit_percent = forms.IntegerField(
        label=_("Deposit (percent of each order)"),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=_("Paid before the order is confirmed; 0 for none."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=500,
        help_text=_("Kept with the change, for whoever reads the company's history."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
