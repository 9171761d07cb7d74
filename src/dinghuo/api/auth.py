"""API-key authentication: `Authorization: Bearer <key>` or `X-API-Key: <key>`, scoped; a
seller's key also limited by its staff role (`core.permissions`)."""

from django.http import HttpRequest
from ninja.security.base import AuthBase

from dinghuo.core import actors, permissions
from dinghuo.core.errors import PermissionDenied
from dinghuo.core.services import Caller, authenticate_api_key

# What a staff route that names no permission needs: every permission, so only owner keys
# reach it until it declares one (tests/api/test_roles_walk.py fails for it meanwhile).
UNDECLARED = "*"

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiKeyAuth(AuthBase):
    """Finds the key, and refuses a write with a read-only key (403 `insufficient_scope`).

    Staff routes take seller keys only; buyer routes (`BuyerKeyAuth`) take buyer keys only."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    for_buyers = False

    def __init__(self, permission: str = UNDECLARED) -> None:
        """`permission`: what a seller's key's role must allow on the routes it guards."""
        self.permission = permission if permission == UNDECLARED else permissions.known(permission)
        super().__init__()

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
        if not key.is_buyer and not self._role_allows(key.staff_role):
            raise PermissionDenied(
                f"This API key's role ({key.staff_role}) does not allow '{self.permission}'.",
                code="role_forbids",
            )
        actors.identify_key(key.key_prefix)  # the audit log names the key as the actor
        return key

    def _role_allows(self, role: str | None) -> bool:
        if self.permission == UNDECLARED:
            return all(permissions.may(role, p) for p in permissions.PERMISSIONS)
        return permissions.may(role, self.permission)


def staff_may(permission: str) -> ApiKeyAuth:
    """The `auth=` of a staff route: `@router.post(..., auth=staff_may("orders.approve"))`;
    a seller's key whose role lacks it gets 403 `role_forbids` before the route reads
    anything (one scheme in the OpenAPI document, as every staff route had)."""
    return ApiKeyAuth(permission)


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
