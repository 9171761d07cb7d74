"""A counter types what is on the shelf for one SKU (blind: the expected quantity is never
shown). The line records, in the same transaction, the on-hand quantity of its stock level
at that moment (`count_rules`): a recount replaces both."""

from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Sku
from dinghuo.core import clock
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.integrations import events
from dinghuo.inventory.models import StockLevel
from dinghuo.inventory.services import MAX_STOCK_QUANTITY
from dinghuo.stocktaking import count_states
from dinghuo.stocktaking.count_states import CountStatus
from dinghuo.stocktaking.models import CountLine, StockCount
from dinghuo.stocktaking.services.sessions import covered_categories, scope_skus
from dinghuo.stocktaking.services.shared import (
    acting_user,
    count_event,
    locked_count,
    refuse_status,
)


def _refused(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        "The count is not valid; see errors.", errors=[FieldError(field, code, message)]
    )


def _line_for(count: StockCount, sku_code: str) -> CountLine:
    """The count's line of this SKU (by code, as the seller writes it, case-blind); a SKU in
    scope that joined the catalogue after the count started gets its line now. 422
    `unknown_sku`, or `sku_out_of_scope` for a SKU the count does not cover."""
    code = sku_code.strip()
    line = (
        CountLine.objects.filter(count=count, sku__code__iexact=code).select_related("sku").first()
    )
    if line is not None:
        return line
    sku = Sku.objects.filter(tenant_id=count.tenant_id, code__iexact=code).first()
    if sku is None:
        raise _refused("sku", "unknown_sku", f"No SKU {code}")
    in_scope = scope_skus(count.tenant_id, count.warehouse_id, covered_categories(count))
    if not Sku.objects.filter(in_scope, pk=sku.pk).exists():
        raise _refused("sku", "sku_out_of_scope", f"{sku.code} is not in this count")
    line, _ = CountLine.objects.get_or_create(count=count, sku=sku, tenant_id=count.tenant_id)
    line.sku = sku
    return line


def on_hand_now(count: StockCount, sku_id: int) -> int:
    """What the ledger says is in the warehouse now (0 where the SKU never was)."""
    found = StockLevel.objects.filter(
        tenant_id=count.tenant_id, warehouse_id=count.warehouse_id, sku_id=sku_id
    ).values_list("on_hand", flat=True)
    return next(iter(found), 0)


@transaction.atomic
def record_count(*, tenant_id: int, count_id: int, sku_code: str, counted: int) -> CountLine:
    """Record what was found of one SKU (0 or more units): 422 `count_negative` below zero,
    `unknown_sku`, `sku_out_of_scope`; 409 `invalid_count_status` once the count is in
    review, posted or cancelled. The first count moves an open count to counting."""
    if counted < 0:
        raise _refused("counted", "count_negative", "A count cannot be below zero")
    if counted > MAX_STOCK_QUANTITY:
        raise _refused("counted", "quantity_too_large", f"At most {MAX_STOCK_QUANTITY} units")
    count = locked_count(tenant_id, count_id)
    if not count_states.may_count(count.status):
        raise refuse_status(count, "be counted")
    line = _line_for(count, sku_code)
    with audit.watching(line):
        line.counted = counted
        line.on_hand_at_count = on_hand_now(count, line.sku_id)
        line.counted_at = clock.now()
        line.counted_by_id = acting_user()
        line.save(update_fields=["counted", "on_hand_at_count", "counted_at", "counted_by"])
    if count.status == CountStatus.OPEN:
        with audit.watching(count):
            count.status = CountStatus.COUNTING
            count.updated_at = clock.now()
            count.save(update_fields=["status", "updated_at"])
        events.record(count_event(count, "stock_count.counting"))
    else:
        StockCount.objects.filter(pk=count.pk).update(updated_at=clock.now())
    return line
