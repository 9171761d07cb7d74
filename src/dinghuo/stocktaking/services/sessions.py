"""Starting a count (its lines: every SKU in scope), sending it to review, back to counting,
and cancelling it."""

from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction
from django.db.models import Q

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Category, Sku
from dinghuo.core import clock
from dinghuo.core.errors import FieldError
from dinghuo.core.writes import refuse
from dinghuo.integrations import events
from dinghuo.inventory.models import StockLevel, Warehouse
from dinghuo.stocktaking.count_states import CountStatus
from dinghuo.stocktaking.models import CountLine, StockCount
from dinghuo.stocktaking.services.shared import acting_user, count_event, locked_count, move

MAX_NOTE = 200


def with_descendants(chosen: Iterable[int], parents: Mapping[int, int | None]) -> set[int]:
    """The chosen categories and every category below them (`parents`: id → parent id)."""
    found = set(chosen)
    grew = True
    while grew:
        below = {c for c, parent in parents.items() if parent in found and c not in found}
        found |= below
        grew = bool(below)
    return found


def scope_skus(tenant_id: int, warehouse_id: int, category_ids: set[int] | None) -> Q:
    """The SKUs a count covers: active ones, and any still holding stock in the warehouse;
    with categories, only those of products in them."""
    held = StockLevel.objects.filter(
        tenant_id=tenant_id, warehouse_id=warehouse_id, on_hand__gt=0
    ).values("sku_id")
    wanted = Q(tenant_id=tenant_id) & (Q(is_active=True, product__is_active=True) | Q(pk__in=held))
    if category_ids is not None:
        wanted &= Q(product__category_id__in=category_ids)
    return wanted


def covered_categories(count: StockCount) -> set[int] | None:
    """The categories a count covers (None: the whole warehouse)."""
    if count.scope == StockCount.Scope.WHOLE:
        return None
    parents = dict(
        Category.objects.filter(tenant_id=count.tenant_id).values_list("id", "parent_id")
    )
    return with_descendants(count.categories.values_list("id", flat=True), parents)


def _checked(
    tenant_id: int, warehouse_code: str, category_ids: Sequence[int], note: str
) -> tuple[Warehouse | None, list[Category]]:
    errors: list[FieldError] = []
    warehouse = Warehouse.objects.filter(tenant_id=tenant_id, code=warehouse_code).first()
    if warehouse is None:
        errors.append(
            FieldError("warehouse", "unknown_warehouse", f"No warehouse {warehouse_code}")
        )
    categories = list(Category.objects.filter(tenant_id=tenant_id, pk__in=set(category_ids)))
    if len(categories) != len(set(category_ids)):
        errors.append(FieldError("category_ids", "unknown_category", "No such category"))
    if len(note) > MAX_NOTE:
        errors.append(FieldError("note", "too_long", f"At most {MAX_NOTE} characters"))
    refuse(errors, "The count cannot start; see errors.")
    return warehouse, categories


@transaction.atomic
def start_count(
    *, tenant_id: int, warehouse_code: str, category_ids: Sequence[int] = (), note: str = ""
) -> StockCount:
    """Open a count of one warehouse: whole (no categories) or of chosen categories and the
    categories below them. It gets a line for every SKU in scope; SKUs added later join when
    counted. Records `stock_count.started`."""
    warehouse, categories = _checked(tenant_id, warehouse_code, category_ids, note.strip())
    assert warehouse is not None
    now = clock.now()
    count = StockCount.objects.create(
        tenant_id=tenant_id,
        warehouse=warehouse,
        scope=StockCount.Scope.CATEGORIES if categories else StockCount.Scope.WHOLE,
        note=note.strip(),
        started_by_id=acting_user(),
        created_at=now,
        updated_at=now,
    )
    count.categories.set(categories)
    scope = covered_categories(count)
    sku_ids = Sku.objects.filter(scope_skus(tenant_id, warehouse.pk, scope)).values_list(
        "id", flat=True
    )
    CountLine.objects.bulk_create(
        [CountLine(tenant_id=tenant_id, count=count, sku_id=sku_id) for sku_id in sku_ids]
    )
    audit.created(count)
    events.record(count_event(count, "stock_count.started", lines=len(sku_ids)))
    return count


@transaction.atomic
def submit_count(*, tenant_id: int, count_id: int) -> StockCount:
    """Counting is done: the count waits for review (409 `invalid_count_status` unless it is
    being counted). Lines not counted will not be adjusted."""
    count = locked_count(tenant_id, count_id)
    with audit.watching(count):
        move(count, CountStatus.IN_REVIEW, "go to review")
        count.save(update_fields=["status", "updated_at"])
    events.record(count_event(count, "stock_count.submitted"))
    return count


@transaction.atomic
def send_back(*, tenant_id: int, count_id: int, line_ids: Sequence[int] = ()) -> StockCount:
    """A reviewer sends a count back to counting; the named lines lose their count and must be
    counted again (422 `unknown_line` for a line not of this count)."""
    count = locked_count(tenant_id, count_id)
    lines = CountLine.objects.filter(count=count, pk__in=set(line_ids))
    if len(lines) != len(set(line_ids)):
        refuse([FieldError("line_ids", "unknown_line", "No such line in this count")], "Not sent")
    with audit.watching(count):
        move(count, CountStatus.COUNTING, "go back to counting")
        count.save(update_fields=["status", "updated_at"])
    cleared = lines.update(counted=None, on_hand_at_count=None, counted_at=None, counted_by=None)
    if line_ids:
        audit.wrote(count, "changed", before={"recount": []}, after={"recount": sorted(line_ids)})
    events.record(count_event(count, "stock_count.sent_back", recount=cleared))
    return count


@transaction.atomic
def cancel_count(*, tenant_id: int, count_id: int) -> StockCount:
    """Drop a count that was not posted: stock stays as it is."""
    count = locked_count(tenant_id, count_id)
    with audit.watching(count):
        move(count, CountStatus.CANCELLED, "be cancelled")
        count.save(update_fields=["status", "updated_at"])
    events.record(count_event(count, "stock_count.cancelled"))
    return count
