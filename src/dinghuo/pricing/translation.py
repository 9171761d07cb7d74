"""Which pricing fields are translated (read by django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from dinghuo.pricing.models import TaxRate


@register(TaxRate)
class TaxRateTranslation(TranslationOptions):
    fields = ("name",)
