"""Running a write request in one transaction and answering with JSON; a create runs once
per Idempotency-Key."""

from collections.abc import Callable
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse

from dinghuo.api.auth import tenant_id
from dinghuo.core import idempotency
from dinghuo.core.db import atomic_with_retry

JsonResult = tuple[int, Any]


def json_response(status: int, body: Any, *, replayed: bool = False) -> HttpResponse:
    response = HttpResponse(orjson.dumps(body), status=status, content_type="application/json")
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def run_change(change: Callable[[], Any]) -> HttpResponse:
    """Run a change and the read of its answer in one transaction (see `atomic_with_retry`),
    and answer 200 with what `change` returns."""
    return json_response(200, atomic_with_retry(change))


def run_create(
    request: HttpRequest, key: str | None, body: Any, create: Callable[[], JsonResult]
) -> HttpResponse:
    """Run `create` in one transaction (retried on deadlock), once per key when a key is given."""
    if key is None:
        return json_response(*atomic_with_retry(create))

    idempotency.check_key(key)
    fingerprint = idempotency.request_fingerprint(request.method or "POST", request.path, body)
    tenant = tenant_id(request)
    caller = request.auth  # type: ignore[attr-defined]
    if caller.is_buyer:
        # Buyers choose their keys independently: one buyer's key must not collide with another's.
        key = f"buyer-{caller.company_user_id}:{key}"

    def once() -> tuple[int, Any, bool]:
        record, replay = idempotency.claim(tenant, key, fingerprint)
        if replay is not None:
            return replay.status, replay.body, True
        status, result = create()
        idempotency.store(record, status, result)
        return status, result, False

    status, result, replayed = atomic_with_retry(once)
    return json_response(status, result, replayed=replayed)
