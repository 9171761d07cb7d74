"""Which catalogue fields are translated (read by django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from dinghuo.catalog.models import Category, Product, Sku, TaxCategory


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)


@register(Product)
class ProductTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Sku)
class SkuTranslation(TranslationOptions):
    fields = ("name",)


@register(TaxCategory)
class TaxCategoryTranslation(TranslationOptions):
    fields = ("name",)
