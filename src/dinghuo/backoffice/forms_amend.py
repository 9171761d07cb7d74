"""The staff's form to change an order (`pages.amend_form.AmendForm`): as the buyer's, and
whether lines nothing has shipped of take today's prices."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dinghuo.pages.amend_form import AmendForm


class StaffAmendForm(AmendForm):
    reprice = forms.BooleanField(
        label=_("Reprice at today's prices"),
        required=False,
        help_text=_(
            "Lines nothing has shipped of take today's price for the company; lines with "
            "shipped units keep theirs."
        ),
    )
