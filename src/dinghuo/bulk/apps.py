from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "dinghuo.bulk"
    label = "bulk"
    verbose_name = "Bulk import and export"
