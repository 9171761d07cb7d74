from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "dinghuo.portal"
    label = "portal"
