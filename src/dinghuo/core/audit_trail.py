"""The audit log for core's own writes: tenants, sellers, branding and API limits.

Core sits below the audit app (pyproject's layers), so its services cannot import
`audit.services`; the audit app hands that module over when Django starts
(`audit.apps.AuditConfig.ready`) and core's services record through `recorder()` exactly as
any other service records through `audit`. Without it a write fails loudly rather than going
unrecorded.
"""

from typing import Any, Protocol

from django.db.models import Model


class Recorder(Protocol):
    """What core's services call: the part of `audit.services` they need."""

    def snapshot(self, obj: Model) -> dict[str, Any]: ...

    def created(self, obj: Model, *, tenant_id: int | None = None) -> object: ...

    def changed(
        self, obj: Model, before: dict[str, Any], *, tenant_id: int | None = None
    ) -> object: ...


_installed: list[Recorder] = []


def install(recorder: Recorder) -> None:
    """Called once by the audit app when Django starts."""
    _installed[:] = [recorder]


def recorder() -> Recorder:
    """The audit log's recorder (the audit app is always installed)."""
    if not _installed:
        raise RuntimeError("The audit app (dinghuo.audit) is not installed: writes cannot record.")
    return _installed[0]
