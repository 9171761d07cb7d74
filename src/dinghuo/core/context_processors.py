"""What every page's layout needs besides Django's own: the tenant's branding and the
languages it offers."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from dinghuo.core.branding import page_brand


def brand(request: HttpRequest) -> dict[str, Any]:
    """The branding of the tenant whose page this is (the signed-in staff member's or
    buyer's, set on the request by the back office's and portal's access checks), read
    lazily so that pages without a tenant pay nothing."""
    who = getattr(request, "staff", None) or getattr(request, "buyer", None)
    tenant_id = getattr(who, "tenant_id", None)
    if tenant_id is None:
        return {}
    # The language switch offers only the tenant's languages.
    return {
        "brand": SimpleLazyObject(lambda: page_brand(tenant_id)),
        "tenant_languages": getattr(who, "languages", ()),
    }
