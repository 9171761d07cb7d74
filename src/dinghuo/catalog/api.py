"""Catalogue over HTTP: categories, products, SKUs, the bulk upsert and the buyer's catalogue."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, tagged
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, PageFilters, given
from dinghuo.catalog import queries, services
from dinghuo.catalog.models import Category, Product, Sku, TaxCategory
from dinghuo.catalog.schemas import (
    BulkIn,
    BulkOut,
    CategoryIn,
    CategoryOut,
    CategoryPageOut,
    CategoryPatch,
    ProductFilters,
    ProductIn,
    ProductOut,
    ProductPageOut,
    ProductPatch,
    SkuFilters,
    SkuIn,
    SkuOut,
    SkuPageOut,
    SkuPatch,
    TaxCategoryIn,
    TaxCategoryOut,
    TaxCategoryPageOut,
    TaxCategoryPatch,
    category_out,
    product_out,
    sku_out,
    tax_category_out,
    texts,
)

router = Router(tags=["catalog"])
buyer_router = Router(tags=["buyer: catalog"])


def _product_answer(tenant: int, product_id: int) -> dict[str, Any]:
    product, skus = queries.product_detail(tenant, product_id)
    return product_out(product, product.seller.slug, skus)


def _sku_answer(tenant: int, sku_id: int) -> dict[str, Any]:
    sku = queries.sku(tenant, sku_id)
    return sku_out(sku, sku.product_code)  # type: ignore[attr-defined]


# --- categories ---------------------------------------------------------------------------


@router.get(
    "/categories",
    response=CategoryPageOut,
    summary="List categories",
    auth=staff_may("catalog.view"),
)
def list_categories(request: HttpRequest, filters: Query[PageFilters]) -> HttpResponse:
    return json_response(200, paged(queries.categories(tenant_id(request)), filters, category_out))


@router.post(
    "/categories",
    response={201: CategoryOut},
    summary="Create a category",
    auth=staff_may("catalog.change"),
)
def create_category(
    request: HttpRequest, payload: CategoryIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        category = services.create_category(
            tenant_id=tenant,
            code=payload.code,
            name=texts(payload.name),
            parent_id=payload.parent_id,
        )
        return 201, category_out(category)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/categories/{category_id}",
    response=CategoryOut,
    summary="Read a category",
    auth=staff_may("catalog.view"),
)
def get_category(request: HttpRequest, category_id: ObjectId) -> HttpResponse:
    return tagged(200, category_out(queries.category(tenant_id(request), category_id)))


@router.patch(
    "/categories/{category_id}",
    response=CategoryOut,
    summary="Change a category",
    auth=staff_may("catalog.change"),
)
def update_category(
    request: HttpRequest, category_id: ObjectId, payload: CategoryPatch, if_match: IfMatch = None
) -> HttpResponse:
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        category = services.update_category(
            tenant_id=tenant,
            category_id=category_id,
            code=given(payload, "code"),
            name=given(payload, "name", texts),
            parent_id=given(payload, "parent_id"),
        )
        return category_out(category)

    return run_guarded(
        if_match,
        lock=lambda: Category.objects.filter(tenant_id=tenant, pk=category_id),
        read=lambda: category_out(queries.category(tenant, category_id)),
        change=run,
    )


# --- tax categories -----------------------------------------------------------------------


@router.get(
    "/tax-categories",
    response=TaxCategoryPageOut,
    summary="List tax categories",
    auth=staff_may("catalog.view"),
)
def list_tax_categories(request: HttpRequest, filters: Query[PageFilters]) -> HttpResponse:
    categories = queries.tax_categories(tenant_id(request))
    return json_response(200, paged(categories, filters, tax_category_out))


@router.post(
    "/tax-categories",
    response={201: TaxCategoryOut},
    summary="Create a tax category",
    auth=staff_may("catalog.change"),
)
def create_tax_category(
    request: HttpRequest, payload: TaxCategoryIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """What kind of goods a product is for tax (standard, reduced, zero-rated); the sellers'
    tax rates say what each category costs where."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        category = services.create_tax_category(
            tenant_id=tenant, code=payload.code, name=texts(payload.name)
        )
        return 201, tax_category_out(category)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/tax-categories/{tax_category_id}",
    response=TaxCategoryOut,
    summary="Read a tax category",
    auth=staff_may("catalog.view"),
)
def get_tax_category(request: HttpRequest, tax_category_id: ObjectId) -> HttpResponse:
    category = queries.tax_category(tenant_id(request), tax_category_id)
    return tagged(200, tax_category_out(category))


