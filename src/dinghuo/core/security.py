"""Security headers and cookies that Django and django-csp leave to us.

- `ContentSecurityPolicy`: django-csp's middleware, with the Django admin's own policy
  (settings `DINGHUO_ADMIN_CSP`) on its pages, so the pages' strict policy need not be
  weakened for the admin theme's inline scripts and Alpine.js.
- `SecureCookiesOnHttps`: every cookie of an answer to an HTTPS request is marked Secure.
  Django's `*_COOKIE_SECURE` settings are all-or-nothing (production sets them); this covers an
  installation reached over HTTPS without being "production". Ten lines, so our own: no
  well-kept package does it.
- `client_address`: the address a request came from, through a trusted proxy if there is one.
"""

from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import NoReverseMatch, reverse


class ContentSecurityPolicy(CSPMiddleware):
    """django-csp's Content-Security-Policy, with the admin's policy under the admin's URL."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        """The policy of this answer: the admin's on the admin site, else the pages'."""
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and _in_admin(request):
            parts.config = settings.DINGHUO_ADMIN_CSP
        return parts


def _in_admin(request: HttpRequest) -> bool:
    try:
        prefix = reverse("admin:index")
    except NoReverseMatch:  # a URL configuration without the admin
        return False
    return request.path_info.startswith(prefix)


class SecureCookiesOnHttps:
    """Marks every cookie Secure when the request came over HTTPS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """Answer the request; on HTTPS, no cookie of the answer may travel over plain HTTP."""
        response = self.get_response(request)
        if request.is_secure():
            for cookie in response.cookies.values():
                cookie["secure"] = True
        return response


def client_address(request: HttpRequest) -> str:
    """The client's address: behind a trusted proxy (DINGHUO_TRUSTED_PROXY), the last address
    of X-Forwarded-For, the one our proxy added (earlier ones are the client's to invent);
    else the connection's."""
    if settings.DINGHUO_TRUSTED_PROXY:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return str(request.META.get("REMOTE_ADDR", ""))
