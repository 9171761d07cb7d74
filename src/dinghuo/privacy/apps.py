from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "dinghuo.privacy"
    label = "privacy"
