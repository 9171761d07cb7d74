"""RFC 9457 problem+json answers for every error the API can give."""

import logging
from typing import Any

import orjson
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from dinghuo.core import outage
from dinghuo.core.errors import DomainError

log = logging.getLogger(__name__)

HTTP_ERROR_CODES = {
    400: "malformed_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    429: "rate_limited",
}


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A problem+json response with a stable machine `code`."""
    body: dict[str, Any] = {
        "type": f"https://dinghuo.dev/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = HttpResponse(
        orjson.dumps(body), status=status, content_type="application/problem+json"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def database_unavailable() -> HttpResponse:
    """503 `database_unavailable`: the database could not be reached; the same request will
    work once it is back (an order with the same Idempotency-Key is placed at most once)."""
    return problem(
        503,
        "database_unavailable",
        "Database unavailable",
        "The database cannot be reached just now; retry shortly.",
        headers={"Retry-After": str(outage.RETRY_AFTER_SECONDS)},
    )


def _field_path(loc: list[Any] | tuple[Any, ...]) -> str:
    # Ninja prefixes locations with the parameter source and name: ("body", "payload", "lines", 3)
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header"}:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def _validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    out = []
    for error in exc.errors:
        out.append(
            {
                "field": _field_path(error.get("loc", ())),
                "code": str(error.get("type", "invalid")),
                "message": str(error.get("msg", "Invalid value")),
            }
        )
    return out


def install(api: NinjaAPI) -> None:
    """Register the problem+json handlers on `api`."""

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return problem(
            exc.status,
            exc.code,
            exc.title,
            exc.detail,
            [e.as_dict() for e in exc.errors],
            exc.headers,
        )

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return problem(
            422,
            "invalid_request",
            "Invalid request",
            "The request does not match the schema; see errors.",
            _validation_errors(exc),
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(
            401,
            "unauthenticated",
            "Unauthenticated",
            "A valid API key is required (Authorization: Bearer <key>).",
            headers={"WWW-Authenticate": "Bearer"},
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        code = HTTP_ERROR_CODES.get(status, "http_error")
        return problem(status, code, code.replace("_", " ").capitalize(), str(exc))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(404, "not_found", "Not found", "No such resource.")

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return problem(413, "request_too_large", "Request too large", "The body is too large.")

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        if outage.is_database_unavailable(exc):
            log.warning("Database unavailable on %s %s: %s", request.method, request.path, exc)
            outage.drop_broken_connections()
            return database_unavailable()
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return problem(500, "internal_error", "Internal error", "Something went wrong on our side.")
