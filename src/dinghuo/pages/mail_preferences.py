"""The mail preferences page the portal (buyers) and the back office (staff) share: the
language of one's mails and one checkbox per kind of mail offered (notifications.kinds)."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.core import refusals
from dinghuo.core.errors import ValidationFailed
from dinghuo.notifications import queries, services
from dinghuo.notifications.kinds import CHOSEN_BY, Audience, wants


class MailPreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of my mails"), required=False)

    def __init__(self, audience: Audience, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = CHOSEN_BY[audience]
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = [
            ("", _("The language of my pages")),
            *[(code, name) for code, name in settings.LANGUAGES],
        ]
        for kind in self.kinds:
            self.fields[kind.value] = forms.BooleanField(label=kind.label, required=False)


def preferences_page(
    request: HttpRequest, *, tenant_id: int, user_id: int, audience: Audience, template: str
) -> HttpResponse:
    """Show the person's choices (defaults where they never chose) and keep what they send."""
    if request.method == "POST":
        form = MailPreferencesForm(audience, request.POST)
        if form.is_valid():
            try:
                services.save_preferences(
                    tenant_id=tenant_id,
                    user_id=user_id,
                    audience=audience,
                    language=form.cleaned_data["language"],
                    choices={k.value: form.cleaned_data[k.value] for k in form.kinds},
                )
            except ValidationFailed as error:
                for problem in refusals.problems_of(error):
                    form.add_error(None, refusals.message(problem))
            else:
                messages.success(request, gettext("Your mail preferences are saved."))
                return redirect(request.path)
    else:
        saved = queries.preference(tenant_id, user_id)
        choices = saved.choices if saved else {}
        initial: dict[str, Any] = {"language": saved.language if saved else ""}
        initial |= {k.value: wants(audience, k, choices) for k in CHOSEN_BY[audience]}
        form = MailPreferencesForm(audience, initial=initial)
    return render(request, template, {"form": form})
