"""The one error type of the domain: a stable machine code, an HTTP status and field errors.

Services raise these; the API turns them into RFC 9457 problem+json and pages into form errors.
"""

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field (`lines[3].quantity`) or with the request as a whole."""

    field: str
    code: str
    message: str
    extra: dict[str, Any] = dataclass_field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "message": self.message, **self.extra}


class DomainError(Exception):
    """A refusal with a reason; nothing was changed."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        errors: list[FieldError] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        if status:
            self.status = status
        self.errors = errors or []
        self.headers: dict[str, str] = {}


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Not found"


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    title = "Validation failed"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "Not allowed in the current state"


class Busy(DomainError):
    """Another request holds what this one needs; retrying shortly will work."""

    status = 503
    code = "busy"
    title = "Busy, retry shortly"

    def __init__(self, detail: str = "The resource is busy; retry shortly.", retry_after: int = 1):
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class RateLimited(DomainError):
    """Too many requests from one caller in the window; nothing was done
    (`core.rate_limits`)."""

    status = 429
    code = "rate_limited"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


class TenantSuspended(DomainError):
    """The tenant's operator suspended it: its pages, sign-ins and keys are refused until it
    is reactivated; nothing of it was changed."""

    status = 403
    code = "tenant_suspended"
    title = "Tenant suspended"

    def __init__(
        self, detail: str = "This seller's account is suspended; contact the platform operator."
    ) -> None:
        super().__init__(detail)