@router.patch(
    "/tax-categories/{tax_category_id}",
    response=TaxCategoryOut,
    summary="Change a tax category",
    auth=staff_may("catalog.change"),
)
def update_tax_category(
    request: HttpRequest,
    tax_category_id: ObjectId,
    payload: TaxCategoryPatch,
    if_match: IfMatch = None,
) -> HttpResponse:
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        category = services.update_tax_category(
            tenant_id=tenant,
            tax_category_id=tax_category_id,
            code=given(payload, "code"),
            name=given(payload, "name", texts),
        )
        return tax_category_out(category)

    return run_guarded(
        if_match,
        lock=lambda: TaxCategory.objects.filter(tenant_id=tenant, pk=tax_category_id),
        read=lambda: tax_category_out(queries.tax_category(tenant, tax_category_id)),
        change=run,
    )


# --- products -----------------------------------------------------------------------------


@router.get(
    "/products", response=ProductPageOut, summary="List products", auth=staff_may("catalog.view")
)
def list_products(request: HttpRequest, filters: Query[ProductFilters]) -> HttpResponse:
    """Oldest first; follow `next_cursor` with `after`. SKUs are in each product's detail."""
    products = queries.products(
        tenant_id(request),
        category_id=filters.category_id,
        is_active=filters.is_active,
        q=filters.q,
    )
    return json_response(200, paged(products, filters, lambda p: product_out(p, p.seller.slug)))


@router.post(
    "/products",
    response={201: ProductOut},
    summary="Create a product",
    auth=staff_may("catalog.change"),
)
def create_product(
    request: HttpRequest, payload: ProductIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        product = services.create_product(
            tenant_id=tenant,
            code=payload.code,
            name=texts(payload.name),
            description=texts(payload.description),
            category_id=payload.category_id,
            tax_category_id=payload.tax_category_id,
            allow_backorder=payload.allow_backorder,
            is_active=payload.is_active,
            seller_slug=payload.seller,
        )
        return 201, product_out(product, product.seller.slug, [])

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/products/{product_id}",
    response=ProductOut,
    summary="Read a product and its SKUs",
    auth=staff_may("catalog.view"),
)
def get_product(request: HttpRequest, product_id: ObjectId) -> HttpResponse:
    """With its `ETag`, for `If-Match` on PATCH."""
    return tagged(200, _product_answer(tenant_id(request), product_id))


@router.patch(
    "/products/{product_id}",
    response=ProductOut,
    summary="Change a product",
    auth=staff_may("catalog.change"),
)
def update_product(
    request: HttpRequest, product_id: ObjectId, payload: ProductPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Fields left out stay as they are; with `If-Match`, only if the product is unchanged."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_product(
            tenant_id=tenant,
            product_id=product_id,
            code=given(payload, "code"),
            name=given(payload, "name", texts),
            description=given(payload, "description", texts),
            category_id=given(payload, "category_id"),
            tax_category_id=given(payload, "tax_category_id"),
            allow_backorder=given(payload, "allow_backorder"),
        )
        return _product_answer(tenant, product_id)

    return run_guarded(
        if_match,
        # The answer lists the product's SKUs: a change to one of them changes its tag too.
        lock=lambda: [
            Product.objects.filter(tenant_id=tenant, pk=product_id),
            Sku.objects.filter(tenant_id=tenant, product_id=product_id),
        ],
        read=lambda: _product_answer(tenant, product_id),
        change=run,
    )


def _set_product_active(request: HttpRequest, product_id: int, active: bool) -> HttpResponse:
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.set_product_active(tenant_id=tenant, product_id=product_id, active=active)
        return _product_answer(tenant, product_id)

    return run_change(run)


@router.post(
    "/products/{product_id}/deactivate",
    response=ProductOut,
    summary="Stop offering",
    auth=staff_may("catalog.change"),
)
def deactivate_product(request: HttpRequest, product_id: ObjectId) -> HttpResponse:
    """Its SKUs leave the buyers' catalogue and can no longer be ordered."""
    return _set_product_active(request, product_id, False)


@router.post(
    "/products/{product_id}/activate",
    response=ProductOut,
    summary="Offer again",
    auth=staff_may("catalog.change"),
)
def activate_product(request: HttpRequest, product_id: ObjectId) -> HttpResponse:
    return _set_product_active(request, product_id, True)


# --- SKUs ---------------------------------------------------------------------------------


