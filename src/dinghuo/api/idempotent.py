"""Running a write request in one transaction and answering with JSON; a create runs once
per Idempotency-Key."""

from collections.abc import Callable
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse

from dinghuo.api.auth import tenant_id
from dinghuo.core import idempotency
from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import FieldError, ValidationFailed

JsonResult = tuple[int, Any]


def json_response(status: int, body: Any, *, replayed: bool = False) -> HttpResponse:
    response = HttpResponse(orjson.dumps(body), status=status, content_type="application/json")
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def require_key(key: str | None, so_that: str) -> None:
    """422 `idempotency_key_required` when a create that must run once comes without its
    header (`so_that` says why, e.g. "a retried order is never placed twice")."""
    if key is None:
        raise ValidationFailed(
            f"Send an Idempotency-Key header so that {so_that}.",
            code="idempotency_key_required",
            errors=[FieldError("Idempotency-Key", "required", "Header is required")],
        )


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

    caller = request.auth  # type: ignore[attr-defined]
    outcome = idempotency.run_once(
        tenant_id=tenant_id(request),
        key=key,
        # Buyers choose their keys independently: one buyer's key must not collide with another's.
        scope=f"buyer-{caller.company_user_id}:" if caller.is_buyer else "",
        method=request.method or "POST",
        path=request.path,
        request_body=body,
        create=create,
    )
    return json_response(outcome.status, outcome.body, replayed=outcome.replayed)
