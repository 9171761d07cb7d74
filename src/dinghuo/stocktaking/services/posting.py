"""Posting a reviewed count: every variance becomes a stock adjustment (reason "stock count",
reference the count's), all in one transaction or none (`count_rules`)."""

from collections import defaultdict

from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.core import clock
from dinghuo.core.errors import DomainError, FieldError
from dinghuo.integrations import events
from dinghuo.inventory import services as stock
from dinghuo.orders import services as orders
from dinghuo.stocktaking import count_rules
from dinghuo.stocktaking.count_states import CountStatus
from dinghuo.stocktaking.models import CountLine, StockCount
from dinghuo.stocktaking.services.shared import count_event, locked_count, move

COUNT_REASON = "stock count"


def _adjustment_lines(count: StockCount) -> tuple[dict[str, list[stock.StockLine]], set[int]]:
    """The adjustments of a count's variances, by seller, in SKU order; the SKUs found more
    of than the ledger said."""
    lines = (
        CountLine.objects.filter(count=count, counted__isnull=False)
        .order_by("sku_id")
        .values_list("sku_id", "sku__code", "sku__seller__slug", "counted", "on_hand_at_count")
    )
    by_seller: dict[str, list[stock.StockLine]] = defaultdict(list)
    found: set[int] = set()
    for sku_id, code, seller, counted, on_hand in lines:
        assert counted is not None and on_hand is not None  # counted lines have both
        delta = count_rules.variance(count_rules.Counted(counted, on_hand))
        if delta > 0:
            found.add(sku_id)
        if delta:
            by_seller[seller].append(
                stock.StockLine(code, count.warehouse.code, delta, COUNT_REASON, count.reference)
            )
    return by_seller, found


def _adjust(tenant_id: int, by_seller: dict[str, list[stock.StockLine]]) -> None:
    """Adjust every seller's lines; a refusal names the SKU (`lines[A-1].counted`)."""
    for seller, lines in by_seller.items():
        try:
            stock.adjust_many(tenant_id=tenant_id, lines=lines, seller_slug=seller)
        except DomainError as refused:
            raise _naming_skus(refused, lines) from refused


def _naming_skus(refused: DomainError, lines: list[stock.StockLine]) -> DomainError:
    """The same refusal with each problem naming its SKU instead of a line number."""
    problems = []
    for problem in refused.errors:
        where = problem.field.removeprefix("lines[").split("]")[0]
        named = lines[int(where)].sku if where.isdigit() else problem.field
        problems.append(
            FieldError(f"lines[{named}].counted", problem.code, f"{named}: {problem.message}")
        )
    return type(refused)(refused.detail, code=refused.code, errors=problems, status=refused.status)


@transaction.atomic
def post_count(*, tenant_id: int, count_id: int) -> StockCount:
    """Adjust stock by every counted line's variance (counted − on hand when counted), so that
    what moved since is kept; lines not counted and lines that match are left alone. Units
    found serve waiting backorders first. 409 `invalid_count_status` unless in review; 409
    `below_reserved` (naming the SKU) when a level would fall below what orders reserved:
    then nothing is posted. Records `stock_count.posted`."""
    count = locked_count(tenant_id, count_id)
    with audit.watching(count):
        move(count, CountStatus.POSTED, "be posted")
        by_seller, found = _adjustment_lines(count)
        if found:
            orders.with_backorders_filled(
                tenant_id=tenant_id, sku_ids=found, arrive=lambda: _adjust(tenant_id, by_seller)
            )
        else:
            _adjust(tenant_id, by_seller)
        count.posted_at = clock.now()
        count.save(update_fields=["status", "updated_at", "posted_at"])
    adjusted = sum(len(lines) for lines in by_seller.values())
    events.record(count_event(count, "stock_count.posted", adjusted_lines=adjusted))
    return count
