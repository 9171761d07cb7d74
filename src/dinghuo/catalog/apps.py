from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "dinghuo.catalog"
    label = "catalog"
