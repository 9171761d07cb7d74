"""API-key authentication: `Authorization: Bearer <key>` or `X-API-Key: <key>`, scoped."""

from django.http import HttpRequest
from ninja.security.base import AuthBase

from dinghuo.core.errors import PermissionDenied
from dinghuo.core.services import Caller, authenticate_api_key

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiKeyAuth(AuthBase):
    """Finds the key, and refuses a write with a read-only key (403 `insufficient_scope`)."""

    openapi_type = "http"
    openapi_scheme = "bearer"

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
        return key


def tenant_id(request: HttpRequest) -> int:
    """The tenant the authenticated key belongs to."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return caller.tenant_id
