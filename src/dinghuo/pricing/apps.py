from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "dinghuo.pricing"
    label = "pricing"
