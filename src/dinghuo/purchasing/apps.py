from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "dinghuo.purchasing"
    label = "purchasing"
