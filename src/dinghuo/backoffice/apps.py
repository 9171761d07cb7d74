from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "dinghuo.backoffice"
    label = "backoffice"
    verbose_name = "Back office"
