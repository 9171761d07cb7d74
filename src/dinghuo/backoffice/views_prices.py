"""Price list and promotion pages: price lists with their tier ladders and who they are
offered to; promotions by state, created, changed and deactivated.

Thin pages over `pricing.services` and `pricing.queries`, the code the API's pricing routes
use: a form checks only the shape of what was typed (a number is a number); whether a ladder
rises, a currency may change or a promotion's period is the right way round is the
service's call, and its refusals are shown next to the field or the tier row they are about.
The tenant always comes from the signed-in staff member, so another tenant's ids find
nothing (404).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dinghuo.backoffice import queries as page
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.views import int_param, is_htmx
from dinghuo.catalog import queries as catalog
from dinghuo.core import refusals
from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import DomainError, FieldError, NotFound
from dinghuo.core.money import format_unit_price, minor_units
from dinghuo.core.writes import UNSET, Unset
from dinghuo.customers import queries as customers
from dinghuo.customers.models import Company
from dinghuo.portal.queries import sku_names
from dinghuo.portal.views import render_redirect
from dinghuo.pricing import queries as pricing
from dinghuo.pricing import services
from dinghuo.pricing.models import PriceList, PriceListAssignment, PriceTier, Promotion

T = TypeVar("T")

LISTS_PAGE_SIZE = 50
PRICES_PAGE_SIZE = 50
PROMOTIONS_PAGE_SIZE = 50
BLANK_TIER_ROWS = 3  # empty rows under a ladder, for tiers to add
MAX_TIER_ROWS = 50
MAX_PROMOTION_SKUS = 1000


def _run(change: Callable[[], T]) -> T:
    """A service call in one transaction; another tenant's (or a removed) row is 404."""
    try:
        return atomic_with_retry(change)
    except NotFound as error:
        raise Http404 from error


def _show_refusal(
    form: forms.Form, error: DomainError, place: Callable[[FieldError], str | None]
) -> None:
    """Each problem next to the field `place` names for it (None: above the form)."""
    for problem in error.errors:
        target = place(problem)
        form.add_error(target if target in form.fields else None, refusals.message(problem))
    if not error.errors:
        form.add_error(None, " ".join(refusals.messages(error)))


def _field_of(problem: FieldError) -> str:
    # "sku_ids[2]" → "sku_ids": a problem of one member of a list belongs to the list's field.
    return problem.field.split("[", 1)[0]


# --- price lists ---------------------------------------------------------------------------


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


