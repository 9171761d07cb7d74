"""The webhook pages' forms: a subscription made or changed, and replays of a period or from a
feed cursor.

They check only the shape of what was typed; whether the address may be called, or a type is
written as a type, is the webhook service's call, and its refusals appear next to the field.
"""

import re
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dinghuo.backoffice.webhook_words import FAMILIES
from dinghuo.integrations.models import WebhookSubscription

_SEPARATORS = re.compile(r"[\s,;]+")
_MINUTES = {"type": "datetime-local"}


def _family_choices() -> list[tuple[str, Any]]:
    return [
        (f.key, format_html('{} <span class="muted">({})</span>', f.label, f.examples))
        for f in FAMILIES
    ]


class WebhookForm(forms.Form):
    """A subscription's address, the events it asks for, who to tell, and whether it is on."""

    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://erp.example.com/dinghuo"}),
        help_text=_("A public https address of the receiving system; events are posted to it."),
    )
    families = forms.MultipleChoiceField(
        label=_("Events to send"),
        required=False,
        choices=_family_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to send every event."),
    )
    more_types = forms.CharField(
        label=_("More event types (for the technical user)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "invoice.issued"}),
        help_text=_(
            "Exact types such as order.shipped, or a family such as order.*, which means every "
            "event of an order: placed, confirmed, shipped, cancelled and any added later. "
            "Separate them with spaces or commas."
        ),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
    contact_email = forms.EmailField(
        label=_("Contact e-mail"),
        required=False,
        help_text=_("Told when deliveries keep failing and the webhook is paused."),
    )
    is_active = forms.BooleanField(
        label=_("Active (send events)"),
        required=False,
        initial=True,
        help_text=_(
            "Switched off, nothing is sent or kept for it; switched on again, it goes on "
            "from the events written from then."
        ),
    )

    def event_types(self) -> list[str]:
        """The chosen families' types and the types written, in the order given."""
        chosen = set(self.cleaned_data["families"])
        types = [kind for f in FAMILIES if f.key in chosen for kind in f.types]
        written = [t for t in _SEPARATORS.split(self.cleaned_data["more_types"]) if t]
        return list(dict.fromkeys([*types, *written]))


def initial_of(subscription: WebhookSubscription) -> dict[str, Any]:
    """The form's values from a subscription: families it asks for whole as checkboxes, the
    other types written out."""
    asked = set(subscription.event_types)
    families = [f.key for f in FAMILIES if set(f.types) <= asked]
    covered = {kind for f in FAMILIES if f.key in families for kind in f.types}
    return {
        "url": subscription.url,
        "families": families,
        "more_types": " ".join(t for t in subscription.event_types if t not in covered),
        "description": subscription.description,
        "contact_email": subscription.contact_email,
        "is_active": subscription.is_active,
    }


class PeriodReplayForm(forms.Form):
    """Send again the events of a period (from inclusive, until exclusive)."""

    occurred_from = forms.DateTimeField(
        label=pgettext_lazy("start of a period", "From"),
        widget=forms.DateTimeInput(attrs=_MINUTES, format="%Y-%m-%dT%H:%M"),
    )
    occurred_until = forms.DateTimeField(
        label=pgettext_lazy("end of a period", "Until"),
        required=False,
        widget=forms.DateTimeInput(attrs=_MINUTES, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for up to now."),
    )


class CursorReplayForm(forms.Form):
    """Send again every event after a feed cursor (as `GET /api/v1/events` gives them)."""

    after = forms.CharField(
        label=_("After the cursor"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "1873342.48211", "autocomplete": "off"}),
        help_text=_(
            "A cursor of the event feed; every event after it, up to the webhook's current "
            "position, is sent again."
        ),
    )
