"""Idempotent creates: same key + same request → the stored answer; other request → 409.

The record is claimed inside the caller's transaction (insert-or-nothing, then a row lock), so
twenty concurrent requests with one key wait on the first and then replay its answer; if the
first fails, its record rolls back with it and the next one does the work.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from django.db import connection
from django.utils import timezone

from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.core.models import IdempotencyRecord

# The column holds 255; a buyer key is stored with a prefix of up to 32 characters.
MAX_KEY_LENGTH = 200
# Printable ASCII, not beginning or ending with a space (HTTP would strip it): what a header
# carries intact. The OpenAPI document states this pattern, so a client can check a key.
KEY_PATTERN = rf"^[!-~]([ -~]{{0,{MAX_KEY_LENGTH - 2}}}[!-~])?$"
_KEY = re.compile(KEY_PATTERN)


@dataclass(frozen=True)
class Replay:
    status: int
    body: Any


@dataclass(frozen=True)
class Outcome:
    """What a create answered: its status and body, and whether this was a replay."""

    status: int
    body: Any
    replayed: bool


def request_fingerprint(method: str, path: str, body: Any) -> str:
    """A hash of what the request asks for, independent of JSON key order and spacing."""
    canonical = orjson.dumps([method, path, body], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


def check_key(key: str) -> None:
    """Refuse keys outside `KEY_PATTERN` (empty, over-long, not printable ASCII) first."""
    if _KEY.fullmatch(key) is None:
        raise ValidationFailed(
            f"Idempotency-Key must be 1–{MAX_KEY_LENGTH} printable ASCII characters.",
            code="invalid_idempotency_key",
            errors=[
                FieldError(
                    "Idempotency-Key", "invalid", f"1–{MAX_KEY_LENGTH} printable ASCII characters"
                )
            ],
        )


def claim(tenant_id: int, key: str, fingerprint: str) -> tuple[IdempotencyRecord, Replay | None]:
    """Claim `key` in the current transaction; return the earlier answer if there is one.

    The insert holds the new row (and makes a concurrent insert of the same key wait for this
    transaction); only when the key already exists is the row read and locked.
    """
    table = IdempotencyRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (tenant_id, key, request_hash, created_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s) ON CONFLICT (tenant_id, key) DO NOTHING RETURNING id",
            [tenant_id, key, fingerprint, timezone.now()],
        )
        inserted = cursor.fetchone()
    if inserted is not None:
        return IdempotencyRecord(id=inserted[0], tenant_id=tenant_id, key=key), None
    record = IdempotencyRecord.objects.select_for_update().get(tenant_id=tenant_id, key=key)
    if record.request_hash != fingerprint:
        raise Conflict(
            "This Idempotency-Key was already used with a different request.",
            code="idempotency_key_reused",
        )
    if record.response_status is not None:
        return record, Replay(record.response_status, record.response_body)
    return record, None


def store(record: IdempotencyRecord, status: int, body: Any) -> None:
    """Keep the answer with the key, in the same transaction as the change it describes."""
    record.response_status = status
    record.response_body = body
    # A plain UPDATE: `save()` costs more CPU than the statement on the hot path.
    body_field = IdempotencyRecord._meta.get_field("response_body")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {IdempotencyRecord._meta.db_table} "  # noqa: S608
            "SET response_status = %s, response_body = %s WHERE id = %s",
            [status, body_field.get_db_prep_save(body, connection), record.pk],
        )


def run_once(
    *,
    tenant_id: int,
    key: str,
    scope: str = "",
    method: str,
    path: str,
    request_body: Any,
    create: Callable[[], tuple[int, Any]],
) -> Outcome:
    """Run `create` in one transaction (retried on deadlock) once per key: the first request
    with `key` creates and keeps its answer; a repeat of the same request gets that answer
    back; another request with the same key is 409 `idempotency_key_reused`.

    The one way every create path (the API's Idempotency-Key, the pages' one-time form
    tokens) makes a repeated submit harmless. `create` returns (status, JSON-able body).
    `scope` keeps the keys of one caller apart from another's (`buyer-12:`); the limit of
    `MAX_KEY_LENGTH` is on the key as the caller gave it.
    """
    check_key(key)
    fingerprint = request_fingerprint(method, path, request_body)

    def once() -> Outcome:
        record, replay = claim(tenant_id, scope + key, fingerprint)
        if replay is not None:
            return Outcome(replay.status, replay.body, replayed=True)
        status, body = create()
        store(record, status, body)
        return Outcome(status, body, replayed=False)

    return atomic_with_retry(once)
