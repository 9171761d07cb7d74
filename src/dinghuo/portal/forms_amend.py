"""The buyer's form to change an order (`pages.amend_form.AmendForm`), in the buyer's words:
the PO number is "your reference", refusals speak of "your company". Never repriced: only
the seller reprices."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dinghuo.core import refusals
from dinghuo.orders.services.amending import MAX_PO_NUMBER
from dinghuo.pages.amend_form import AmendForm


class BuyerAmendForm(AmendForm):
    audience = refusals.BUYER

    purchase_order_number = forms.CharField(
        label=_("Your reference"), max_length=MAX_PO_NUMBER, required=False
    )
