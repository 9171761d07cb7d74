"""SKU writes: add a SKU to a product, change it, and offer or stop offering it."""

from typing import Any

from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Product, Sku
from dinghuo.catalog.services.fields import assign, assign_texts, quantity_errors
from dinghuo.catalog.texts import Texts, localized
from dinghuo.core import gs1
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.core.writes import UNSET, Unset, code_must_be_free, locked_tenant_row, refuse, taken
from dinghuo.integrations import events


def _sku_payload(sku: Sku, product_code: str) -> dict[str, Any]:
    return {
        "code": sku.code,
        "product": product_code,
        "name": localized(sku, "name"),
        "unit": sku.unit,
        "min_order_quantity": sku.min_order_quantity,
        "pack_size": sku.pack_size,
        "gtin": sku.gtin,
        "is_active": sku.is_active,
    }


def _gtin_checked(tenant_id: int, sku: Sku) -> None:
    """A GTIN must carry its right check digit and name no other SKU of the tenant (422)."""
    if not sku.gtin:
        return
    if not gs1.is_gtin(sku.gtin):
        raise ValidationFailed(
            "The GTIN is not valid.",
            errors=[
                FieldError("gtin", "invalid_gtin", "8, 12, 13 or 14 digits with a check digit")
            ],
        )
    if Sku.objects.filter(tenant_id=tenant_id, gtin=sku.gtin).exclude(pk=sku.pk).exists():
        raise taken("gtin", sku.gtin)


def _locked_sku(tenant_id: int, sku_id: int) -> Sku:
    return locked_tenant_row(
        Sku.objects.select_related("product"), tenant_id, sku_id, f"No SKU {sku_id}."
    )


@transaction.atomic
def create_sku(
    *,
    tenant_id: int,
    product_id: int,
    code: str,
    name: Texts | None = None,
    unit: str = "pc",
    min_order_quantity: int = 1,
    pack_size: int = 1,
    is_active: bool = True,
    gtin: str = "",
) -> Sku:
    """Add a SKU to a product of the tenant; it belongs to the product's seller."""
    product = Product.objects.filter(tenant_id=tenant_id, pk=product_id).first()
    if product is None:
        raise ValidationFailed(
            "Unknown product.",
            errors=[FieldError("product_id", "unknown_product", f"No product {product_id}")],
        )
    sku = Sku(
        tenant_id=tenant_id,
        seller_id=product.seller_id,
        product=product,
        code=code,
        unit=unit,
        min_order_quantity=min_order_quantity,
        pack_size=pack_size,
        is_active=is_active,
        gtin=gtin,
    )
    assign_texts(sku, "name", {"en": "", **(name or {})})
    refuse(quantity_errors(sku, ""), "The SKU cannot be created; see errors.")
    _gtin_checked(tenant_id, sku)
    if Sku.objects.filter(seller_id=product.seller_id, code=code).exists():
        raise taken("code", code)
    with code_must_be_free("code"):
        sku.save()
    audit.created(sku)
    events.record(
        events.new(sku.tenant_id, "sku.created", "sku", sku.pk, _sku_payload(sku, product.code))
    )
    return sku


@transaction.atomic
def update_sku(
    *,
    tenant_id: int,
    sku_id: int,
    code: str | Unset = UNSET,
    name: Texts | Unset = UNSET,
    unit: str | Unset = UNSET,
    min_order_quantity: int | Unset = UNSET,
    pack_size: int | Unset = UNSET,
    gtin: str | Unset = UNSET,
) -> Sku:
    """Change what is given; minimum order quantity and pack size stay at least 1; a GTIN
    ("" removes it) is valid and the tenant's only one."""
    sku = _locked_sku(tenant_id, sku_id)
    before = audit.snapshot(sku)
    changed = [
        attr
        for attr, moved in [
            ("code", assign(sku, "code", code)),
            ("name", name is not UNSET and assign_texts(sku, "name", name)),
            ("unit", assign(sku, "unit", unit)),
            ("min_order_quantity", assign(sku, "min_order_quantity", min_order_quantity)),
            ("pack_size", assign(sku, "pack_size", pack_size)),
            ("gtin", assign(sku, "gtin", gtin)),
        ]
        if moved
    ]
    refuse(quantity_errors(sku, ""), "The SKU cannot be changed; see errors.")
    if "gtin" in changed:
        _gtin_checked(tenant_id, sku)
    if not changed:
        return sku
    if "code" in changed and Sku.objects.filter(seller_id=sku.seller_id, code=sku.code).exists():
        raise taken("code", sku.code)
    with code_must_be_free("code"):
        sku.save()
    audit.changed(sku, before)
    payload = {**_sku_payload(sku, sku.product.code), "changed": changed}
    events.record(events.new(sku.tenant_id, "sku.updated", "sku", sku.pk, payload))
    return sku


@transaction.atomic
def set_sku_active(*, tenant_id: int, sku_id: int, active: bool) -> Sku:
    """Offer the SKU again, or stop offering it; asking for the current state is a no-op."""
    sku = _locked_sku(tenant_id, sku_id)
    if sku.is_active == active:
        return sku
    before = audit.snapshot(sku)
    sku.is_active = active
    sku.save(update_fields=["is_active", "updated_at"])
    audit.changed(sku, before)
    type = "sku.activated" if active else "sku.deactivated"
    events.record(
        events.new(sku.tenant_id, type, "sku", sku.pk, _sku_payload(sku, sku.product.code))
    )
    return sku
