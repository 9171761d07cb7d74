"""Which event types a subscription asked for: exact types ("order.placed") or families
("order.*", every type starting "order."); none means every event."""

from django.db.models import Q


def matches(wanted: list[str], event_type: str) -> bool:
    """True when an event of `event_type` is one of `wanted`."""
    if not wanted:
        return True
    for kind in wanted:
        if kind.endswith(".*"):
            if event_type.startswith(kind[:-1]):
                return True
        elif kind == event_type:
            return True
    return False


def as_filter(wanted: list[str]) -> Q:
    """The same choice as a filter on events (`type`); every event when `wanted` is empty."""
    if not wanted:
        return Q()
    exact = [kind for kind in wanted if not kind.endswith(".*")]
    found = Q(type__in=exact) if exact else Q(pk__in=[])
    for kind in wanted:
        if kind.endswith(".*"):
            found |= Q(type__startswith=kind[:-1])
    return found
