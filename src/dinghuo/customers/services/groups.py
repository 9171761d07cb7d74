"""Customer groups: segments of companies that price lists and rules address. Their events
are on the group (aggregate "customer_group")."""

from typing import Any

from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.core.errors import Conflict
from dinghuo.core.writes import UNSET, Unset, field_conflict, locked_tenant_row, saved_or_conflict
from dinghuo.customers.models import CustomerGroup
from dinghuo.integrations import events
from dinghuo.integrations.models import Event


def _group_code_taken(code: str) -> Conflict:
    return field_conflict(
        "code", "customer_group_code_taken", f"Another customer group has code {code}"
    )


def _group_event(group: CustomerGroup, type: str, payload: dict[str, Any]) -> Event:
    return events.new(group.tenant_id, type, "customer_group", group.pk, payload)


@transaction.atomic
def create_customer_group(*, tenant_id: int, code: str, name: str) -> CustomerGroup:
    """A segment of companies (dealers, key accounts…) that price lists and rules address.

    The code is unique in the tenant (409 `customer_group_code_taken`)."""
    if CustomerGroup.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise _group_code_taken(code)
    with saved_or_conflict(_group_code_taken(code)):
        group = CustomerGroup.objects.create(tenant_id=tenant_id, code=code, name=name)
    audit.created(group)
    payload = {"code": group.code, "name": group.name}
    events.record(_group_event(group, "customer_group.created", payload))
    return group


@transaction.atomic
def update_customer_group(
    *,
    tenant_id: int,
    group_id: int,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
) -> CustomerGroup:
    """Change the code or the name of a group (UNSET leaves it); its members stay."""
    group = locked_tenant_row(
        CustomerGroup.objects.all(), tenant_id, group_id, f"No customer group {group_id}."
    )
    wanted: dict[str, Any] = {"code": code, "name": name}
    changed = [f for f, v in wanted.items() if v is not UNSET and v != getattr(group, f)]
    if not changed:
        return group
    before = audit.snapshot(group)
    for field in changed:
        setattr(group, field, wanted[field])
    if (
        "code" in changed
        and CustomerGroup.objects.filter(tenant_id=tenant_id, code=group.code).exists()
    ):
        raise _group_code_taken(group.code)
    with saved_or_conflict(_group_code_taken(group.code)):
        group.save(update_fields=changed)
    audit.changed(group, before)
    payload = {"code": group.code, "name": group.name, "changed": changed}
    events.record(_group_event(group, "customer_group.updated", payload))
    return group
