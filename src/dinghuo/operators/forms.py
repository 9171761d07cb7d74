"""The operator's and the signing-up seller's forms for a new tenant."""

from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dinghuo.core.errors import DomainError
from dinghuo.core.refusals import message as said
from dinghuo.core.refusals import problems_of

_FIELDS = {"slug", "name", "base_currency", "languages", "time_zone", "owner_email"}
_FORM_FIELD = {"base_currency": "currency"}


class NewSellerForm(forms.Form):
    """What a seller is created from; the service checks it again and refuses what is wrong."""

    name = forms.CharField(label=_("Company name"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=50,
        help_text=_("Lower-case letters, digits and hyphens: harbour-trading."),
    )
    currency = forms.CharField(
        label=_("Base currency"), max_length=3, initial="HKD", help_text=_("HKD, USD, CNY…")
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages offered"),
        choices=settings.LANGUAGES,
        initial=["en", "zh-hant"],
        widget=forms.CheckboxSelectMultiple,
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(name, name) for name in sorted(available_timezones())],
        initial="Asia/Hong_Kong",
    )
    owner_email = forms.EmailField(label=_("Owner's email"), max_length=254)

    def values(self) -> dict[str, Any]:
        """The cleaned fields as the tenant service names them."""
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "slug": data["slug"],
            "base_currency": data["currency"].strip().upper(),
            "languages": list(data["languages"]),
            "time_zone": data["time_zone"],
            "owner_email": data["owner_email"],
        }

    def refused(self, refusal: DomainError) -> None:
        """Show a service's refusal on the fields it concerns, in the reader's language."""
        for problem in problems_of(refusal):
            field = _FORM_FIELD.get(problem.field, problem.field)
            self.add_error(field if problem.field in _FIELDS else None, said(problem))
