"""The exchange-rate page: the seller's base currency, the currencies its price lists use with
the rate that holds today (said as people say it: "1 US dollar = 7.80 Hong Kong dollars"),
a warning for a currency without a rate or with one more than a week old, a form to set one
rate, a CSV import, and the last rates of a currency.

Thin over `pricing.services` (`set_rates`, `import_rates_csv`) and `pricing.queries`, what
the API's exchange-rate routes use: the forms check the shape of what was typed, the service
says whether it may be set, and its refusals appear next to the field, or, for a file, by
line. The tenant always comes from the signed-in staff member.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dinghuo.backoffice import forms
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.forms_fx import RateForm, RatesFileForm, currency_choices
from dinghuo.core.errors import DomainError, FieldError
from dinghuo.core.models import Seller
from dinghuo.core.money import is_currency
from dinghuo.core.queries import seller_for
from dinghuo.core.templatetags.dinghuo import currency_name, date_, number, rate_sentence
from dinghuo.pages.invoices import business_day
from dinghuo.pricing import queries, services
from dinghuo.pricing.models import ExchangeRate

HISTORY_SHOWN = 30
SOURCE_LABELS = {
    "page": _("Entered on this page"),
    "csv": _("CSV import"),
    "api": _("API"),
    "demo": _("Demo data"),
}
# The rate form's field for each field of the service's problems.
_FORM_FIELDS = {"currency": "currency", "date": "day", "rate": "rate"}


def _status(found: queries.CurrencyInUse) -> tuple[str, str, str]:
    """A currency's rate in a word (its badge and the badge's class), and what a person
    should know about it when something is wrong ("" when nothing is)."""
    if found.missing:
        warning = gettext("No rate yet: orders in %(currency)s cannot be placed.") % {
            "currency": currency_name(found.currency)
        }
        return gettext("Orders refused"), "badge--bad", warning
    if found.stale:
        days = found.days_old or 0
        warning = ngettext(
            "Out of date: set %(days)s day ago.", "Out of date: set %(days)s days ago.", days
        ) % {"days": days}
        return gettext("Out of date"), "badge--warn", warning
    return gettext("Up to date"), "badge--ok", ""


def _in_use_rows(seller: Seller, in_use: list[queries.CurrencyInUse]) -> list[dict[str, Any]]:
    rows = []
    for found in in_use:
        status, badge, warning = _status(found)
        rows.append(
            {
                "currency": found.currency,
                "name": currency_name(found.currency, 1),
                "said": None
                if found.rate is None
                else rate_sentence(found.currency, found.rate, seller.base_currency),
                "day": found.day,
                "status": status,
                "badge": badge,
                "warning": warning,
            }
        )
    return rows


def _shown_currency(text: str | None, in_use: list[queries.CurrencyInUse], base: str) -> str:
    """The currency whose rates the page lists: the one asked for, else the first in use."""
    asked = (text or "").strip().upper()[:3]
    if is_currency(asked) and asked != base:
        return asked
    return in_use[0].currency if in_use else ""


def _history(seller: Seller, currency: str) -> list[dict[str, Any]]:
    if not currency:
        return []
    found: list[ExchangeRate] = list(
        queries.exchange_rates(seller, currency=currency)[:HISTORY_SHOWN]
    )
    return [
        {
            "day": row.day,
            "said": rate_sentence(currency, row.rate, seller.base_currency),
            "source": SOURCE_LABELS.get(row.source, row.source),
        }
        for row in found
    ]


def _page(
    request: StaffRequest,
    rate_form: RateForm | None = None,
    file_form: RatesFileForm | None = None,
) -> HttpResponse:
    seller = seller_for(request.staff.tenant_id, None)
    base = seller.base_currency
    today = business_day()
    in_use = queries.currencies_in_use(seller, today)
    shown = _shown_currency(request.GET.get("currency"), in_use, base)
    choices = currency_choices([c.currency for c in in_use], base)
    context = {
        "base": base,
        "base_name": currency_name(base),
        "in_use": _in_use_rows(seller, in_use),
        "stale_after": queries.STALE_AFTER_DAYS,
        "rate_form": rate_form
        or RateForm(choices=choices, initial={"day": today, "currency": shown}),
        "file_form": file_form or RatesFileForm(),
        "shown": shown,
        "shown_name": currency_name(shown) if shown else "",
        "history": _history(seller, shown),
        "currency_choices": choices,
    }
    return render(request, "backoffice/exchange_rates.html", context)


@require_GET
@staff_required(get="prices.view")
def exchange_rates(request: StaffRequest) -> HttpResponse:
    """The base currency, the currencies in use with today's rate and a warning for a
    missing or old one, the forms to set a rate or import a file, and the last rates of one
    currency (`?currency=`)."""
    return _page(request)


def _back(currency: str) -> HttpResponseBase:
    return redirect(f"{reverse('backoffice:exchange-rates')}?currency={currency}")


def _place_rate_problem(form: RateForm, problem: FieldError) -> None:
    field = _FORM_FIELDS.get(problem.field.rsplit(".", 1)[-1])
    form.add_error(field, forms.problem_message(problem))


@require_POST
@staff_required(post="fx.change")
def set_rate(request: StaffRequest) -> HttpResponseBase:
    """Set one rate from the day given (replacing that day's, if any)."""
    tenant_id = request.staff.tenant_id
    seller = seller_for(tenant_id, None)
    in_use = [c.currency for c in queries.currencies_in_use(seller, business_day())]
    form = RateForm(request.POST, choices=currency_choices(in_use, seller.base_currency))
    if not form.is_valid():
        return _page(request, rate_form=form)
    currency, day, value = (form.cleaned_data[k] for k in ("currency", "day", "rate"))
    try:
        services.set_rates(tenant_id=tenant_id, rates=[(currency, day, value)], source="page")
    except DomainError as error:
        for problem in error.errors or [FieldError("", error.code, error.detail)]:
            _place_rate_problem(form, problem)
        return _page(request, rate_form=form)
    messages.success(
        request,
        gettext("From %(day)s: %(rate)s.")
        % {"day": date_(day), "rate": rate_sentence(currency, value, seller.base_currency)},
    )
    return _back(currency)


def _line_message(problem: FieldError) -> str:
    said = forms.problem_message(problem)
    line = problem.extra.get("line")
    return gettext("Line %(line)s: %(problem)s") % {"line": line, "problem": said} if line else said


@require_POST
@staff_required(post="fx.change")
def import_rates(request: StaffRequest) -> HttpResponseBase:
    """Set the rates of a CSV file, all or none; its problems are listed by line."""
    tenant_id = request.staff.tenant_id
    form = RatesFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, file_form=form)
    try:
        text = services.decode_csv(form.cleaned_data["file"].read())
        done = services.import_rates_csv(tenant_id=tenant_id, text=text)
    except DomainError as error:
        for problem in error.errors or [FieldError("", error.code, error.detail)]:
            form.add_error("file", _line_message(problem))
        return _page(request, file_form=form)
    count = len(done.rates)
    messages.success(
        request,
        ngettext("%(count)s rate imported.", "%(count)s rates imported.", count)
        % {"count": number(count)},
    )
    return _back(done.currencies[0])
