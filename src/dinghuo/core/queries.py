"""Reads every app needs: one row of the tenant, the seller a request names, its API limits."""

from typing import TypeVar

from django.db.models import Model, QuerySet

from dinghuo.core.errors import FieldError, NotFound, ValidationFailed
from dinghuo.core.models import Seller, TenantApiLimits

M = TypeVar("M", bound=Model)


def tenant_row(queryset: QuerySet[M], tenant_id: int, pk: int, missing: str) -> M:
    """The row `pk` of `queryset` if it is the tenant's, else NotFound with `missing` as detail.

    Another tenant's row answers 404 exactly like a row that does not exist, never 403.
    """
    found = queryset.filter(tenant_id=tenant_id, pk=pk).first()
    if found is None:
        raise NotFound(missing)
    return found


def seller_for(tenant_id: int, slug: str | None) -> Seller:
    """The seller named by `slug`, or the tenant's own store; 422 `unknown_seller` if none."""
    sellers = Seller.objects.filter(tenant_id=tenant_id)
    seller = (sellers.filter(slug=slug) if slug else sellers.filter(is_primary=True)).first()
    if seller is None:
        raise ValidationFailed(
            "Unknown seller.", errors=[FieldError("seller", "unknown_seller", f"No seller {slug}")]
        )
    return seller


def api_limits(tenant_id: int) -> TenantApiLimits | None:
    """The tenant's own API rate limits, or None while it has the defaults."""
    return TenantApiLimits.objects.filter(tenant_id=tenant_id).first()
