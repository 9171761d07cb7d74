from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "dinghuo.integrations"
    label = "integrations"
