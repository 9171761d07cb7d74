"""Product writes: create, change, and offer or stop offering a product."""

from typing import Any

from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Category, Product, TaxCategory
from dinghuo.catalog.services.fields import assign, assign_texts, name_errors
from dinghuo.catalog.texts import Texts, localized
from dinghuo.core.errors import FieldError
from dinghuo.core.queries import seller_for
from dinghuo.core.writes import UNSET, Unset, code_must_be_free, locked_tenant_row, refuse, taken
from dinghuo.integrations import events


def _product_payload(product: Product, seller_slug: str) -> dict[str, Any]:
    return {
        "code": product.code,
        "seller": seller_slug,
        "name": localized(product, "name"),
        "category_id": product.category_id,
        "tax_category_id": product.tax_category_id,
        "is_active": product.is_active,
        "allow_backorder": product.allow_backorder,
    }


def _category_errors(tenant_id: int, category_id: int | None) -> list[FieldError]:
    if category_id is None or Category.objects.filter(tenant_id=tenant_id, pk=category_id).exists():
        return []
    return [FieldError("category_id", "unknown_category", f"No category {category_id}")]


def _tax_category_errors(tenant_id: int, tax_category_id: int | None) -> list[FieldError]:
    if (
        tax_category_id is None
        or TaxCategory.objects.filter(tenant_id=tenant_id, pk=tax_category_id).exists()
    ):
        return []
    return [
        FieldError("tax_category_id", "unknown_tax_category", f"No tax category {tax_category_id}")
    ]


def _locked_product(tenant_id: int, product_id: int) -> Product:
    return locked_tenant_row(
        Product.objects.select_related("seller"), tenant_id, product_id, f"No product {product_id}."
    )


@transaction.atomic
def create_product(
    *,
    tenant_id: int,
    code: str,
    name: Texts,
    description: Texts | None = None,
    category_id: int | None = None,
    allow_backorder: bool = False,
    is_active: bool = True,
    seller_slug: str | None = None,
    tax_category_id: int | None = None,
) -> Product:
    """Create a product of the tenant's own store, or of the seller named by `seller_slug`."""
    seller = seller_for(tenant_id, seller_slug)
    product = Product(
        tenant_id=tenant_id,
        seller=seller,
        code=code,
        category_id=category_id,
        tax_category_id=tax_category_id,
        allow_backorder=allow_backorder,
        is_active=is_active,
    )
    assign_texts(product, "name", name)
    assign_texts(product, "description", {"en": "", **(description or {})})
    errors = (
        name_errors(product)
        + _category_errors(tenant_id, category_id)
        + _tax_category_errors(tenant_id, tax_category_id)
    )
    refuse(errors, "The product cannot be created; see errors.")
    if Product.objects.filter(seller=seller, code=code).exists():
        raise taken("code", code)
    with code_must_be_free("code"):
        product.save()
    audit.created(product)
    payload = _product_payload(product, seller.slug)
    events.record(events.new(product.tenant_id, "product.created", "product", product.pk, payload))
    return product


@transaction.atomic
def update_product(
    *,
    tenant_id: int,
    product_id: int,
    code: str | Unset = UNSET,
    name: Texts | Unset = UNSET,
    description: Texts | Unset = UNSET,
    category_id: int | Unset | None = UNSET,
    allow_backorder: bool | Unset = UNSET,
    tax_category_id: int | Unset | None = UNSET,
) -> Product:
    """Change what is given; a code must stay unique within the seller."""
    product = _locked_product(tenant_id, product_id)
    before = audit.snapshot(product)
    changed = [
        attr
        for attr, moved in [
            ("code", assign(product, "code", code)),
            ("name", name is not UNSET and assign_texts(product, "name", name)),
            (
                "description",
                description is not UNSET and assign_texts(product, "description", description),
            ),
            ("category_id", assign(product, "category_id", category_id)),
            ("allow_backorder", assign(product, "allow_backorder", allow_backorder)),
            ("tax_category_id", assign(product, "tax_category_id", tax_category_id)),
        ]
        if moved
    ]
    errors = name_errors(product) if "name" in changed else []
    if "category_id" in changed:
        errors += _category_errors(tenant_id, product.category_id)
    if "tax_category_id" in changed:
        errors += _tax_category_errors(tenant_id, product.tax_category_id)
    refuse(errors, "The product cannot be changed; see errors.")
    if not changed:
        return product
    if (
        "code" in changed
        and Product.objects.filter(seller_id=product.seller_id, code=product.code).exists()
    ):
        raise taken("code", product.code)
    with code_must_be_free("code"):
        product.save()
    audit.changed(product, before)
    payload = {**_product_payload(product, product.seller.slug), "changed": changed}
    events.record(events.new(product.tenant_id, "product.updated", "product", product.pk, payload))
    return product


@transaction.atomic
def set_product_active(*, tenant_id: int, product_id: int, active: bool) -> Product:
    """Offer the product again, or stop offering it; asking for the current state is a no-op.

    An inactive product's SKUs leave the buyers' catalogue and can no longer be ordered.
    """
    product = _locked_product(tenant_id, product_id)
    if product.is_active == active:
        return product
    before = audit.snapshot(product)
    product.is_active = active
    product.save(update_fields=["is_active", "updated_at"])
    audit.changed(product, before)
    type = "product.activated" if active else "product.deactivated"
    payload = _product_payload(product, product.seller.slug)
    events.record(events.new(product.tenant_id, type, "product", product.pk, payload))
    return product
