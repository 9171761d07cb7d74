"""Suppliers, what they supply (supplier items with cost tiers, lead time, minimum order,
pack size, the preferred supplier of a SKU), reorder rules and the purchasing policy:
master data, each write recorded in the audit log and as an event."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Sku
from dinghuo.core.errors import FieldError
from dinghuo.core.money import is_currency
from dinghuo.core.writes import field_conflict, locked_tenant_row, saved_or_conflict
from dinghuo.integrations import events
from dinghuo.inventory.models import Warehouse
from dinghuo.purchasing.models import PurchasingPolicy, ReorderRule, Supplier, SupplierItem
from dinghuo.purchasing.services.shared import MAX_UNITS, cost_errors, refuse_all

SUPPLIER_FIELDS = (
    "code",
    "name",
    "currency",
    "contact_name",
    "contact_email",
    "contact_phone",
    "is_active",
)
ITEM_FIELDS = (
    "supplier_code",
    "cost_tiers",
    "lead_time_days",
    "minimum_order_quantity",
    "pack_size",
    "is_preferred",
)


def _event(row: Any, type: str, aggregate: str, payload: dict[str, Any]) -> Any:
    return events.new(row.tenant_id, type, aggregate, row.pk, payload)


def _code_taken(code: str) -> Any:
    return field_conflict("code", "supplier_code_taken", f"Another supplier has code {code}")


def _supplier_errors(fields: dict[str, Any]) -> list[FieldError]:
    errors = []
    if "currency" in fields and not is_currency(fields["currency"]):
        errors.append(FieldError("currency", "unknown_currency", "An ISO 4217 currency code"))
    if fields.get("contact_email"):
        try:
            validate_email(fields["contact_email"])
        except DjangoValidationError:
            errors.append(FieldError("contact_email", "invalid_email", "Not an email address"))
    return errors


@transaction.atomic
def create_supplier(*, tenant_id: int, **fields: Any) -> Supplier:
    """A supplier company with its contact; the code is unique in the tenant (409
    `supplier_code_taken`), the currency an ISO 4217 code (422 `unknown_currency`)."""
    refuse_all(_supplier_errors(fields), "The supplier is not valid; see errors.")
    if Supplier.objects.filter(tenant_id=tenant_id, code=fields["code"]).exists():
        raise _code_taken(fields["code"])
    with saved_or_conflict(_code_taken(fields["code"])):
        supplier = Supplier.objects.create(tenant_id=tenant_id, **fields)
    audit.created(supplier)
    events.record(_event(supplier, "supplier.created", "supplier", {"code": supplier.code}))
    return supplier


@transaction.atomic
def update_supplier(*, tenant_id: int, supplier_id: int, **fields: Any) -> Supplier:
    """Change what `fields` gives of a supplier (its POs keep their currency)."""
    supplier = locked_tenant_row(
        Supplier.objects.all(), tenant_id, supplier_id, f"No supplier {supplier_id}."
    )
    refuse_all(_supplier_errors(fields), "The supplier is not valid; see errors.")
    changed = [f for f in SUPPLIER_FIELDS if f in fields and fields[f] != getattr(supplier, f)]
    if not changed:
        return supplier
    if (
        "code" in changed
        and Supplier.objects.filter(tenant_id=tenant_id, code=fields["code"]).exists()
    ):
        raise _code_taken(fields["code"])
    before = audit.snapshot(supplier)
    for name in changed:
        setattr(supplier, name, fields[name])
    with saved_or_conflict(_code_taken(supplier.code)):
        supplier.save(update_fields=changed)
    audit.changed(supplier, before)
    events.record(_event(supplier, "supplier.updated", "supplier", {"changed": changed}))
    return supplier


def tier_errors(tiers: list[dict[str, Any]]) -> list[FieldError]:
    """Cost tiers: the first from 1 unit, minimum quantities rising, costs valid."""
    if not tiers:
        return [FieldError("cost_tiers", "invalid_tiers", "Give at least the cost from 1 unit")]
    errors: list[FieldError] = []
    last = 0
    for i, tier in enumerate(tiers):
        at = f"cost_tiers[{i}]"
        minimum = tier.get("min_quantity")
        if not isinstance(minimum, int) or minimum <= last or minimum > MAX_UNITS:
            errors.append(FieldError(f"{at}.min_quantity", "invalid_tiers", "Rising, from 1"))
        elif i == 0 and minimum != 1:
            errors.append(FieldError(f"{at}.min_quantity", "invalid_tiers", "The first is 1"))
        else:
            last = minimum
        try:
            errors += cost_errors(f"{at}.unit_cost", Decimal(str(tier.get("unit_cost"))))
        except InvalidOperation:
            errors.append(FieldError(f"{at}.unit_cost", "invalid_cost", "A decimal number"))
    return errors


def _item_errors(fields: dict[str, Any]) -> list[FieldError]:
    errors = tier_errors(fields["cost_tiers"]) if "cost_tiers" in fields else []
    for name in ("minimum_order_quantity", "pack_size"):
        if name in fields and not 1 <= fields[name] <= MAX_UNITS:
            errors.append(FieldError(name, "must_be_positive", "At least 1"))
    if "lead_time_days" in fields and not 0 <= fields["lead_time_days"] <= 3650:
        errors.append(FieldError("lead_time_days", "invalid_lead_time", "0 to 3650 days"))
    return errors


def _drop_other_preferred(item: SupplierItem) -> None:
    """One preferred supplier per SKU: making this one preferred unmarks the other."""
    others = SupplierItem.objects.select_for_update().filter(
        tenant_id=item.tenant_id, sku_id=item.sku_id, is_preferred=True
    )
    for other in others.exclude(pk=item.pk):
        before = audit.snapshot(other)
        other.is_preferred = False
        other.save(update_fields=["is_preferred"])
        audit.changed(other, before)


def _plain_tiers(tiers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"min_quantity": t["min_quantity"], "unit_cost": str(Decimal(str(t["unit_cost"])))}
        for t in tiers
    ]


@transaction.atomic
def create_supplier_item(
    *, tenant_id: int, supplier_id: int, sku_id: int, **fields: Any
) -> SupplierItem:
    """What a supplier sells of a SKU. One per supplier and SKU (409
    `supplier_item_exists`); the preferred one replaces any other preferred supplier."""
    supplier = locked_tenant_row(
        Supplier.objects.all(), tenant_id, supplier_id, f"No supplier {supplier_id}."
    )
    errors = _item_errors(fields)
    if not Sku.objects.filter(tenant_id=tenant_id, pk=sku_id).exists():
        errors.append(FieldError("sku_id", "unknown_sku", f"No SKU {sku_id}"))
    refuse_all(errors, "The supplier item is not valid; see errors.")
    exists = field_conflict("sku_id", "supplier_item_exists", "This supplier has the SKU already")
    if SupplierItem.objects.filter(supplier=supplier, sku_id=sku_id).exists():
        raise exists
    fields["cost_tiers"] = _plain_tiers(fields.get("cost_tiers", []))
    item = SupplierItem(tenant_id=tenant_id, supplier=supplier, sku_id=sku_id, **fields)
    if item.is_preferred:
        _drop_other_preferred(item)
    with saved_or_conflict(exists):
        item.save()
    audit.created(item)
    events.record(_event(item, "supplier_item.created", "supplier_item", {"sku_id": sku_id}))
    return item


@transaction.atomic
def update_supplier_item(*, tenant_id: int, item_id: int, **fields: Any) -> SupplierItem:
    """Change what `fields` gives of a supplier item."""
    item = locked_tenant_row(
        SupplierItem.objects.all(), tenant_id, item_id, f"No supplier item {item_id}."
    )
    refuse_all(_item_errors(fields), "The supplier item is not valid; see errors.")
    if "cost_tiers" in fields:
        fields["cost_tiers"] = _plain_tiers(fields["cost_tiers"])
    changed = [f for f in ITEM_FIELDS if f in fields and fields[f] != getattr(item, f)]
    if not changed:
        return item
    before = audit.snapshot(item)
    for name in changed:
        setattr(item, name, fields[name])
    if item.is_preferred and "is_preferred" in changed:
        _drop_other_preferred(item)
    item.save(update_fields=changed)
    audit.changed(item, before)
    events.record(_event(item, "supplier_item.updated", "supplier_item", {"changed": changed}))
    return item


def _rule_errors(point: int, quantity: int) -> list[FieldError]:
    errors = []
    if not 0 <= point <= MAX_UNITS:
        errors.append(FieldError("reorder_point", "invalid_reorder_point", "0 or more units"))
    if not 1 <= quantity <= MAX_UNITS:
        errors.append(FieldError("reorder_quantity", "must_be_positive", "At least 1"))
    return errors


@transaction.atomic
def set_reorder_rule(
    *, tenant_id: int, sku_id: int, warehouse_id: int, reorder_point: int, reorder_quantity: int
) -> ReorderRule:
    """The reorder point and quantity of a SKU in a warehouse, created or replaced."""
    errors = _rule_errors(reorder_point, reorder_quantity)
    if not Sku.objects.filter(tenant_id=tenant_id, pk=sku_id).exists():
        errors.append(FieldError("sku_id", "unknown_sku", f"No SKU {sku_id}"))
    if not Warehouse.objects.filter(tenant_id=tenant_id, pk=warehouse_id).exists():
        errors.append(FieldError("warehouse_id", "unknown_warehouse", "No such warehouse"))
    refuse_all(errors, "The reorder rule is not valid; see errors.")
    rule = (
        ReorderRule.objects.select_for_update()
        .filter(tenant_id=tenant_id, sku_id=sku_id, warehouse_id=warehouse_id)
        .first()
    )
    if rule is None:
        taken = field_conflict("sku_id", "reorder_rule_exists", "Set at the same moment")
        with saved_or_conflict(taken):
            rule = ReorderRule.objects.create(
                tenant_id=tenant_id,
                sku_id=sku_id,
                warehouse_id=warehouse_id,
                reorder_point=reorder_point,
                reorder_quantity=reorder_quantity,
            )
        audit.created(rule)
    else:
        before = audit.snapshot(rule)
        rule.reorder_point, rule.reorder_quantity = reorder_point, reorder_quantity
        rule.save(update_fields=["reorder_point", "reorder_quantity"])
        audit.changed(rule, before)
    payload = {
        "sku_id": sku_id,
        "warehouse_id": warehouse_id,
        "reorder_point": reorder_point,
        "reorder_quantity": reorder_quantity,
    }
    events.record(_event(rule, "reorder_rule.set", "reorder_rule", payload))
    return rule


@transaction.atomic
def delete_reorder_rule(*, tenant_id: int, rule_id: int) -> None:
    """The SKU is no longer reordered for that warehouse."""
    rule = locked_tenant_row(
        ReorderRule.objects.all(), tenant_id, rule_id, f"No reorder rule {rule_id}."
    )
    audit.deleted(rule)
    events.record(_event(rule, "reorder_rule.deleted", "reorder_rule", {"sku_id": rule.sku_id}))
    rule.delete()


@transaction.atomic
def set_purchasing_policy(
    *,
    tenant_id: int,
    approval_limit: Decimal | None,
    over_delivery_percent: Decimal,
    demand_window_days: int,
) -> PurchasingPolicy:
    """The approval limit (None: every PO approves on submit), the over-delivery tolerance
    (0–100 %) and the forecast's window (1–365 days)."""
    errors = []
    if approval_limit is not None:
        errors += [
            FieldError("approval_limit", e.code, e.message)
            for e in cost_errors("approval_limit", approval_limit)
        ]
    if not 0 <= over_delivery_percent <= 100:
        errors.append(FieldError("over_delivery_percent", "invalid_purchasing_policy", "0 to 100"))
    if not 1 <= demand_window_days <= 365:
        errors.append(
            FieldError("demand_window_days", "invalid_purchasing_policy", "1 to 365 days")
        )
    refuse_all(errors, "The purchasing policy is not valid; see errors.")
    PurchasingPolicy.objects.bulk_create(
        [PurchasingPolicy(tenant_id=tenant_id)], ignore_conflicts=True
    )
    row = PurchasingPolicy.objects.select_for_update().get(tenant_id=tenant_id)
    before = audit.snapshot(row)
    row.approval_limit = approval_limit
    row.over_delivery_percent = over_delivery_percent
    row.demand_window_days = demand_window_days
    row.save()
    audit.changed(row, before)
    return row
