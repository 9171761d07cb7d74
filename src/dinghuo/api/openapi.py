"""The OpenAPI document of /api/v1/, exact about what the API answers.

Ninja documents the success answers the routes declare; this adds, for every operation, the
error answers it really gives (problem+json, see `problems.py`), decided from what the
operation reads (auth, path ids, query, body) and whether it writes; it writes answers with
the wire names (`zh-hant`, not `zh_hant`); it states the `Idempotency-Key` header's limits and
whether the operation requires it; and it refuses two different schemas under one name
(Ninja would silently keep the last one, documenting some operation with the wrong shape).
"""

from http.client import responses as reasons
from typing import Any

from ninja.constants import NOT_SET
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from dinghuo.api.schemas import REQUIRED_KEY
from dinghuo.core.idempotency import KEY_PATTERN, MAX_KEY_LENGTH
from dinghuo.core.permissions import PERMISSIONS, ROLES

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM = "#/components/schemas/Problem"
IDEMPOTENCY_KEY = "Idempotency-Key"
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PAGING = frozenset({"after", "limit"})

PROBLEM_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "title": "Problem",
        "description": "RFC 9457 problem details, with a stable machine `code`.",
        "type": "object",
        "properties": {
            "type": {"type": "string", "description": "https://dinghuo.dev/problems/<code>"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "code": {"type": "string", "description": "Stable machine code"},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldProblem"}},
        },
        "required": ["type", "title", "status", "code", "detail"],
    },
    "FieldProblem": {
        "title": "FieldProblem",
        "description": "What is wrong with one field (`lines[2].quantity`, `Idempotency-Key`).",
        "type": "object",
        "properties": {
            "field": {"type": "string"},
            "code": {"type": "string"},
            "message": {"type": "string"},
        },
        "required": ["field", "code", "message"],
    },
}

_ERROR_MEANINGS = {
    400: "The request cannot be read (malformed JSON or form, NUL characters)",
    401: "No API key, or not a valid one",
    403: "The key lacks the scope, is of the wrong kind (staff/buyer) or the role may not",
    404: "Something the request names does not exist (or is another tenant's)",
    409: "Conflicts with the current state (a transition not allowed, a duplicate, a reused "
    "Idempotency-Key)",
    412: "`If-Match` names a version the resource no longer has: read it again and reapply "
    "the change (nothing was changed)",
    413: "The body is too large",
    422: "The request does not match the schema or the business rules; see `errors`",
    429: "Too many requests from this API key (or, without one, this address; or, where the "
    "tenant limits it, from this address with any of its keys) in the window: nothing was "
    "done; retry after `Retry-After` seconds",
    503: "The database is unavailable or busy; retry after `Retry-After` seconds",
}
_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}},
}
_WWW_AUTHENTICATE = {"WWW-Authenticate": {"schema": {"type": "string"}}}
# On every answer (api.middleware.RateLimits; draft-ietf-httpapi-ratelimit-headers-07).
RATE_LIMIT_HEADERS = {
    "RateLimit-Policy": {
        "description": "The limit and its window in seconds: `600;w=60`",
        "schema": {"type": "string"},
        "required": True,
    },
    "RateLimit": {
        "description": "`limit=600, remaining=12, reset=31`: requests left in this window "
        "and the seconds until it ends",
        "schema": {"type": "string"},
        "required": True,
    },
}


def idempotency_key_schema() -> dict[str, Any]:
    """The schema of the `Idempotency-Key` header: what `core.idempotency.check_key` takes."""
    return {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": KEY_PATTERN}


def error_statuses(operation: Operation, parameters: list[dict[str, Any]], body: bool) -> set[int]:
    """The error statuses `operation` can answer, from what it reads and whether it writes."""
    statuses = {400, 429, 503}
    if operation.auth_callbacks:
        statuses |= {401, 403}
    writes = bool(_WRITES & set(operation.methods))
    names = {(p["in"], p["name"]) for p in parameters}
    in_path = any(where == "path" for where, _ in names)
    filters = any(where == "query" and name not in _PAGING for where, name in names)
    if in_path or body or filters:
        statuses.add(404)
    if writes:
        statuses |= {409, 422}
    if ("header", "If-Match") in names:
        statuses.add(412)
    if body:
        statuses.add(413)
    if parameters:
        statuses.add(422)
    return statuses


def problem_answer(status: int) -> dict[str, Any]:
    """The documented problem+json answer of one error status."""
    answer: dict[str, Any] = {
        "description": _ERROR_MEANINGS[status],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM}}},
    }
    if status in (429, 503):
        answer["headers"] = dict(_RETRY_AFTER)
    elif status == 401:
        answer["headers"] = _WWW_AUTHENTICATE
    return answer


