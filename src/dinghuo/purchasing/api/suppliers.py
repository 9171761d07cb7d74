"""Suppliers, supplier items, reorder rules, the purchasing policy, suggestions and stock
with its incoming."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, tagged
from dinghuo.api.idempotent import run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId
from dinghuo.purchasing import queries, services, suggestions
from dinghuo.purchasing.models import PurchasingPolicy, ReorderRule, Supplier, SupplierItem
from dinghuo.purchasing.schemas import (
    PurchasingPolicyIn,
    PurchasingPolicyOut,
    ReorderRuleFilters,
    ReorderRuleIn,
    ReorderRuleOut,
    ReorderRulePageOut,
    StockPositionFilters,
    StockPositionListOut,
    SuggestionFilters,
    SuggestionListOut,
    SupplierFilters,
    SupplierIn,
    SupplierItemFilters,
    SupplierItemIn,
    SupplierItemOut,
    SupplierItemPageOut,
    SupplierItemPatch,
    SupplierOut,
    SupplierPageOut,
    SupplierPatch,
    decimal,
    reorder_rule_out,
    stock_position_out,
    suggestion_out,
    supplier_item_out,
    supplier_out,
)
from dinghuo.purchasing.services.shared import policy_of

router = Router(tags=["purchasing"])


@router.get(
    "/suppliers",
    response=SupplierPageOut,
    summary="List suppliers",
    auth=staff_may("purchasing.view"),
)
def list_suppliers(request: HttpRequest, filters: Query[SupplierFilters]) -> dict[str, Any]:
    found = queries.suppliers(tenant_id(request), is_active=filters.is_active)
    return paged(found, filters, supplier_out)


@router.post(
    "/suppliers",
    response={201: SupplierOut},
    summary="Create a supplier",
    auth=staff_may("purchasing.edit"),
)
def create_supplier(
    request: HttpRequest, payload: SupplierIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """The code is unique in the tenant (409 `supplier_code_taken`); POs to the supplier are
    in its currency."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        return 201, supplier_out(services.create_supplier(tenant_id=tenant, **payload.dict()))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/suppliers/{supplier_id}",
    response=SupplierOut,
    summary="Read a supplier",
    auth=staff_may("purchasing.view"),
)
def get_supplier(request: HttpRequest, supplier_id: ObjectId) -> HttpResponse:
    return tagged(200, supplier_out(queries.supplier(tenant_id(request), supplier_id)))