def _counted(model: Any, aggregate: Count) -> Coalesce:
    # A correlated count: unlike joins with Count(), it stays one row per list however many
    # tiers and assignments there are.
    return Coalesce(
        Subquery(
            model.objects.filter(price_list=OuterRef("pk"))
            .order_by()
            .values("price_list")
            .annotate(n=aggregate)
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _lists_page(tenant_id: int, after: int | None) -> tuple[list[Any], int | None]:
    """A page of the tenant's price lists with how many SKUs and tiers they price and how
    many companies or groups they are offered to (one query)."""
    qs = pricing.price_lists(tenant_id).annotate(
        tier_count=_counted(PriceTier, Count("*")),
        sku_count=_counted(PriceTier, Count("sku", distinct=True)),
        assignment_count=_counted(PriceListAssignment, Count("*")),
    )
    if after:
        qs = qs.filter(pk__gt=after)
    rows = list(qs.order_by("pk")[: LISTS_PAGE_SIZE + 1])
    more = len(rows) > LISTS_PAGE_SIZE
    rows = rows[:LISTS_PAGE_SIZE]
    return rows, rows[-1].pk if more else None


@dataclass(frozen=True)
class PriceRow:
    """One SKU priced on a list: its code, its name in the reader's language, its ladder."""

    sku_id: int
    code: str
    name: str
    ladder: list[tuple[int, Decimal, int]]  # minimum, unit price, decimals to show


def _shown(ladder: list[tuple[int, Decimal]], currency: str) -> list[tuple[int, Decimal, int]]:
    # The currency's minor units, more only where a price has them (0.3333 stays 0.3333).
    return [
        (quantity, price, max(minor_units(currency), -int(price.normalize().as_tuple().exponent)))
        for quantity, price in ladder
    ]


def _prices_page(
    price_list: PriceList, q: str, after: int | None
) -> tuple[list[PriceRow], int | None]:
    """A page of the SKUs the list prices (by code, part of it in any case), each with its
    ladder and name (three queries, whatever the page's length)."""
    qs = pricing.priced_skus(price_list)
    if q:
        qs = qs.filter(code__icontains=q)
    if after:
        qs = qs.filter(pk__gt=after)
    skus = list(qs.order_by("pk")[: PRICES_PAGE_SIZE + 1])
    more = len(skus) > PRICES_PAGE_SIZE
    skus = skus[:PRICES_PAGE_SIZE]
    ids = [sku.pk for sku in skus]
    ladders = pricing.ladders(price_list.pk, ids)
    names = sku_names(price_list.tenant_id, ids)
    rows = [
        PriceRow(
            sku.pk,
            sku.code,
            names.get(sku.pk, ""),
            _shown(ladders.get(sku.pk, []), price_list.currency),
        )
        for sku in skus
    ]
    return rows, skus[-1].pk if more else None


def _price_list(tenant_id: int, price_list_id: int) -> PriceList:
    try:
        return pricing.price_list(tenant_id, price_list_id)
    except NotFound as error:
        raise Http404 from error


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


def _ladder_form(price_list: PriceList, sku_code: str) -> LadderForm:
    """The editor of a SKU's ladder on the list, filled with its tiers (two queries)."""
    sku = pricing.priced_skus(price_list, sku_code=sku_code).first()
    ladder = pricing.ladders(price_list.pk, [sku.pk]).get(sku.pk, []) if sku else []
    initial: dict[str, Any] = {"sku": sku_code}
    for i, (min_quantity, unit_price) in enumerate(ladder):
        initial[f"min_{i}"] = min_quantity
        initial[f"price_{i}"] = format_unit_price(unit_price, price_list.currency)
    rows = min(len(ladder) + BLANK_TIER_ROWS, MAX_TIER_ROWS)
    return LadderForm(initial=initial, rows=rows)


def _place_ladder_problem(filled: list[tuple[int, int, Decimal]]) -> Callable[[FieldError], str]:
    def place(problem: FieldError) -> str:
        if problem.field.endswith(".sku"):
            return "sku"
        tier = problem.extra.get("tier")
        if isinstance(tier, int) and 0 <= tier < len(filled):
            row = filled[tier][0]
            on_price = problem.extra.get("reason") in {"negative_price", "price_too_large"}
            return f"price_{row}" if on_price else f"min_{row}"
        return ""

    return place


# A select lists this many companies at most; any company can be named by its code instead
# (a tenant may have tens of thousands).
MAX_COMPANY_CHOICES = 200


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
            found = (
                Company.objects.filter(tenant_id=tenant_id, code__iexact=code)
                .values_list("pk", flat=True)
                .first()
            )
            if found is None:
                self.add_error("company_code", refusals.code_message("unknown_company"))
                return None
            return found, None
        kind, _sep, pk = str(self.cleaned_data["target"]).partition(":")
        return (int(pk), None) if kind == "company" else (None, int(pk))


def _assign_form(tenant_id: int, data: Any = None) -> AssignForm:
    """The assign form with the tenant's companies and customer groups (two queries)."""
    groups = customers.customer_groups(tenant_id).order_by("name", "pk").values_list("pk", "name")
    return AssignForm(
        data,
        companies=page.company_choices(tenant_id)[:MAX_COMPANY_CHOICES],
        groups=[(pk, str(name)) for pk, name in groups],
        prefix="assign",
    )


def _settings_form(price_list: PriceList, data: Any = None) -> PriceListForm:
    initial = {
        "code": price_list.code,
        "name": price_list.name,
        "currency": price_list.currency,
        "is_active": price_list.is_active,
    }
    return PriceListForm(data, initial=initial, prefix="list")


def _price_list_page(
    request: StaffRequest,
    price_list: PriceList,
    *,
    settings_form: PriceListForm | None = None,
    ladder_form: LadderForm | None = None,
    assign_form: AssignForm | None = None,
    priority_form: tuple[int, PriorityForm] | None = None,
) -> HttpResponse:
    tenant_id = request.staff.tenant_id
    q = (request.GET.get("q") or "").strip()[:64]
    rows, next_after = _prices_page(price_list, q, int_param(request.GET.get("after")))
    edit = (request.GET.get("edit") or "").strip()[:64]
    if ladder_form is None and edit:
        ladder_form = _ladder_form(price_list, edit)
    assignments = list(pricing.assignments(tenant_id, price_list.pk).order_by("-priority", "pk"))
    return render(
        request,
        "backoffice/price_list.html",
        {
            "price_list": price_list,
            "rows": rows,
            "q": q,
            "next_after": next_after,
            "ladder_form": ladder_form,
            "settings_form": settings_form or _settings_form(price_list),
            "assignments": assignments,
            "assign_form": assign_form or _assign_form(tenant_id),
            # A refused priority change: (assignment id, the form with its errors).
            "priority_form": priority_form,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def price_lists(request: StaffRequest) -> HttpResponseBase:
    """The tenant's price lists: currency, whether active, how many SKUs and tiers they
    price and to how many companies or groups they are offered; a form makes a new one."""
    tenant_id = request.staff.tenant_id
    form = PriceListForm(request.POST if request.method == "POST" else None, prefix="new")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = _run(
                lambda: services.create_price_list(
                    tenant_id=tenant_id,
                    code=data["code"],
                    name=data["name"],
                    currency=data["currency"],
                    is_active=data["is_active"],
                )
            )
        except DomainError as error:
            _show_refusal(form, error, _field_of)
        else:
            messages.success(
                request, gettext("Price list %(code)s is created.") % {"code": created.code}
            )
            return redirect("backoffice:price-list", price_list_id=created.pk)
    rows, next_after = _lists_page(tenant_id, int_param(request.GET.get("after")))
    return render(
        request,
        "backoffice/price_lists.html",
        {"rows": rows, "next_after": next_after, "form": form},
    )


@require_GET
@staff_required
def price_list(request: StaffRequest, price_list_id: int) -> HttpResponse:
    """One price list: its settings, its SKUs' tier ladders (searched by SKU, a page at a
    time; HTMX asks for the rows only), the ladder editor, and who the list is offered to."""
    found = _price_list(request.staff.tenant_id, price_list_id)
    if is_htmx(request) and request.GET.get("fragment") == "rows":
        q = (request.GET.get("q") or "").strip()[:64]
        rows, next_after = _prices_page(found, q, int_param(request.GET.get("after")))
        return render(
            request,
            "backoffice/_price_rows.html",
            {"price_list": found, "rows": rows, "q": q, "next_after": next_after},
        )
    return _price_list_page(request, found)


@require_POST
@staff_required
def price_list_settings(request: StaffRequest, price_list_id: int) -> HttpResponseBase:
    """Change a list's code, name, currency or whether it is active (the service refuses a
    new currency once the list has prices)."""
    tenant_id = request.staff.tenant_id
    found = _price_list(tenant_id, price_list_id)
    form = _settings_form(found, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _run(
                lambda: services.update_price_list(
                    tenant_id=tenant_id,
                    price_list_id=found.pk,
                    code=data["code"],
                    name=data["name"],
                    currency=data["currency"],
                    is_active=data["is_active"],
                )
            )
        except DomainError as error:
            _show_refusal(form, error, _field_of)
        else:
            messages.success(request, gettext("The price list is saved."))
            return redirect("backoffice:price-list", price_list_id=found.pk)
    return _price_list_page(request, found, settings_form=form)


@require_http_methods(["GET", "POST"])
@staff_required
def ladder(request: StaffRequest, price_list_id: int) -> HttpResponseBase:
    """A SKU's tier ladder on the list: GET the editor (`?sku=`), POST the complete ladder
    (or `remove` to take the SKU's price off the list) through `replace_prices`."""
    tenant_id = request.staff.tenant_id
    found = _price_list(tenant_id, price_list_id)
    if request.method == "GET":
        code = (request.GET.get("sku") or request.GET.get("edit") or "").strip()[:64]
        form = _ladder_form(found, code)
        if not is_htmx(request):
            query = urlencode({"edit": code})
            return redirect(f"{reverse('backoffice:price-list', args=[found.pk])}?{query}#ladder")
        return _ladder_fragment(request, found, form)
    form = LadderForm(request.POST, rows=LadderForm.rows_posted(request.POST))
    removing = request.POST.get("remove") == "1"
    if form.is_valid():
        filled = form.filled()
        code = form.cleaned_data["sku"].strip()
        if not filled and not removing:
            form.add_error(None, gettext("Give at least one tier, or remove the SKU's price."))
        else:
            tiers = [] if removing else [(quantity, price) for _row, quantity, price in filled]
            entry = services.PriceEntry(sku=code, tiers=tiers)
            try:
                change = _run(
                    lambda: services.replace_prices(
                        tenant_id=tenant_id, price_list_id=found.pk, entries=[entry]
                    )
                )
            except DomainError as error:
                _show_refusal(form, error, _place_ladder_problem(filled))
            else:
                if removing:
                    note = gettext("The price of %(sku)s is removed from the list.")
                elif change.changed:
                    note = gettext("The tiers of %(sku)s are saved.")
                else:
                    note = gettext("The tiers of %(sku)s were already so; nothing changed.")
                messages.success(request, note % {"sku": code})
                back = reverse("backoffice:price-list", args=[found.pk])
                return render_redirect(request, f"{back}?{urlencode({'q': code})}")
    if is_htmx(request):
        return _ladder_fragment(request, found, form)
    return _price_list_page(request, found, ladder_form=form)


def _ladder_fragment(
    request: StaffRequest, price_list: PriceList, form: LadderForm
) -> HttpResponse:
    return render(
        request,
        "backoffice/_ladder_form.html",
        {"price_list": price_list, "ladder_form": form},
    )


@require_POST
@staff_required
def assign(request: StaffRequest, price_list_id: int) -> HttpResponseBase:
    """Offer the list to a company or a customer group at a priority (`assign_price_list`:
    the company must buy in the list's currency from its seller; once per company or
    group)."""
    tenant_id = request.staff.tenant_id
    found = _price_list(tenant_id, price_list_id)
    form = _assign_form(tenant_id, request.POST)
    chosen = form.chosen(tenant_id) if form.is_valid() else None
    if chosen is not None:
        company_id, group_id = chosen
        priority = form.cleaned_data["priority"]
        try:
            _run(
                lambda: services.assign_price_list(
                    tenant_id=tenant_id,
                    price_list_id=found.pk,
                    company_id=company_id,
                    customer_group_id=group_id,
                    priority=priority,
                )
            )
        except DomainError as error:
            _show_refusal(form, error, lambda _problem: "target")
        else:
            messages.success(request, gettext("The list is offered to them."))
            return redirect(reverse("backoffice:price-list", args=[found.pk]) + "#assignments")
    return _price_list_page(request, found, assign_form=form)


@require_POST
@staff_required
def change_priority(
    request: StaffRequest, price_list_id: int, assignment_id: int
) -> HttpResponseBase:
    """Change the priority at which the list is offered to that company or group
    (`change_assignment`); a bad number is shown next to that row's field."""
    tenant_id = request.staff.tenant_id
    found = _price_list(tenant_id, price_list_id)
    form = PriorityForm(request.POST)
    if form.is_valid():
        priority = form.cleaned_data["priority"]
        try:
            _run(
                lambda: services.change_assignment(
                    tenant_id=tenant_id,
                    price_list_id=found.pk,
                    assignment_id=assignment_id,
                    priority=priority,
                )
            )
        except DomainError as error:
            _show_refusal(form, error, lambda _problem: "priority")
        else:
            messages.success(request, gettext("The priority is changed."))
            return redirect(reverse("backoffice:price-list", args=[found.pk]) + "#assignments")
    return _price_list_page(request, found, priority_form=(assignment_id, form))


@require_POST
@staff_required
def remove_assignment(
    request: StaffRequest, price_list_id: int, assignment_id: int
) -> HttpResponseBase:
    """Stop offering the list to that company or group; orders placed keep their prices."""
    tenant_id = request.staff.tenant_id
    try:
        _run(
            lambda: services.remove_assignment(
                tenant_id=tenant_id, price_list_id=price_list_id, assignment_id=assignment_id
            )
        )
    except DomainError as error:
        messages.error(request, " ".join(refusals.messages(error)))
    else:
        messages.success(request, gettext("The list is no longer offered to them."))
    return redirect(reverse("backoffice:price-list", args=[price_list_id]) + "#assignments")


# --- promotions ----------------------------------------------------------------------------

RUNNING, UPCOMING, ENDED, INACTIVE = "running", "upcoming", "ended", "inactive"
STATES: dict[str, Any] = {
    RUNNING: _("Running"),
    UPCOMING: _("Upcoming"),
    ENDED: _("Ended"),
    INACTIVE: _("Inactive"),
}
KINDS: dict[str, Any] = {
    Promotion.Kind.PERCENT: _("Percent off"),
    Promotion.Kind.AMOUNT: _("Amount off each unit"),
}


def _state_filter(state: str, now: datetime) -> Q:
    """The promotions in `state` at `now`: a period includes its start, not its end."""
    return {
        RUNNING: Q(is_active=True, starts_at__lte=now, ends_at__gt=now),
        UPCOMING: Q(is_active=True, starts_at__gt=now),
        ENDED: Q(is_active=True, ends_at__lte=now),
        INACTIVE: Q(is_active=False),
    }.get(state, Q())


def state_of(promotion: Promotion, now: datetime) -> str:
    """Running, upcoming, ended or inactive at `now`."""
    if not promotion.is_active:
        return INACTIVE
    if promotion.starts_at > now:
        return UPCOMING
    return ENDED if promotion.ends_at <= now else RUNNING


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


def _promotion_form(tenant_id: int, data: Any = None, **kwargs: Any) -> PromotionForm:
    """The form with the tenant's categories and customer groups to choose (two queries)."""
    categories = catalog.categories(tenant_id).order_by("code").values_list("pk", "code", "name")
    groups = customers.customer_groups(tenant_id).order_by("name", "pk").values_list("pk", "name")
    return PromotionForm(
        data,
        categories=[(pk, f"{name} ({code})") for pk, code, name in categories],
        groups=[(pk, str(name)) for pk, name in groups],
        **kwargs,
    )


def _sku_ids(tenant_id: int, codes: list[str]) -> list[int]:
    """The ids of the SKUs named by code (one query). An unknown code gets an id no row has
    (negative, one per code) so that the promotion service reports it at its place."""
    found = dict(catalog.skus(tenant_id).filter(code__in=codes).values_list("code", "pk"))
    return [found.get(code, -(i + 1)) for i, code in enumerate(codes)]


_PROMOTION_FIELDS = {
    "category_ids": "categories",
    "sku_ids": "skus",
    "customer_group_ids": "customer_groups",
}


def _promotion_refusal(form: PromotionForm, codes: list[str], error: DomainError) -> None:
    """Each problem next to its field; a problem with one SKU names its code."""
    for problem in error.errors:
        message = refusals.message(problem)
        index = re.match(r"^sku_ids\[(\d+)\]", problem.field)
        if index and int(index.group(1)) < len(codes):
            message = f"{message} ({codes[int(index.group(1))]})"
        target = _PROMOTION_FIELDS.get(_field_of(problem), _field_of(problem))
        form.add_error(target if target in form.fields else None, message)
    if not error.errors:
        form.add_error(None, " ".join(refusals.messages(error)))


@require_GET
@staff_required
def promotions(request: StaffRequest) -> HttpResponse:
    """The tenant's promotions, newest first, by state (running, upcoming, ended,
    inactive), each with its value, period and what it targets."""
    tenant_id = request.staff.tenant_id
    state = request.GET.get("state") or ""
    if state not in STATES:
        state = ""
    now = timezone.now()
    qs = pricing.promotions(tenant_id).filter(_state_filter(state, now))
    before = int_param(request.GET.get("before"))
    if before:
        qs = qs.filter(pk__lt=before)
    found = list(qs.order_by("-pk")[: PROMOTIONS_PAGE_SIZE + 1])
    more = len(found) > PROMOTIONS_PAGE_SIZE
    found = found[:PROMOTIONS_PAGE_SIZE]
    rows = []
    for promotion in found:
        current = state_of(promotion, now)
        rows.append((promotion, current, STATES[current]))
    return render(
        request,
        "backoffice/promotions.html",
        {
            "rows": rows,
            "state": state,
            "states": list(STATES.items()),
            "next_before": found[-1].pk if more else None,
            "kinds": KINDS,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def new_promotion(request: StaffRequest) -> HttpResponseBase:
    """Create a promotion through `create_promotion`; its refusals next to the fields."""
    tenant_id = request.staff.tenant_id
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = _promotion_form(
        tenant_id,
        request.POST if request.method == "POST" else None,
        initial={"kind": Promotion.Kind.PERCENT, "starts_at": now},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        codes = data["skus"]
        targets = services.PromotionTargets(
            category_ids=data["categories"],
            sku_ids=_sku_ids(tenant_id, codes),
            customer_group_ids=data["customer_groups"],
        )
        try:
            created = _run(
                lambda: services.create_promotion(
                    tenant_id=tenant_id,
                    code=data["code"],
                    name=data["name"],
                    kind=data["kind"],
                    value=data["value"],
                    currency=data["currency"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    applies_to_contract_prices=data["applies_to_contract_prices"],
                    targets=targets,
                )
            )
        except DomainError as error:
            _promotion_refusal(form, codes, error)
        else:
            messages.success(
                request, gettext("Promotion %(code)s is created.") % {"code": created.code}
            )
            return redirect("backoffice:promotion", promotion_id=created.pk)
    return render(request, "backoffice/promotion.html", {"form": form, "promotion": None})


def _to_the_minute(moment: datetime) -> datetime:
    # The form shows and sends minutes: a start given to the second (by the API, say) that
    # staff left alone must not move by those seconds when they save something else.
    return timezone.localtime(moment).replace(second=0, microsecond=0)


def _unless_same(typed: datetime, stored: datetime) -> datetime | Unset:
    return UNSET if typed == _to_the_minute(stored) else typed


def _promotion(tenant_id: int, promotion_id: int) -> Promotion:
    try:
        return pricing.promotion(tenant_id, promotion_id)
    except NotFound as error:
        raise Http404 from error


def _initial(tenant_id: int, promotion: Promotion) -> dict[str, Any]:
    """The form's values from a promotion (one query: its SKUs' codes)."""
    sku_ids = [sku.pk for sku in promotion.skus.all()]
    codes = catalog.skus(tenant_id).filter(pk__in=sku_ids).order_by("code")
    return {
        "code": promotion.code,
        "name": promotion.name,
        "kind": promotion.kind,
        "value": format(promotion.value.normalize(), "f"),
        "currency": promotion.currency,
        "starts_at": _to_the_minute(promotion.starts_at),
        "ends_at": _to_the_minute(promotion.ends_at),
        "categories": [c.pk for c in promotion.categories.all()],
        "skus": "\n".join(codes.values_list("code", flat=True)),
        "customer_groups": [g.pk for g in promotion.customer_groups.all()],
        "applies_to_contract_prices": promotion.applies_to_contract_prices,
    }


@require_http_methods(["GET", "POST"])
@staff_required
def promotion(request: StaffRequest, promotion_id: int) -> HttpResponseBase:
    """One promotion: its state and the form to change it through `update_promotion`."""
    tenant_id = request.staff.tenant_id
    found = _promotion(tenant_id, promotion_id)
    form = _promotion_form(
        tenant_id,
        request.POST if request.method == "POST" else None,
        initial=_initial(tenant_id, found),
        existing=True,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        codes = data["skus"]
        sku_ids = _sku_ids(tenant_id, codes)
        try:
            _run(
                lambda: services.update_promotion(
                    tenant_id=tenant_id,
                    promotion_id=found.pk,
                    name=data["name"],
                    value=data["value"],
                    currency=data["currency"],
                    starts_at=_unless_same(data["starts_at"], found.starts_at),
                    ends_at=_unless_same(data["ends_at"], found.ends_at),
                    applies_to_contract_prices=data["applies_to_contract_prices"],
                    category_ids=data["categories"],
                    sku_ids=sku_ids,
                    customer_group_ids=data["customer_groups"],
                )
            )
        except DomainError as error:
            _promotion_refusal(form, codes, error)
        else:
            messages.success(request, gettext("The promotion is saved."))
            return redirect("backoffice:promotion", promotion_id=found.pk)
    current = state_of(found, timezone.now())
    return render(
        request,
        "backoffice/promotion.html",
        {
            "form": form,
            "promotion": found,
            "state": current,
            "state_label": STATES[current],
        },
    )


@require_POST
@staff_required
def deactivate_promotion(request: StaffRequest, promotion_id: int) -> HttpResponseBase:
    """End a promotion now: it lowers no price from here on; orders placed keep theirs."""
    tenant_id = request.staff.tenant_id
    try:
        _run(
            lambda: services.update_promotion(
                tenant_id=tenant_id, promotion_id=promotion_id, is_active=False
            )
        )
    except DomainError as error:
        messages.error(request, " ".join(refusals.messages(error)))
    else:
        messages.success(request, gettext("The promotion is deactivated."))
    return redirect("backoffice:promotion", promotion_id=promotion_id)
