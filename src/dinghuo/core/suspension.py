"""A suspended tenant's pages: the page that says so, instead of the page asked for.

The doors that find who a person is (the back office's `staff_of`, the portal's `buyer_of`,
used on every page and at sign-in) raise `TenantSuspended` when that person's tenant is
suspended; this middleware turns it into a 403 page in the visitor's language, so a suspended
tenant's people are neither shown a page nor signed in, and nothing is changed. The API turns
the same error into problem+json (`api.problems`).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from dinghuo.core.error_pages import error_page
from dinghuo.core.errors import TenantSuspended

SUSPENDED_TITLE = _("Account suspended")
SUSPENDED_TEXT = _("This seller's account is suspended. Contact the platform's operator.")
SUSPENDED_HINT = _("Nothing of the account was changed; it works again once it is reactivated.")


class SuspendedTenantPages:
    """Answers a page that raised `TenantSuspended` with the 403 page saying so."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, TenantSuspended):
            return None
        return error_page(
            request,
            403,
            title=SUSPENDED_TITLE,
            explanation=SUSPENDED_TEXT,
            hint=SUSPENDED_HINT,
            testid="tenant-suspended",
        )