@router.patch(
    "/suppliers/{supplier_id}",
    response=SupplierOut,
    summary="Change a supplier",
    auth=staff_may("purchasing.edit"),
)
def update_supplier(
    request: HttpRequest, supplier_id: ObjectId, payload: SupplierPatch, if_match: IfMatch = None
) -> HttpResponse:
    """What the body gives changes; a deactivated supplier gets no new POs."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        changes = payload.model_dump(exclude_unset=True)
        return supplier_out(
            services.update_supplier(tenant_id=tenant, supplier_id=supplier_id, **changes)
        )

    return run_guarded(
        if_match,
        lock=lambda: Supplier.objects.filter(tenant_id=tenant, pk=supplier_id),
        read=lambda: supplier_out(queries.supplier(tenant, supplier_id)),
        change=run,
    )


@router.get(
    "/supplier-items",
    response=SupplierItemPageOut,
    summary="List supplier items",
    auth=staff_may("purchasing.view"),
)
def list_supplier_items(
    request: HttpRequest, filters: Query[SupplierItemFilters]
) -> dict[str, Any]:
    found = queries.supplier_items(
        tenant_id(request), supplier_id=filters.supplier_id, sku_id=filters.sku_id
    )
    return paged(found, filters, supplier_item_out)


def _tiers(tiers: list[Any]) -> list[dict[str, Any]]:
    return [{"min_quantity": t.min_quantity, "unit_cost": t.unit_cost} for t in tiers]


@router.post(
    "/supplier-items",
    response={201: SupplierItemOut},
    summary="Add a supplier item",
    auth=staff_may("purchasing.edit"),
)
def create_supplier_item(
    request: HttpRequest, payload: SupplierItemIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """What a supplier sells of a SKU: its code, cost tiers (the first from 1 unit), lead
    time, minimum order and pack size. One per supplier and SKU (409
    `supplier_item_exists`); marking it preferred unmarks the SKU's other preferred one."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        fields = payload.dict()
        fields["cost_tiers"] = _tiers(payload.cost_tiers)
        item = services.create_supplier_item(tenant_id=tenant, **fields)
        return 201, supplier_item_out(queries.supplier_item(tenant, item.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/supplier-items/{supplier_item_id}",
    response=SupplierItemOut,
    summary="Read a supplier item",
    auth=staff_may("purchasing.view"),
)
def get_supplier_item(request: HttpRequest, supplier_item_id: ObjectId) -> HttpResponse:
    return tagged(
        200, supplier_item_out(queries.supplier_item(tenant_id(request), supplier_item_id))
    )


@router.patch(
    "/supplier-items/{supplier_item_id}",
    response=SupplierItemOut,
    summary="Change a supplier item",
    auth=staff_may("purchasing.edit"),
)
def update_supplier_item(
    request: HttpRequest,
    supplier_item_id: ObjectId,
    payload: SupplierItemPatch,
    if_match: IfMatch = None,
) -> HttpResponse:
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        changes = payload.model_dump(exclude_unset=True)
        if payload.cost_tiers is not None:
            changes["cost_tiers"] = _tiers(payload.cost_tiers)
        services.update_supplier_item(tenant_id=tenant, item_id=supplier_item_id, **changes)
        return supplier_item_out(queries.supplier_item(tenant, supplier_item_id))

    return run_guarded(
        if_match,
        lock=lambda: SupplierItem.objects.filter(tenant_id=tenant, pk=supplier_item_id),
        read=lambda: supplier_item_out(queries.supplier_item(tenant, supplier_item_id)),
        change=run,
    )


@router.get(
    "/reorder-rules",
    response=ReorderRulePageOut,
    summary="List reorder rules",
    auth=staff_may("purchasing.view"),
)
def list_reorder_rules(request: HttpRequest, filters: Query[ReorderRuleFilters]) -> dict[str, Any]:
    found = queries.reorder_rules(
        tenant_id(request), sku_id=filters.sku_id, warehouse_id=filters.warehouse_id
    )
    return paged(found, filters, reorder_rule_out)


@router.post(
    "/reorder-rules",
    response={201: ReorderRuleOut},
    summary="Set a reorder rule",
    auth=staff_may("purchasing.edit"),
)
def set_reorder_rule(
    request: HttpRequest, payload: ReorderRuleIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """The reorder point and reorder quantity of a SKU in a warehouse, made or replaced
    (one rule per SKU and warehouse): a suggestion appears when available + incoming −
    backorders − the lead time's forecast falls below the point (docs/purchasing.md)."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        rule = services.set_reorder_rule(tenant_id=tenant, **payload.dict())
        return 201, reorder_rule_out(queries.reorder_rule(tenant, rule.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/reorder-rules/{reorder_rule_id}",
    response=ReorderRuleOut,
    summary="Read a reorder rule",
    auth=staff_may("purchasing.view"),
)
def get_reorder_rule(request: HttpRequest, reorder_rule_id: ObjectId) -> HttpResponse:
    return tagged(200, reorder_rule_out(queries.reorder_rule(tenant_id(request), reorder_rule_id)))


@router.delete(
    "/reorder-rules/{reorder_rule_id}",
    response={204: None},
    summary="Remove a reorder rule",
    auth=staff_may("purchasing.edit"),
)
def delete_reorder_rule(
    request: HttpRequest, reorder_rule_id: ObjectId, if_match: IfMatch = None
) -> HttpResponse:
    """The SKU is no longer reordered for that warehouse (backorders still suggest it)."""
    tenant = tenant_id(request)
    run_guarded(
        if_match,
        lock=lambda: ReorderRule.objects.filter(tenant_id=tenant, pk=reorder_rule_id),
        read=lambda: reorder_rule_out(queries.reorder_rule(tenant, reorder_rule_id)),
        change=lambda: services.delete_reorder_rule(tenant_id=tenant, rule_id=reorder_rule_id),
    )
    return HttpResponse(status=204)


@router.get(
    "/replenishment/suggestions",
    response=SuggestionListOut,
    summary="Replenishment suggestions",
    auth=staff_may("purchasing.view"),
)
def list_suggestions(request: HttpRequest, filters: Query[SuggestionFilters]) -> dict[str, Any]:
    """What to buy, by supplier (`supplier_id` null: no active supplier sells the SKU): SKUs
    below their reorder point once backorders and the lead time's forecast are counted, and
    backorders stock and incoming cannot cover; rounded up to the supplier's pack and
    minimum order. The rules are in docs/purchasing.md."""
    tenant = tenant_id(request)
    found = suggestions.suggestions(
        tenant, supplier_id=filters.supplier_id, warehouse_id=filters.warehouse_id
    )
    currency = dict(queries.suppliers(tenant).values_list("id", "currency"))
    return {"items": [suggestion_out(s, currency) for s in found]}


@router.get(
    "/stock/incoming",
    response=StockPositionListOut,
    summary="Stock with its incoming",
    auth=staff_may("stock.view"),
)
def list_stock_incoming(
    request: HttpRequest, filters: Query[StockPositionFilters]
) -> dict[str, Any]:
    """Each SKU's stock per warehouse with `incoming`: what open purchase orders (approved,
    sent, confirmed, partly received) still expect, computed from their lines."""
    sku_ids = None if filters.sku_id is None else [filters.sku_id]
    found = queries.stock_positions(tenant_id(request), sku_ids)
    return {"items": [stock_position_out(p) for p in found]}


def _policy_out(tenant: int) -> dict[str, Any]:
    row = policy_of(tenant)
    limit = row.approval_limit
    return {
        "approval_limit": None if limit is None else format(limit.normalize(), "f"),
        "over_delivery_percent": format(row.over_delivery_percent.normalize(), "f"),
        "demand_window_days": row.demand_window_days,
    }


@router.get(
    "/purchasing-policy",
    response=PurchasingPolicyOut,
    summary="Read the purchasing policy",
    auth=staff_may("purchasing.view"),
)
def get_purchasing_policy(request: HttpRequest) -> HttpResponse:
    return tagged(200, _policy_out(tenant_id(request)))


@router.put(
    "/purchasing-policy",
    response=PurchasingPolicyOut,
    summary="Set the purchasing policy",
    auth=staff_may("settings.change"),
)
def set_purchasing_policy(
    request: HttpRequest, payload: PurchasingPolicyIn, if_match: IfMatch = None
) -> HttpResponse:
    """The approval limit (in the seller's base currency; a PO in another currency always
    waits for an approver), the over-delivery tolerance in percent of a line's ordered
    units, and the window of the demand forecast in days."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        limit = payload.approval_limit
        services.set_purchasing_policy(
            tenant_id=tenant,
            approval_limit=None if limit is None else decimal(limit),
            over_delivery_percent=decimal(payload.over_delivery_percent),
            demand_window_days=payload.demand_window_days,
        )
        return _policy_out(tenant)

    return run_guarded(
        if_match,
        lock=lambda: PurchasingPolicy.objects.filter(tenant_id=tenant),
        read=lambda: _policy_out(tenant),
        change=run,
    )
