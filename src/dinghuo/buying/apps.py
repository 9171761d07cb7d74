from django.apps import AppConfig


class BuyingConfig(AppConfig):
    name = "dinghuo.buying"
    label = "buying"
