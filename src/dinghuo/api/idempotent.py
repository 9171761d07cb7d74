"""Running a create request once per Idempotency-Key, and answering with JSON."""

from collections.abc import Callable
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse

from dinghuo.api.auth import tenant_id
from dinghuo.core import idempotency
from dinghuo.core.db import atomic_with_retry, set_lock_timeout

JsonResult = tuple[int, Any]


def json_response(status: int, body: Any, *, replayed: bool = False) -> HttpResponse:
    response = HttpResponse(orjson.dumps(body), status=status, content_type="application/json")
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def run_create(
    request: HttpRequest, key: str | None, body: Any, create: Callable[[], JsonResult]
) -> HttpResponse:
    """Run `create` in one transaction (retried on deadlock), once per key when a key is given."""
    if key is None:

        def plain() -> JsonResult:
            set_lock_timeout()
            return create()

        return json_response(*atomic_with_retry(plain))

    idempotency.check_key(key)
    fingerprint = idempotency.request_fingerprint(request.method or "POST", request.path, body)
    tenant = tenant_id(request)

    def once() -> tuple[int, Any, bool]:
        set_lock_timeout()
        record, replay = idempotency.claim(tenant, key, fingerprint)
        if replay is not None:
            return replay.status, replay.body, True
        status, result = create()
        idempotency.store(record, status, result)
        return status, result, False

    status, result, replayed = atomic_with_retry(once)
    return json_response(status, result, replayed=replayed)
