from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "dinghuo.returns"
    label = "returns"
