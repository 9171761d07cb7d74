"""Warehouses: created and changed by staff; orders reserve from lower `priority` numbers
first, and an inactive warehouse takes no new reservations."""

from django.db import IntegrityError, transaction

from dinghuo.audit import services as audit
from dinghuo.core.errors import Conflict, FieldError
from dinghuo.core.writes import locked_tenant_row, refuse
from dinghuo.integrations import events
from dinghuo.inventory.models import Warehouse

MAX_WAREHOUSE_PRIORITY = 32_767  # the column is a PositiveSmallIntegerField


def _warehouse_input_errors(code: str | None, priority: int | None) -> list[FieldError]:
    errors = []
    if code is not None and not (
        0 < len(code) <= 32 and all(c.isascii() and (c.isalnum() or c in "-_") for c in code)
    ):
        errors.append(
            FieldError("code", "invalid_code", "1–32 letters, digits, hyphens or underscores")
        )
    if priority is not None and not 0 <= priority <= MAX_WAREHOUSE_PRIORITY:
        errors.append(
            FieldError("priority", "invalid_priority", f"From 0 to {MAX_WAREHOUSE_PRIORITY}")
        )
    return errors


def _code_taken(code: str) -> Conflict:
    message = f"Another warehouse has code {code}"
    return Conflict(
        message,
        code="warehouse_code_taken",
        errors=[FieldError("code", "warehouse_code_taken", message)],
    )


def _save_unique_code(warehouse: Warehouse, update_fields: list[str] | None = None) -> None:
    """Save a warehouse whose code was checked; a concurrent request that took it first wins."""
    others = Warehouse.objects.filter(tenant_id=warehouse.tenant_id, code=warehouse.code)
    if others.exclude(pk=warehouse.pk).exists():
        raise _code_taken(warehouse.code)
    try:
        with transaction.atomic():
            warehouse.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise _code_taken(warehouse.code) from exc


def _warehouse_payload(warehouse: Warehouse) -> dict[str, object]:
    return {
        "warehouse": warehouse.code,
        "name": warehouse.name,
        "priority": warehouse.priority,
        "is_active": warehouse.is_active,
        "address": warehouse.address,
    }


@transaction.atomic
def create_warehouse(
    *, tenant_id: int, code: str, name: str, priority: int = 100, address: str = ""
) -> Warehouse:
    """A new warehouse; orders reserve from lower `priority` numbers first."""
    refuse(_warehouse_input_errors(code, priority), "The warehouse is not valid.")
    warehouse = Warehouse(
        tenant_id=tenant_id, code=code, name=name, priority=priority, address=address
    )
    _save_unique_code(warehouse)
    audit.created(warehouse)
    events.record(
        events.new(
            tenant_id, "warehouse.created", "warehouse", warehouse.pk, _warehouse_payload(warehouse)
        )
    )
    return warehouse


@transaction.atomic
def update_warehouse(
    *,
    tenant_id: int,
    warehouse_id: int,
    code: str | None = None,
    name: str | None = None,
    priority: int | None = None,
    is_active: bool | None = None,
    address: str | None = None,
) -> Warehouse:
    """Change what is given (None leaves a field as it is).

    An inactive warehouse takes no new reservations; what it already holds for orders still
    ships from it, and its stock can still be received and adjusted.
    """
    warehouse = locked_tenant_row(
        Warehouse.objects.all(), tenant_id, warehouse_id, f"No warehouse {warehouse_id}."
    )
    refuse(_warehouse_input_errors(code, priority), "The warehouse is not valid.")
    wanted = {
        "code": code,
        "name": name,
        "priority": priority,
        "is_active": is_active,
        "address": address,
    }
    changed = [f for f, v in wanted.items() if v is not None and v != getattr(warehouse, f)]
    if changed:
        before = audit.snapshot(warehouse)
        for field in changed:
            setattr(warehouse, field, wanted[field])
        _save_unique_code(warehouse, changed)
        audit.changed(warehouse, before)
        payload = {**_warehouse_payload(warehouse), "changed": changed}
        events.record(
            events.new(tenant_id, "warehouse.updated", "warehouse", warehouse.pk, payload)
        )
    return warehouse
