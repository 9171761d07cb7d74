"""API-key authentication: `Authorization: Bearer <key>` or `X-API-Key: <key>`, scoped."""

from django.http import HttpRequest
from ninja.security.base import AuthBase

from dinghuo.core import actors
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
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        token = token or request.headers.get("X-API-Key", "").strip()
        if not token:
            return None
        key = authenticate_api_key(token)
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
        actors.identify_key(key.key_prefix)  # the audit log names the key as the actor
        return key


class BuyerKeyAuth(ApiKeyAuth):
    """Auth of the buyer routes: the key of one company user, acting as them."""

    for_buyers = True


def tenant_id(request: HttpRequest) -> int:
    """The tenant the authenticated key belongs to."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return caller.tenant_id


def buyer(request: HttpRequest) -> Caller:
    """The buyer a buyer route acts as (company user, company, role)."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return caller
