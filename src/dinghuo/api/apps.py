from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dinghuo.api"
    label = "api"
