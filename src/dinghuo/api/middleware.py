"""Guards in front of the API that no endpoint should have to repeat."""

from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

from dinghuo.api.auth import presented_caller
from dinghuo.api.problems import HTTP_ERROR_CODES, problem
from dinghuo.core import rate_limits
from dinghuo.core.errors import RateLimited, TenantSuspended
from dinghuo.core.security import client_address
from dinghuo.core.services import Caller

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiProblemMiddleware:
    """Keep every API error a problem+json answer, even those made outside the API's views.

    Django answers unknown routes and methods with HTML, and `core.input_guard` refuses
    unreadable input (NUL characters) with an HTML page; those are rewritten here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            ("application/problem+json", "application/json")
        ):
            status = response.status_code
            code = HTTP_ERROR_CODES.get(status, "internal_error" if status >= 500 else "http_error")
            rewritten = problem(status, code, code.replace("_", " ").capitalize(), "See code.")
            if response.has_header("Allow"):
                rewritten["Allow"] = response["Allow"]
            return rewritten
        return response


class NotModifiedMiddleware:
    """A read that carries an `ETag` answers 304 with no body when the request's
    `If-None-Match` names it (RFC 9110 §13.1.2: weak comparison, `*` matches): a client
    polling a resource downloads it only when it changed. Only that header is looked at."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and response.has_header("ETag")
            and request.path.startswith("/api/")
        ):
            held = request.headers.get("If-None-Match")
            if held is not None and still_current(held, response["ETag"]):
                not_modified = HttpResponseNotModified()
                not_modified["ETag"] = response["ETag"]
                return not_modified
        return response


def still_current(if_none_match: str, etag: str) -> bool:
    """Whether `If-None-Match` names the current tag (weakly: `W/"x"` is `"x"`), or is `*`."""
    if if_none_match.strip() == "*":
        return True
    current = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == current for tag in if_none_match.split(","))


class RateLimits:
    """Every API request is counted before anything else is done with it: under its API key
    (reads and writes apart, at the key's tenant's limits) or, without a live key, under the
    client's address (`core.security.client_address`: a forged X-Forwarded-For is believed
    only from a trusted proxy). Past the limit it answers 429 `rate_limited` and nothing
    runs; every answer tells the limit, what is left and when the window ends."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        key = None
        try:
            caller, limit = counted_as(request)
            key = presented_caller(request)  # (read once: the answer above kept it)
        except DatabaseError:  # the API's own handlers answer the outage (503) below
            caller, limit = anonymous(request)
        except TenantSuspended as refused:  # its key is refused before anything runs
            return problem(refused.status, refused.code, refused.title, refused.detail)
        verdict = rate_limits.count(caller, limit=limit)
        if verdict.allowed and key is not None and key.per_address_per_minute is not None:
            verdict = _per_address(request, key, verdict)
        if verdict.allowed:
            response = self.get_response(request)
        else:
            refusal = RateLimited(
                f"At most {verdict.limit} such requests a minute; "
                f"retry in {verdict.reset} seconds.",
                retry_after=verdict.reset,
            )
            response = problem(refusal.status, refusal.code, refusal.title, refusal.detail)
        for name, value in verdict.headers().items():
            response[name] = value
        return response


def counted_as(request: HttpRequest) -> tuple[str, int]:
    """Whom the request is counted for, and their limit per minute."""
    key = presented_caller(request)
    if key is None:
        return anonymous(request)
    if request.method in _READS:
        limit = key.reads_per_minute or settings.DINGHUO_API_READS_PER_MINUTE
        return f"key:{key.key_prefix}:read", limit
    limit = key.writes_per_minute or settings.DINGHUO_API_WRITES_PER_MINUTE
    return f"key:{key.key_prefix}:write", limit


def _per_address(
    request: HttpRequest, key: Caller, verdict: rate_limits.Verdict
) -> rate_limits.Verdict:
    """The key's tenant limits all its keys' requests from one address: that count too
    (only for tenants with the limit; its value came with the key, no query). The answer
    tells whichever of the two limits has less left."""
    address = rate_limits.count(
        f"tenant:{key.tenant_id}:address:{client_address(request)}",
        limit=key.per_address_per_minute or 0,
    )
    return address if not address.allowed or address.remaining < verdict.remaining else verdict


def anonymous(request: HttpRequest) -> tuple[str, int]:
    """A request without a live key is counted under the client's address."""
    return f"address:{client_address(request)}", settings.DINGHUO_API_ANONYMOUS_PER_MINUTE
