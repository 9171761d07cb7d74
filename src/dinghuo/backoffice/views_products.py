"""Product pages: the tenant's products (searched, filtered by category, a page at a time),
a product created and changed with its names in three languages, and its SKUs added and
changed.

Thin pages over `catalog.services` and `catalog.queries`, the code the API's catalogue routes
use, so a page's write records the same events (`product.created`, `sku.updated`…). A form
checks the shape of what was typed; a code already used or a GTIN with a wrong check digit is
the service's refusal, shown next to its field. The tenant always comes from the signed-in
staff member, so another tenant's ids find nothing (404).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dinghuo.backoffice import changes
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.forms_catalog import (
    ProductForm,
    SkuForm,
    catalog_field,
    category_choices,
    texts_of,
    translated_initial,
)
from dinghuo.backoffice.params import int_param
from dinghuo.catalog import pictures, services
from dinghuo.catalog import queries as catalog
from dinghuo.catalog.models import Category, Product, Sku
from dinghuo.core.errors import DomainError, NotFound

PRODUCTS_PAGE_SIZE = 50


@dataclass(frozen=True)
class ProductsPage:
    products: Sequence[Product]
    page: int
    has_next: bool


def products_page(
    tenant_id: int, *, q: str = "", category_id: int | None = None, page: int = 1
) -> ProductsPage:
    """A page of the tenant's products by code, with their category and how many SKUs they
    have (one query); a category also finds the products of the categories below it."""
    qs = catalog.products(tenant_id, q=q or None).select_related("category")
    if category_id is not None:
        qs = qs.filter(category_id__in=catalog.category_and_descendants(tenant_id, category_id))
    qs = qs.annotate(sku_count=Count("skus"))
    start = (page - 1) * PRODUCTS_PAGE_SIZE
    found = list(qs.order_by("code", "id")[start : start + PRODUCTS_PAGE_SIZE + 1])
    return ProductsPage(found[:PRODUCTS_PAGE_SIZE], page, len(found) > PRODUCTS_PAGE_SIZE)


def _categories(tenant_id: int) -> list[Category]:
    return list(catalog.categories(tenant_id))


def _product(tenant_id: int, product_id: int) -> tuple[Product, list[Sku]]:
    try:
        return catalog.product_detail(tenant_id, product_id)
    except NotFound as error:
        raise Http404 from error


@require_GET
@staff_required(get="catalog.view")
def products(request: StaffRequest) -> HttpResponse:
    """The tenant's products, searched by code or name (any language) and by category."""
    tenant_id = request.staff.tenant_id
    q = (request.GET.get("q") or "").strip()[:64]
    category_id = int_param(request.GET.get("category"))
    categories = _categories(tenant_id)
    if category_id not in {c.pk for c in categories}:
        category_id = None
    found = products_page(
        tenant_id, q=q, category_id=category_id, page=int_param(request.GET.get("page")) or 1
    )
    return render(
        request,
        "backoffice/products.html",
        {
            "found": found,
            "q": q,
            "category_id": category_id,
            "category_choices": category_choices(categories, blank=_("Every category")),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required(get="catalog.change", post="catalog.change")
def new_product(request: StaffRequest) -> HttpResponseBase:
    """A new product of the tenant's own store (`create_product`)."""
    tenant_id = request.staff.tenant_id
    form = ProductForm(
        request.POST if request.method == "POST" else None, categories=_categories(tenant_id)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = changes.run(
                lambda: services.create_product(
                    tenant_id=tenant_id,
                    code=data["code"],
                    name=texts_of(data, "name"),
                    description=texts_of(data, "description"),
                    category_id=data["category"],
                    allow_backorder=data["allow_backorder"],
                    is_active=data["is_active"],
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, catalog_field)
        else:
            messages.success(
                request, gettext("Product %(code)s is created.") % {"code": created.code}
            )
            return redirect("backoffice:product", product_id=created.pk)
    return render(request, "backoffice/product_new.html", {"form": form})


def _product_form(product: Product, categories: list[Category], data: Any = None) -> ProductForm:
    initial = {
        "code": product.code,
        "category": product.category_id,
        "allow_backorder": product.allow_backorder,
        "is_active": product.is_active,
        **translated_initial(product, "name", "description"),
    }
    return ProductForm(data, categories=categories, initial=initial, prefix="product")


def product_page(
    request: StaffRequest,
    product: Product,
    skus: list[Sku],
    *,
    form: ProductForm | None = None,
    sku_form: SkuForm | None = None,
) -> HttpResponse:
    """The product's page; a form given (refused, with its errors) replaces the filled one."""
    categories = _categories(request.staff.tenant_id)
    return render(
        request,
        "backoffice/product.html",
        {
            "product": product,
            "skus": skus,
            "form": form or _product_form(product, categories),
            "sku_form": sku_form or SkuForm(prefix="sku"),
            "images": list(catalog.product_images(request.staff.tenant_id, product.pk)),
            "max_image_megabytes": pictures.MAX_BYTES // (1024 * 1024),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required(get="catalog.view", post="catalog.change")
def product(request: StaffRequest, product_id: int) -> HttpResponseBase:
    """One product: its settings and names (POST changes them, `update_product`, and offers
    or archives it, `set_product_active`, in one transaction) and its SKUs."""
    tenant_id = request.staff.tenant_id
    found, skus = _product(tenant_id, product_id)
    if request.method == "GET":
        return product_page(request, found, skus)
    form = _product_form(found, _categories(tenant_id), request.POST)
    if form.is_valid():
        data = form.cleaned_data

        def change() -> None:
            services.update_product(
                tenant_id=tenant_id,
                product_id=found.pk,
                code=data["code"],
                name=texts_of(data, "name"),
                description=texts_of(data, "description"),
                category_id=data["category"],
                allow_backorder=data["allow_backorder"],
            )
            services.set_product_active(
                tenant_id=tenant_id, product_id=found.pk, active=data["is_active"]
            )

        try:
            changes.run(change)
        except DomainError as error:
            changes.show_refusal(form, error, catalog_field)
        else:
            messages.success(request, gettext("The product is saved."))
            return redirect("backoffice:product", product_id=found.pk)
    return product_page(request, found, skus, form=form)


@require_POST
@staff_required(post="catalog.change")
def new_sku(request: StaffRequest, product_id: int) -> HttpResponseBase:
    """A new SKU of the product (`create_sku`)."""
    tenant_id = request.staff.tenant_id
    found, skus = _product(tenant_id, product_id)
    form = SkuForm(request.POST, prefix="sku")
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = changes.run(
                lambda: services.create_sku(
                    tenant_id=tenant_id,
                    product_id=found.pk,
                    code=data["code"],
                    name=texts_of(data, "name"),
                    unit=data["unit"],
                    min_order_quantity=data["min_order_quantity"],
                    pack_size=data["pack_size"],
                    gtin=data["gtin"],
                    is_active=data["is_active"],
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, catalog_field)
        else:
            messages.success(request, gettext("SKU %(code)s is added.") % {"code": created.code})
            return redirect("backoffice:product", product_id=found.pk)
    return product_page(request, found, skus, sku_form=form)


def _sku_form(sku: Sku, data: Any = None) -> SkuForm:
    initial = {
        "code": sku.code,
        "unit": sku.unit,
        "min_order_quantity": sku.min_order_quantity,
        "pack_size": sku.pack_size,
        "gtin": sku.gtin,
        "is_active": sku.is_active,
        **translated_initial(sku, "name"),
    }
    return SkuForm(data, initial=initial)


@require_http_methods(["GET", "POST"])
@staff_required(get="catalog.view", post="catalog.change")
def sku(request: StaffRequest, product_id: int, sku_id: int) -> HttpResponseBase:
    """One SKU of the product: POST changes it (`update_sku`) and offers or archives it
    (`set_sku_active`) in one transaction."""
    tenant_id = request.staff.tenant_id
    found, skus = _product(tenant_id, product_id)
    chosen = next((s for s in skus if s.pk == sku_id), None)
    if chosen is None:
        raise Http404
    form = _sku_form(chosen, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def change() -> None:
            services.update_sku(
                tenant_id=tenant_id,
                sku_id=chosen.pk,
                code=data["code"],
                name=texts_of(data, "name"),
                unit=data["unit"],
                min_order_quantity=data["min_order_quantity"],
                pack_size=data["pack_size"],
                gtin=data["gtin"],
            )
            services.set_sku_active(tenant_id=tenant_id, sku_id=chosen.pk, active=data["is_active"])

        try:
            changes.run(change)
        except DomainError as error:
            changes.show_refusal(form, error, catalog_field)
        else:
            messages.success(request, gettext("The SKU is saved."))
            return redirect("backoffice:product", product_id=found.pk)
    return render(request, "backoffice/sku.html", {"product": found, "sku": chosen, "form": form})
