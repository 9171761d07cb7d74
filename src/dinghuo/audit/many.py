"""Many audit entries in one statement, whatever their number: the rows travel as one JSON
parameter that the database unpacks (`json_each` on SQLite, `jsonb_to_recordset` on
PostgreSQL). A bulk write of 1,000 products then costs one more query, not one per batch
of SQLite's 999 parameters."""

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection

from dinghuo.audit.models import AuditEntry

_COLUMNS = (
    ("tenant_id", "integer"),
    ("at", "timestamptz"),
    ("actor_kind", "text"),
    ("actor_user_id", "integer"),
    ("actor_key", "text"),
    ("actor_label", "text"),
    ("via", "text"),
    ("client_address", "text"),
    ("action", "text"),
    ("object_type", "text"),
    ("object_id", "text"),
    ("object_label", "text"),
    ("subject_user_id", "integer"),
    ("before", "jsonb"),
    ("after", "jsonb"),
)
_NAMES = ", ".join(f'"{name}"' for name, _ in _COLUMNS)
_SQLITE = (
    f"INSERT INTO audit_auditentry ({_NAMES}) SELECT "  # noqa: S608 (constant SQL)
    + ", ".join(
        f"json_extract(value, '$[{i}]')"
        if kind != "jsonb"
        else f"json(json_extract(value, '$[{i}]'))"
        for i, (_, kind) in enumerate(_COLUMNS)
    )
    + " FROM json_each(%s)"
)
_POSTGRESQL = (
    f"INSERT INTO audit_auditentry ({_NAMES}) SELECT {_NAMES} "  # noqa: S608 (constant SQL)
    "FROM jsonb_to_recordset(%s::jsonb) AS x("
    + ", ".join(f'"{name}" {kind}' for name, kind in _COLUMNS)
    + ")"
)


def _row(entry: AuditEntry) -> list[Any]:
    return [
        entry.tenant_id,
        entry.at.isoformat()
        if connection.vendor == "postgresql"
        else connection.ops.adapt_datetimefield_value(entry.at),
        entry.actor_kind,
        entry.actor_user_id,
        entry.actor_key,
        entry.actor_label,
        entry.via,
        entry.client_address,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_label,
        entry.subject_user_id,
        entry.before,
        entry.after,
    ]


def _as_object(row: list[Any]) -> dict[str, Any]:
    return {name: value for (name, _), value in zip(_COLUMNS, row, strict=True)}


def insert(entries: Sequence[AuditEntry]) -> None:
    """Insert `entries` in one statement (none: no statement)."""
    if not entries:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_POSTGRESQL, [json.dumps([_as_object(_row(e)) for e in entries])])
        else:
            cursor.execute(_SQLITE, [json.dumps([_row(e) for e in entries])])
