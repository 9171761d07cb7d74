"""The warehouse form of the back office: the shape of what was typed; a code already used
is `inventory.services`' refusal."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dinghuo.inventory.services.warehouses import MAX_WAREHOUSE_PRIORITY


class WarehouseForm(forms.Form):
    """A warehouse: its code, name, the order orders reserve from it, and whether it does."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=32,
        help_text=_("Letters, digits, hyphens or underscores; files and the API name it so."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=0,
        max_value=MAX_WAREHOUSE_PRIORITY,
        initial=100,
        help_text=_("Orders reserve stock from lower numbers first."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where it is, for the people who deliver and collect."),
    )
    is_active = forms.BooleanField(
        label=_("Takes new orders"),
        required=False,
        initial=True,
        help_text=_(
            "Untick to stop reserving from it; what it holds for orders still ships from it."
        ),
    )