@router.get("/skus", response=SkuPageOut, summary="List SKUs", auth=staff_may("catalog.view"))
def list_skus(request: HttpRequest, filters: Query[SkuFilters]) -> HttpResponse:
    skus = queries.skus(
        tenant_id(request),
        product_id=filters.product_id,
        code=filters.code,
        is_active=filters.is_active,
    )
    body = paged(skus, filters, lambda s: sku_out(s, s.product_code))  # type: ignore[attr-defined]
    return json_response(200, body)


@router.post(
    "/skus", response={201: SkuOut}, summary="Create a SKU", auth=staff_may("catalog.change")
)
def create_sku(
    request: HttpRequest, payload: SkuIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Minimum order quantity and pack size are at least 1."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        sku = services.create_sku(
            tenant_id=tenant,
            product_id=payload.product_id,
            code=payload.code,
            name=texts(payload.name),
            unit=payload.unit,
            min_order_quantity=payload.min_order_quantity,
            pack_size=payload.pack_size,
            is_active=payload.is_active,
            gtin=payload.gtin,
        )
        return 201, sku_out(sku, sku.product.code)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get("/skus/{sku_id}", response=SkuOut, summary="Read a SKU", auth=staff_may("catalog.view"))
def get_sku(request: HttpRequest, sku_id: ObjectId) -> HttpResponse:
    """With its `ETag`, for `If-Match` on PATCH."""
    return tagged(200, _sku_answer(tenant_id(request), sku_id))


@router.patch(
    "/skus/{sku_id}", response=SkuOut, summary="Change a SKU", auth=staff_may("catalog.change")
)
def update_sku(
    request: HttpRequest, sku_id: ObjectId, payload: SkuPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Fields left out stay as they are; with `If-Match`, only if the SKU is unchanged."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_sku(
            tenant_id=tenant,
            sku_id=sku_id,
            code=given(payload, "code"),
            name=given(payload, "name", texts),
            unit=given(payload, "unit"),
            min_order_quantity=given(payload, "min_order_quantity"),
            pack_size=given(payload, "pack_size"),
            gtin=given(payload, "gtin"),
        )
        return _sku_answer(tenant, sku_id)

    return run_guarded(
        if_match,
        lock=lambda: Sku.objects.filter(tenant_id=tenant, pk=sku_id),
        read=lambda: _sku_answer(tenant, sku_id),
        change=run,
    )


def _set_sku_active(request: HttpRequest, sku_id: int, active: bool) -> HttpResponse:
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.set_sku_active(tenant_id=tenant, sku_id=sku_id, active=active)
        return _sku_answer(tenant, sku_id)

    return run_change(run)


@router.post(
    "/skus/{sku_id}/deactivate",
    response=SkuOut,
    summary="Stop offering a SKU",
    auth=staff_may("catalog.change"),
)
def deactivate_sku(request: HttpRequest, sku_id: ObjectId) -> HttpResponse:
    return _set_sku_active(request, sku_id, False)


@router.post(
    "/skus/{sku_id}/activate",
    response=SkuOut,
    summary="Offer a SKU again",
    auth=staff_may("catalog.change"),
)
def activate_sku(request: HttpRequest, sku_id: ObjectId) -> HttpResponse:
    return _set_sku_active(request, sku_id, True)


# --- bulk upsert --------------------------------------------------------------------------


def _rows(payload: BulkIn) -> list[services.ProductRow]:
    return [
        services.ProductRow(
            code=item.code,
            name=texts(item.name),
            description=texts(item.description),
            category=given(item, "category"),
            tax_category=given(item, "tax_category"),
            allow_backorder=given(item, "allow_backorder"),
            is_active=given(item, "is_active"),
            skus=[
                services.SkuRow(
                    code=sku.code,
                    name=texts(sku.name),
                    unit=given(sku, "unit"),
                    min_order_quantity=given(sku, "min_order_quantity"),
                    pack_size=given(sku, "pack_size"),
                    is_active=given(sku, "is_active"),
                )
                for sku in item.skus
            ],
        )
        for item in payload.items
    ]


@router.post(
    "/catalog/bulk",
    response=BulkOut,
    summary="Create or update products and SKUs",
    auth=staff_may("catalog.change"),
)
def bulk_upsert(
    request: HttpRequest, payload: BulkIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Up to 1,000 products by code, each with its SKUs; all or nothing.

    Fields left out keep their value (a new product or SKU takes the default); SKUs not named
    are left alone. Every problem is reported at once, with `items[i]…` field names.
    """
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        result = services.bulk_upsert(
            tenant_id=tenant, items=_rows(payload), seller_slug=payload.seller
        )
        counts = [("products", result.products), ("skus", result.skus)]
        return 200, {
            name: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for name, c in counts
        }

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)
