"""Promotion pages: the tenant's promotions by state (running, upcoming, ended, inactive),
a promotion created, changed and deactivated.

Thin pages over `pricing.services` (`create_promotion`, `update_promotion`) and
`pricing.queries`, the code the API's pricing routes use: the form checks only the shape of
what was typed; whether a promotion's period is the right way round or its SKUs exist is the
service's call, and its refusals are shown next to the field they are about. The tenant always
comes from the signed-in staff member, so another tenant's ids find nothing (404).
"""

import re
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dinghuo.backoffice import changes, forms
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.params import int_param
from dinghuo.catalog import queries as catalog
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.core.writes import UNSET, Unset
from dinghuo.customers import queries as customers
from dinghuo.pricing import queries as pricing
from dinghuo.pricing import services
from dinghuo.pricing.models import Promotion

PROMOTIONS_PAGE_SIZE = 50

RUNNING, UPCOMING, ENDED, INACTIVE = "running", "upcoming", "ended", "inactive"
STATES: dict[str, Any] = {
    RUNNING: _("Running"),
    UPCOMING: _("Upcoming"),
    ENDED: _("Ended"),
    INACTIVE: _("Inactive"),
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


def _promotion_form(tenant_id: int, data: Any = None, **kwargs: Any) -> forms.PromotionForm:
    """The form with the tenant's categories and customer groups to choose (two queries)."""
    categories = catalog.categories(tenant_id).order_by("code").values_list("pk", "code", "name")
    groups = customers.customer_groups(tenant_id).order_by("name", "pk").values_list("pk", "name")
    return forms.PromotionForm(
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


def _promotion_refusal(form: forms.PromotionForm, codes: list[str], error: DomainError) -> None:
    """Each problem next to its field; a problem with one SKU names its code."""
    for problem in error.errors:
        message = refusals.message(problem)
        index = re.match(r"^sku_ids\[(\d+)\]", problem.field)
        if index and int(index.group(1)) < len(codes):
            message = f"{message} ({codes[int(index.group(1))]})"
        target = _PROMOTION_FIELDS.get(changes.field_of(problem), changes.field_of(problem))
        form.add_error(target if target in form.fields else None, message)
    if not error.errors:
        form.add_error(None, " ".join(refusals.messages(error)))


@require_GET
@staff_required(get="prices.view")
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
            "kinds": forms.KINDS,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required(get="prices.change", post="prices.change")
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
            created = changes.run(
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
@staff_required(get="prices.view", post="prices.change")
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
            changes.run(
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
@staff_required(post="prices.change")
def deactivate_promotion(request: StaffRequest, promotion_id: int) -> HttpResponseBase:
    """End a promotion now: it lowers no price from here on; orders placed keep theirs."""
    tenant_id = request.staff.tenant_id
    try:
        changes.run(
            lambda: services.update_promotion(
                tenant_id=tenant_id, promotion_id=promotion_id, is_active=False
            )
        )
    except DomainError as error:
        messages.error(request, " ".join(refusals.messages(error)))
    else:
        messages.success(request, gettext("The promotion is deactivated."))
    return redirect("backoffice:promotion", promotion_id=promotion_id)
