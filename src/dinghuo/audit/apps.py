from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dinghuo.audit"
    label = "audit"
