"""Helpers of the audit tests: the key prefix of an API key, the entries of one object."""

from typing import Any

from dinghuo.audit.models import AuditEntry


def prefix_of(secret: str) -> str:
    """The prefix of a key's secret "dh_<prefix>_<random>"."""
    return secret.split("_")[1]


def entries_of(object_type: str, object_id: Any) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("id")
    )


def only_entry(object_type: str, object_id: Any) -> AuditEntry:
    found = entries_of(object_type, object_id)
    assert len(found) == 1, found
    return found[0]
