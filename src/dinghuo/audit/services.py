"""Recording writes in the audit log: one call in the service that makes the write.

- `created(obj)` / `deleted(obj)`: after creating, before deleting a row.
- `with watching(obj): ...` around a change of one row: the fields that moved are recorded
  with their values before and after (nothing when nothing moved).
- `changed(obj, before)`: the same, with a `snapshot(obj)` taken earlier by the caller.
- `record(...)`: anything else (a change written with `.update()`, a bulk write).

The actor (person, API key, import, worker) comes from `core.actors.current()`. Each call
writes in the caller's transaction, so a write that rolls back leaves no entry.
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.utils import timezone

from dinghuo.audit import many
from dinghuo.audit.models import AuditEntry
from dinghuo.core import actors

# Never copied into the log: secrets (hashes included) and binary content.
SECRET_FIELDS = frozenset(
    {"password", "secret_hash", "secret", "previous_secret", "content", "token_hash"}
)
Snapshot = dict[str, Any]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: Model) -> Snapshot:
    """The row's stored fields as JSON values (foreign keys by id), secrets left out."""
    return {
        field.attname: _plain(field.value_from_object(obj))
        for field in obj._meta.concrete_fields
        if field.name not in SECRET_FIELDS and field.attname not in ("tenant_id",)
    }


def members(obj: Model, *names: str) -> Snapshot:
    """The ids of `obj`'s many-to-many relations `names`, sorted: recorded beside its
    fields (`wrote`), since a row's own columns do not hold them."""
    return {name: sorted(getattr(obj, name).values_list("pk", flat=True)) for name in names}


def object_type(obj: Model | type[Model]) -> str:
    """How the log names a table: "<app>.<model>"."""
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _subject(obj: Model) -> int | None:
    """The person a row is about: a user's own id, a company user's or staff member's user."""
    if obj._meta.label_lower == "auth.user":
        return int(obj.pk)
    field = next((f for f in obj._meta.concrete_fields if f.name == "user"), None)
    # A `user` that is not a sign-in account (a punch-out connection's company user) is not
    # the person: their id would name someone else.
    if field is None or field.related_model is not get_user_model():
        return None
    user_id = getattr(obj, "user_id", None)
    return int(user_id) if isinstance(user_id, int) else None


def _entry(
    tenant_id: int,
    action: str,
    kind: str,
    object_id: Any,
    *,
    label: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    subject_user_id: int | None = None,
) -> AuditEntry:
    actor = actors.current()
    return AuditEntry(
        tenant_id=tenant_id,
        at=timezone.now(),
        actor_kind=actor.kind,
        actor_user_id=actor.user_id,
        actor_key=actor.key,
        actor_label=actor.label[:200],
        via=actor.via,
        client_address=actor.address[:64],
        action=action,
        object_type=kind,
        object_id=str(object_id),
        object_label=label[:200],
        subject_user_id=subject_user_id,
        before=dict(before or {}),
        after=dict(after or {}),
    )


def record(
    *,
    tenant_id: int,
    action: str,
    object_type: str,
    object_id: Any,
    label: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    subject_user_id: int | None = None,
) -> AuditEntry:
    """Record one write of `object_type` `object_id` (values JSON-ready) by the current actor."""
    entry = _entry(
        tenant_id,
        action,
        object_type,
        object_id,
        label=label,
        before=before,
        after=after,
        subject_user_id=subject_user_id,
    )
    entry.save(force_insert=True)
    return entry


def _tenant_of(obj: Model, tenant_id: int | None) -> int:
    found = tenant_id if tenant_id is not None else getattr(obj, "tenant_id", None)
    if found is None:
        raise ValueError(f"{object_type(obj)} has no tenant: pass tenant_id")
    return int(found)


def created(obj: Model, *, tenant_id: int | None = None) -> AuditEntry:
    """Record that `obj` was created (every field, as saved)."""
    return record(
        tenant_id=_tenant_of(obj, tenant_id),
        action=AuditEntry.Action.CREATED,
        object_type=object_type(obj),
        object_id=obj.pk,
        label=str(obj),
        after=snapshot(obj),
        subject_user_id=_subject(obj),
    )


def deleted(obj: Model, *, tenant_id: int | None = None) -> AuditEntry:
    """Record that `obj` is being removed (every field, as it was). Call before deleting."""
    return record(
        tenant_id=_tenant_of(obj, tenant_id),
        action=AuditEntry.Action.DELETED,
        object_type=object_type(obj),
        object_id=obj.pk,
        label=str(obj),
        before=snapshot(obj),
        subject_user_id=_subject(obj),
    )


def difference(before: Snapshot, after: Snapshot) -> tuple[Snapshot, Snapshot]:
    """The fields that moved: their values before and after."""
    moved = [name for name in after if before.get(name) != after[name]]
    return {n: before.get(n) for n in moved}, {n: after[n] for n in moved}


def changed(obj: Model, before: Snapshot, *, tenant_id: int | None = None) -> AuditEntry | None:
    """Record the fields of `obj` that moved since `before` (a `snapshot`); None if none."""
    old, new = difference(before, snapshot(obj))
    if not new:
        return None
    return record(
        tenant_id=_tenant_of(obj, tenant_id),
        action=AuditEntry.Action.CHANGED,
        object_type=object_type(obj),
        object_id=obj.pk,
        label=str(obj),
        before=old,
        after=new,
        subject_user_id=_subject(obj),
    )


@contextmanager
def watching(obj: Model, *, tenant_id: int | None = None) -> Iterator[None]:
    """Around the change of one row: on leaving the block, record the fields that moved."""
    before = snapshot(obj)
    yield
    changed(obj, before, tenant_id=tenant_id)


def created_many(objs: Iterable[Model], *, tenant_id: int | None = None) -> None:
    """Record the creation of many rows in one insert (a bulk write)."""
    entries = [
        _entry(
            _tenant_of(obj, tenant_id),
            AuditEntry.Action.CREATED,
            object_type(obj),
            obj.pk,
            label=str(obj),
            after=snapshot(obj),
        )
        for obj in objs
    ]
    many.insert(entries)


def changed_many(pairs: Iterable[tuple[Model, Snapshot]], *, tenant_id: int | None = None) -> None:
    """Record many changed rows (each with the `snapshot` taken before) in one insert."""
    entries = []
    for obj, before in pairs:
        old, new = difference(before, snapshot(obj))
        if new:
            entries.append(
                _entry(
                    _tenant_of(obj, tenant_id),
                    AuditEntry.Action.CHANGED,
                    object_type(obj),
                    obj.pk,
                    label=str(obj),
                    before=old,
                    after=new,
                )
            )
    many.insert(entries)


def wrote(
    obj: Model,
    action: str,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    tenant_id: int | None = None,
) -> AuditEntry | None:
    """Record a write of `obj` described by the caller (JSON-ready values): for a row with
    parts (a contract's tiers, a list's members) whose own fields do not tell the change.
    A change keeps only the keys that moved; None when none did."""
    old, new = dict(before or {}), dict(after or {})
    if action == AuditEntry.Action.CHANGED:
        old, new = difference(_plain(old), _plain(new))
        if not new and not old:
            return None
    return record(
        tenant_id=_tenant_of(obj, tenant_id),
        action=action,
        object_type=object_type(obj),
        object_id=obj.pk,
        label=str(obj),
        before=_plain(old),
        after=_plain(new),
        subject_user_id=_subject(obj),
    )
