"""Who a price list is offered to: a company or a customer group, at a priority; the priority
changed; the offer withdrawn.

Thin pages over `pricing.services` (`assign_price_list`, `change_assignment`,
`remove_assignment`), the code the API's pricing routes use; a refusal is shown next to the
field it is about on the price list's page. The tenant always comes from the signed-in staff
member, so another tenant's ids find nothing (404).
"""

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from dinghuo.backoffice import changes, forms
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.views_price_lists import (
    assign_form_for,
    price_list_or_404,
    price_list_page,
)
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError
from dinghuo.pricing import services


@require_POST
@staff_required(post="prices.change")
def assign(request: StaffRequest, price_list_id: int) -> HttpResponseBase:
    """Offer the list to a company or a customer group at a priority (`assign_price_list`:
    the company must buy in the list's currency from its seller; once per company or
    group)."""
    tenant_id = request.staff.tenant_id
    found = price_list_or_404(tenant_id, price_list_id)
    form = assign_form_for(tenant_id, request.POST)
    chosen = form.chosen(tenant_id) if form.is_valid() else None
    if chosen is not None:
        company_id, group_id = chosen
        priority = form.cleaned_data["priority"]
        try:
            changes.run(
                lambda: services.assign_price_list(
                    tenant_id=tenant_id,
                    price_list_id=found.pk,
                    company_id=company_id,
                    customer_group_id=group_id,
                    priority=priority,
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, lambda _problem: "target")
        else:
            messages.success(request, gettext("The list is offered to them."))
            return redirect(reverse("backoffice:price-list", args=[found.pk]) + "#assignments")
    return price_list_page(request, found, assign_form=form)


@require_POST
@staff_required(post="prices.change")
def change_priority(
    request: StaffRequest, price_list_id: int, assignment_id: int
) -> HttpResponseBase:
    """Change the priority at which the list is offered to that company or group
    (`change_assignment`); a bad number is shown next to that row's field."""
    tenant_id = request.staff.tenant_id
    found = price_list_or_404(tenant_id, price_list_id)
    form = forms.PriorityForm(request.POST)
    if form.is_valid():
        priority = form.cleaned_data["priority"]
        try:
            changes.run(
                lambda: services.change_assignment(
                    tenant_id=tenant_id,
                    price_list_id=found.pk,
                    assignment_id=assignment_id,
                    priority=priority,
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, lambda _problem: "priority")
        else:
            messages.success(request, gettext("The priority is changed."))
            return redirect(reverse("backoffice:price-list", args=[found.pk]) + "#assignments")
    return price_list_page(request, found, priority_form=(assignment_id, form))


@require_POST
@staff_required(post="prices.change")
def remove_assignment(
    request: StaffRequest, price_list_id: int, assignment_id: int
) -> HttpResponseBase:
    """Stop offering the list to that company or group; orders placed keep their prices."""
    tenant_id = request.staff.tenant_id
    try:
        changes.run(
            lambda: services.remove_assignment(
                tenant_id=tenant_id, price_list_id=price_list_id, assignment_id=assignment_id
            )
        )
    except DomainError as error:
        messages.error(request, " ".join(refusals.messages(error)))
    else:
        messages.success(request, gettext("The list is no longer offered to them."))
    return redirect(reverse("backoffice:price-list", args=[price_list_id]) + "#assignments")
