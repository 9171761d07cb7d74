from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "dinghuo.fulfilment"
    label = "fulfilment"
