"""Categories, products and their SKUs (the unit a buyer orders).

Names and descriptions are translated (English, Traditional and Simplified Chinese) by
django-modeltranslation: `name` reads the active language with a fallback.
"""

from django.db import models

from dinghuo.core.models import Seller, TenantScoped


class Category(TenantScoped):
    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="category_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class TaxCategory(TenantScoped):
    """What kind of goods a product is for tax (standard, reduced, zero-rated…); a seller's
    tax rates (`pricing.TaxRate`) name a category, or apply to every product whose category
    has no rate of its own. The name is translated."""

    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)

    class Meta:
        verbose_name_plural = "tax categories"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="tax_category_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Product(TenantScoped):
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="products")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True, default="")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT)
    tax_category = models.ForeignKey(
        TaxCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty = the destination's general rate.",
    )
    is_active = models.BooleanField(default=True)
    allow_backorder = models.BooleanField(
        default=False, help_text="Order beyond available stock; the rest waits for receipt."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seller", "code"], name="product_code_unique"),
        ]

    def __str__(self) -> str:
        return self.code


class Sku(TenantScoped):
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="skus")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=300, blank=True, default="")
    unit = models.CharField(max_length=16, default="pc")
    min_order_quantity = models.PositiveIntegerField(default=1)
    pack_size = models.PositiveIntegerField(default=1, help_text="Order in multiples of this.")
    is_active = models.BooleanField(default=True)
    # The article's GS1 barcode number (GTIN-8/12/13/14), "" when it has none: EDI lines name
    # articles by it (EANCOM LIN … EN), so it is unique within the tenant.
    gtin = models.CharField(max_length=14, blank=True, default="", db_default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SKU"
        constraints = [
            models.UniqueConstraint(fields=["seller", "code"], name="sku_code_unique"),
            models.UniqueConstraint(
                fields=["tenant", "gtin"], condition=~models.Q(gtin=""), name="sku_gtin_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(min_order_quantity__gte=1), name="sku_moq_positive"
            ),
            models.CheckConstraint(condition=models.Q(pack_size__gte=1), name="sku_pack_positive"),
        ]

    def __str__(self) -> str:
        return self.code


class ProductImage(TenantScoped):
    """A picture of a product, the first by `position` being its main one. The files are in
    Django's storage (MEDIA_ROOT) under names made of their content's hash, so a name never
    serves two contents and may be cached for ever: the original as sent less its metadata,
    and two copies made once when it was added (`catalog.pictures`)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField()
    original = models.CharField(max_length=200)
    small = models.CharField(max_length=200)  # at most 160 px a side
    large = models.CharField(max_length=200)  # at most 480 px a side
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()  # bytes of the original kept
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["product", "position"], name="product_image_order")]

    def __str__(self) -> str:
        # Its product's code: the audit page names a picture by the product it shows.
        return str(self.product)
