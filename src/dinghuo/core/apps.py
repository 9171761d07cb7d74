from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dinghuo.core"
    label = "core"
    verbose_name = "Core"