_ETAG = {"ETag": {"description": "This version of the answer", "schema": {"type": "string"}}}


def conditional_read(read: dict[str, Any]) -> None:
    """Document a read that carries an `ETag`: `If-None-Match` and its 304."""
    read.setdefault("parameters", []).append(
        {
            "in": "header",
            "name": "If-None-Match",
            "required": False,
            "description": "The `ETag` you hold: 304 with no body while it is still current",
            "schema": {"type": "string"},
        }
    )
    read["responses"][200].setdefault("headers", {}).update(_ETAG)
    read["responses"][304] = {
        "description": "Not modified: the `ETag` in `If-None-Match` is still current",
        "headers": {**_ETAG, **RATE_LIMIT_HEADERS},
    }


def role_permission(operation: Operation, details: dict[str, Any]) -> None:
    """State the staff permission a route needs (`x-permission`) and which roles have it,
    in its 403 answer (`role_forbids` for a key of another role)."""
    needed = {getattr(auth, "permission", None) for auth in operation.auth_callbacks or []}
    needed.discard(None)
    if len(needed) != 1 or 403 not in details["responses"]:
        return
    permission = needed.pop()
    if permission not in PERMISSIONS:
        return  # a route that names none: only owner keys (see `api.auth.UNDECLARED`)
    roles = ", ".join(r.value for r in ROLES if r in PERMISSIONS[permission].roles)
    details["x-permission"] = permission
    answer = dict(details["responses"][403])
    answer["description"] = (
        f"{answer['description']}: `role_forbids` unless the key's role has "
        f"`{permission}` ({roles})"
    )
    details["responses"][403] = answer


class DinghuoOpenAPISchema(OpenAPISchema):
    """Ninja's document generator, made exact about errors, aliases, headers and names."""

    def __init__(self, api: Any, path_prefix: str) -> None:
        super().__init__(api, path_prefix)
        self.add_schema_definitions(PROBLEM_SCHEMAS)

    def operation_details(self, operation: Operation) -> dict[str, Any]:
        """One operation, with its error answers and its Idempotency-Key stated."""
        details: dict[str, Any] = super().operation_details(operation)
        parameters = details["parameters"]
        for parameter in parameters:
            if parameter["in"] == "header" and parameter["name"] == IDEMPOTENCY_KEY:
                # (`RequiredIdempotencyKey` is told apart by its description.)
                parameter["required"] = parameter.get("description") == REQUIRED_KEY
                parameter["schema"] = idempotency_key_schema()
                parameter["description"] += (
                    "; the same key and body give the first answer again, another body 409"
                )
        answers = details["responses"]
        for status in sorted(error_statuses(operation, parameters, "requestBody" in details)):
            answers.setdefault(status, problem_answer(status))
        role_permission(operation, details)
        for status, answer in answers.items():
            if int(status) >= 400:  # a route's own words for an error keep their example
                problem = answer.setdefault("content", {}).setdefault(PROBLEM_MEDIA_TYPE, {})
                problem["schema"] = {"$ref": PROBLEM}
            answer["headers"] = {**answer.get("headers", {}), **RATE_LIMIT_HEADERS}
        return details

    def responses(self, operation: Operation) -> dict[int, Any]:
        """The success answers, written with the fields' wire names (their aliases)."""
        result: dict[int, Any] = {}
        for status, model in operation.response_models.items():
            if status is Ellipsis:
                continue
            result[status] = {"description": reasons.get(status, "")}
            if model not in (None, NOT_SET):
                schema = self._create_schema_from_model(model, by_alias=True, mode="serialization")
                media = {self.api.renderer.media_type: {"schema": schema[0]}}
                result[status]["content"] = media
        return result

    def get_paths(self) -> dict[str, Any]:
        """Every path; a resource whose changes take `If-Match` is read with an `ETag` and
        answers a conditional read (`If-None-Match`) with 304 (`api.middleware`)."""
        paths: dict[str, Any] = super().get_paths()
        for operations in paths.values():
            read = operations.get("get")
            if read is not None and any(
                {"in": "header", "name": "If-Match"}.items()
                <= {k: p.get(k) for k in ("in", "name")}.items()
                for method in ("put", "patch")
                for p in operations.get(method, {}).get("parameters", [])
            ):
                conditional_read(read)
        return paths

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        """Keep `definitions`, refusing a name already given to a different schema."""
        for name, schema in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != schema:
                raise ValueError(f"Two different schemas are named {name!r} in the API")
        self.schemas.update(definitions)
