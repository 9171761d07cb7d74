"""Who a price list is offered to: assign it to a company or a customer group at a priority,
change that priority, stop offering it. Each is one transaction on the locked price list that
records its event on the list; a refusal changes nothing."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from dinghuo.audit import services as audit
from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.core.writes import locked_tenant_row, refuse, saved_or_conflict
from dinghuo.customers.models import Company, CustomerGroup
from dinghuo.integrations import events
from dinghuo.pricing.models import PriceList, PriceListAssignment
from dinghuo.pricing.services.shared import locked_price_list


def _assignment_payload(assignment: PriceListAssignment, price_list: PriceList) -> dict[str, Any]:
    return {
        "price_list": price_list.code,
        "assignment_id": assignment.pk,
        "company_id": assignment.company_id,
        "customer_group_id": assignment.customer_group_id,
        "priority": assignment.priority,
    }


def _offerable_to_company(
    tenant_id: int, price_list: PriceList, company_id: int
) -> QuerySet[PriceListAssignment]:
    """Refuse a company that is unknown or that buys in another currency or from another
    seller; else the assignments of the list to it (to look for one already there)."""
    company = (
        Company.objects.filter(tenant_id=tenant_id, pk=company_id)
        .values_list("price_list__currency", "price_list__seller_id")
        .first()
    )
    if company is None:
        refuse([FieldError("company_id", "unknown_company", f"No company {company_id}")], "")
    assert company is not None
    errors = []
    if company[0] != price_list.currency:
        errors.append(
            FieldError(
                "company_id",
                "currency_mismatch",
                f"The company buys in {company[0]}; the list is in {price_list.currency}",
            )
        )
    if company[1] != price_list.seller_id:
        errors.append(
            FieldError("company_id", "seller_mismatch", "The company buys from another seller")
        )
    refuse(errors, "The list cannot be offered to this company; see errors.")
    return PriceListAssignment.objects.filter(price_list=price_list, company_id=company_id)


def _offerable_to_group(
    tenant_id: int, price_list: PriceList, customer_group_id: int | None
) -> QuerySet[PriceListAssignment]:
    """Refuse an unknown customer group; else the assignments of the list to it."""
    group = CustomerGroup.objects.filter(tenant_id=tenant_id, pk=customer_group_id or 0)
    if not group.exists():
        refuse(
            [
                FieldError(
                    "customer_group_id",
                    "unknown_customer_group",
                    f"No customer group {customer_group_id}",
                )
            ],
            "Unknown customer group.",
        )
    return PriceListAssignment.objects.filter(
        price_list=price_list, customer_group_id=customer_group_id
    )


def _already_assigned(field: str, existing: int | None) -> Conflict:
    """409 `already_assigned`, naming the assignment that offers the list to them already."""
    return Conflict(
        "The list is already offered to them; change that assignment's priority instead.",
        code="already_assigned",
        errors=[
            FieldError(
                field,
                "already_assigned",
                f"Assignment {existing} already offers the list",
                {"assignment_id": existing},
            )
        ],
    )


@transaction.atomic
def assign_price_list(
    *,
    tenant_id: int,
    price_list_id: int,
    company_id: int | None = None,
    customer_group_id: int | None = None,
    priority: int = 0,
) -> PriceListAssignment:
    """Offer the list to one company or to every company of a customer group, at `priority`
    (higher first; see `pricing/resolution.py`).

    Exactly one of company and group (`company_or_group`); the company must buy in the list's
    currency (`currency_mismatch`) from its seller (`seller_mismatch`); a list is offered to
    the same company or group once (409 `already_assigned`).
    """
    price_list = locked_price_list(tenant_id, price_list_id)
    if (company_id is None) == (customer_group_id is None):
        raise ValidationFailed(
            "Assign the list to a company or to a customer group.",
            errors=[
                FieldError("company_id", "company_or_group", "Give company_id or customer_group_id")
            ],
        )
    if company_id is not None:
        taken_by = _offerable_to_company(tenant_id, price_list, company_id)
    else:
        taken_by = _offerable_to_group(tenant_id, price_list, customer_group_id)
    existing = taken_by.values_list("pk", flat=True).first()
    already = _already_assigned(
        "company_id" if company_id is not None else "customer_group_id", existing
    )
    if existing is not None:
        raise already
    with saved_or_conflict(already):
        assignment = PriceListAssignment.objects.create(
            tenant_id=tenant_id,
            price_list=price_list,
            company_id=company_id,
            customer_group_id=customer_group_id,
            priority=priority,
        )
    audit.created(assignment)
    events.record(
        events.new(
            price_list.tenant_id,
            "price_list.assigned",
            "price_list",
            price_list.pk,
            _assignment_payload(assignment, price_list),
        )
    )
    return assignment


def _locked_assignment(
    tenant_id: int, price_list_id: int, assignment_id: int
) -> tuple[PriceList, PriceListAssignment]:
    """The price list, then its assignment, both locked (the fixed order)."""
    price_list = locked_price_list(tenant_id, price_list_id)
    assignment = locked_tenant_row(
        PriceListAssignment.objects.filter(price_list=price_list),
        tenant_id,
        assignment_id,
        f"No assignment {assignment_id} of price list {price_list_id}.",
    )
    return price_list, assignment


@transaction.atomic
def change_assignment(
    *, tenant_id: int, price_list_id: int, assignment_id: int, priority: int
) -> PriceListAssignment:
    """Change the priority at which the list is offered; the same priority changes nothing."""
    price_list, assignment = _locked_assignment(tenant_id, price_list_id, assignment_id)
    if assignment.priority != priority:
        before = audit.snapshot(assignment)
        assignment.priority = priority
        assignment.save(update_fields=["priority"])
        audit.changed(assignment, before)
        payload = _assignment_payload(assignment, price_list)
        events.record(
            events.new(
                price_list.tenant_id,
                "price_list.assignment_changed",
                "price_list",
                price_list.pk,
                payload,
            )
        )
    return assignment


@transaction.atomic
def remove_assignment(*, tenant_id: int, price_list_id: int, assignment_id: int) -> None:
    """Stop offering the list to that company or group; orders placed keep their prices."""
    price_list, assignment = _locked_assignment(tenant_id, price_list_id, assignment_id)
    payload = _assignment_payload(assignment, price_list)
    audit.deleted(assignment)
    assignment.delete()
    events.record(
        events.new(
            price_list.tenant_id, "price_list.unassigned", "price_list", price_list.pk, payload
        )
    )
