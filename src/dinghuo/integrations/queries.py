"""Reading the event feed."""

from dinghuo.integrations.models import Event


def events_after(
    tenant_id: int, position: int, limit: int, types: list[str] | None = None
) -> list[Event]:
    """The tenant's sequenced events after `position`, in commit order."""
    qs = Event.objects.filter(tenant_id=tenant_id, position__gt=position)
    if types:
        qs = qs.filter(type__in=types)
    return list(qs.order_by("position")[:limit])
