"""Reads of returns for the API and pages: tenant- and company-scoped, a fixed number of
queries; their photos; where an order's goods shipped from (inventory's ledger, read only)
and where returned goods go (the seller's address, billing's details, read only)."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, Sum

from dinghuo.billing.models import BillingPolicy
from dinghuo.core.errors import NotFound
from dinghuo.core.models import Seller
from dinghuo.inventory.models import StockMovement, Warehouse
from dinghuo.orders.models import Order
from dinghuo.returns.models import ReturnPhoto, ReturnPolicy, ReturnRequest


def returns(
    tenant_id: int,
    *,
    company_id: int | None = None,
    status: str | None = None,
    order_id: int | None = None,
) -> QuerySet[ReturnRequest]:
    """Returns, oldest first, with their order (lines are prefetched: two queries a page)."""
    found = ReturnRequest.objects.filter(tenant_id=tenant_id)
    if company_id is not None:
        found = found.filter(company_id=company_id)
    if status is not None:
        found = found.filter(status=status)
    if order_id is not None:
        found = found.filter(order_id=order_id)
    return (
        found.select_related("order", "exchange_order")
        .prefetch_related(
            "lines__order_line",
            "replacements__sku",
            "lines__warehouse",
            "credit_notes",
            Prefetch("photos", queryset=ReturnPhoto.objects.order_by("number")),
        )
        .order_by("id")
    )


def return_detail(
    tenant_id: int, return_id: int, *, company_id: int | None = None
) -> ReturnRequest:
    """One return with its lines, credit notes and refund; 404 for another tenant's or
    (with `company_id`) another company's."""
    found = (
        returns(tenant_id, company_id=company_id)
        .select_related("refund", "seller", "company")
        .filter(pk=return_id)
    )
    request = found.first()
    if request is None:
        raise NotFound(f"No return {return_id}.")
    return request


@dataclass(frozen=True)
class ReturnAddress:
    """Where returned goods go: the seller's name and, when it has given one, its address
    (the one its invoices print), line by line."""

    name: str
    lines: tuple[str, ...] = ()


def return_address(tenant_id: int, seller_id: int) -> ReturnAddress:
    """The seller's address from its billing details; its name alone when it has none."""
    details = (
        BillingPolicy.objects.filter(tenant_id=tenant_id, seller_id=seller_id)
        .values_list("legal_name", "address")
        .first()
    )
    legal_name, address = details or ("", "")
    name = legal_name or Seller.objects.values_list("name", flat=True).get(pk=seller_id)
    return ReturnAddress(name, tuple(line.strip() for line in address.splitlines() if line.strip()))


def return_photo(
    tenant_id: int, return_id: int, photo_id: int, *, company_id: int | None = None
) -> ReturnPhoto:
    """One photo of one of the tenant's returns (with `company_id`: that company's); 404
    otherwise, and for a photo of another return."""
    # By its own id (an out-of-range id then finds nothing, where a foreign-key lookup would
    # make SQLite fail), its return compared after.
    found = ReturnPhoto.objects.filter(tenant_id=tenant_id, pk=photo_id)
    if company_id is not None:
        found = found.filter(request__company_id=company_id)
    photo = found.first()
    if photo is None or photo.request_id != return_id:
        raise NotFound(f"No photo {photo_id} of return {return_id}.")
    return photo


def return_policy(tenant_id: int, seller_id: int) -> ReturnPolicy | None:
    return (
        ReturnPolicy.objects.filter(tenant_id=tenant_id, seller_id=seller_id)
        .select_related("quarantine_warehouse")
        .prefetch_related("non_returnable_categories")
        .first()
    )


def shipped_from(tenant_id: int, order: Order) -> dict[int, Warehouse]:
    """For each SKU of the order, the warehouse most of it shipped from (the ledger's issue
    rows of the order); a SKU never issued falls back to the first active warehouse."""
    issued = (
        StockMovement.objects.filter(
            tenant_id=tenant_id, kind=StockMovement.Kind.ISSUE, reference=f"order:{order.pk}"
        )
        .values("sku_id", "warehouse_id")
        .annotate(units=Sum("on_hand_delta"))
        .order_by("sku_id", "units", "warehouse_id")  # units are negative: most first
    )
    chosen: dict[int, int] = {}
    for row in issued:
        chosen.setdefault(row["sku_id"], row["warehouse_id"])
    warehouses = Warehouse.objects.filter(tenant_id=tenant_id, is_active=True).order_by(
        "priority", "id"
    )
    by_id = {w.pk: w for w in Warehouse.objects.filter(pk__in=set(chosen.values()))}
    first = warehouses.first()
    result = {sku: by_id[warehouse] for sku, warehouse in chosen.items()}
    for sku_id in order.lines.values_list("sku_id", flat=True):
        if sku_id not in result and first is not None:
            result[sku_id] = first
    return result
