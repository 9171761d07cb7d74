from django.apps import AppConfig


class OperatorsConfig(AppConfig):
    name = "dinghuo.operators"
    label = "operators"
    verbose_name = "Operators"
