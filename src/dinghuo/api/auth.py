"""API-key authentication: `Authorization: Bearer <key>` or `X-API-Key: <key>`, scoped."""

from django.http import HttpRequest
from ninja.security.base import AuthBase

from dinghuo.core.errors import PermissionDenied
from dinghuo.core.services import Caller, authenticate_api_key

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiKeyAuth(AuthBase):
    """Finds the key, and refuses a write with a read-only key (403 `insufficient_scope`).

    Staff routes take seller keys only; buyer routes (`BuyerKeyAuth`) take buyer keys only."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    for_buyers = False

    def __call__(self, request: HttpRequest) -> Caller | None:
        key = presented_caller(request)
        if key is None:
            return None
        needed = "read" if request.method in _READ_METHODS else "write"
        if needed not in key.scopes:
            raise PermissionDenied(
                f"This API key lacks the '{needed}' scope.", code="insufficient_scope"
            )
        if key.is_buyer and not self.for_buyers:
            raise PermissionDenied(
                "A buyer's API key works on the buyer routes (/api/v1/my/…) only.",
                code="staff_key_required",
            )
        if self.for_buyers and not key.is_buyer:
            raise PermissionDenied(
                "These routes act as a company user: use a buyer's API key.",
                code="buyer_key_required",
            )
        return key


class BuyerKeyAuth(ApiKeyAuth):
    """Auth of the buyer routes: the key of one company user, acting as them."""

    for_buyers = True


def presented_caller(request: HttpRequest) -> Caller | None:
    """The live key the request presents, if any; read once per request (the rate limits
    look before the API's auth does, `api.middleware.RateLimits`)."""
    if _CALLER in request.__dict__:
        found: Caller | None = request.__dict__[_CALLER]
        return found
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    token = token or request.headers.get("X-API-Key", "").strip()
    # A NUL cannot be in a key, and PostgreSQL cannot be asked about one (core.input_guard
    # refuses the request after the rate limits have counted it).
    found = authenticate_api_key(token) if token and "\x00" not in token else None
    request.__dict__[_CALLER] = found
    return found


_CALLER = "dinghuo_api_caller"


def tenant_id(request: HttpRequest) -> int:
    """The tenant the authenticated key belongs to."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return caller.tenant_id


def buyer(request: HttpRequest) -> Caller:
    """The buyer a buyer route acts as (company user, company, role)."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return caller
