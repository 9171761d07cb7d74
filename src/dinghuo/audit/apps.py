from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dinghuo.audit"
    label = "audit"

    def ready(self) -> None:
        # Core's services (tenants, sellers, branding) sit below this app and record through
        # the recorder handed over here (`core.audit_trail`).
        from dinghuo.audit import services
        from dinghuo.core import audit_trail

        audit_trail.install(services)
