"""Catalogue writes, one module per use case: categories, products, SKUs and the bulk upsert.
Each is one transaction that records its events; a refusal changes nothing.

Partial updates take UNSET for "leave as it is", because None can be a value (no category).
Translated text comes as `{language code: text}` (`catalog.texts`); only the languages given
are written.
"""

from dinghuo.catalog.services.bulk import BulkResult, Counts, ProductRow, SkuRow, bulk_upsert
from dinghuo.catalog.services.categories import create_category, update_category
from dinghuo.catalog.services.images import (
    add_product_image,
    delete_product_image,
    reorder_product_images,
)
from dinghuo.catalog.services.products import create_product, set_product_active, update_product
from dinghuo.catalog.services.skus import create_sku, set_sku_active, update_sku
from dinghuo.catalog.services.tax_categories import create_tax_category, update_tax_category

# Kept here for the pages that still import it from services; its home is `catalog.texts`.

__all__ = [
    "BulkResult",
    "Counts",
    "ProductRow",
    "SkuRow",
    "add_product_image",
    "bulk_upsert",
    "create_category",
    "create_product",
    "create_sku",
    "create_tax_category",
    "delete_product_image",
    "reorder_product_images",
    "set_product_active",
    "set_sku_active",
    "update_category",
    "update_product",
    "update_sku",
    "update_tax_category",
]
