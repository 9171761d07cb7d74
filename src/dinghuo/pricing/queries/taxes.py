"""Tax reads for staff: a tenant's tax rates and a seller's tax policy."""

from django.db.models import QuerySet

from dinghuo.core.queries import seller_for, tenant_row
from dinghuo.pricing.models import TaxPolicy, TaxRate
from dinghuo.pricing.tax import Rounding


def tax_rates(
    tenant_id: int, *, country: str | None = None, category_id: int | None = None
) -> QuerySet[TaxRate]:
    """The tenant's tax rates with their seller, optionally of one destination country or
    one tax category."""
    qs = TaxRate.objects.filter(tenant_id=tenant_id).select_related("seller")
    if country is not None:
        qs = qs.filter(country=country)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    return qs


def tax_rate(tenant_id: int, tax_rate_id: int) -> TaxRate:
    """One of the tenant's tax rates with its seller; else 404."""
    return tenant_row(
        TaxRate.objects.select_related("seller"),
        tenant_id,
        tax_rate_id,
        f"No tax rate {tax_rate_id}.",
    )


def tax_policy(tenant_id: int, seller_slug: str | None = None) -> tuple[str, Rounding]:
    """The seller's slug and its rounding rule (per line without a policy of its own)."""
    seller = seller_for(tenant_id, seller_slug)
    rounding = TaxPolicy.objects.filter(seller=seller).values_list("rounding", flat=True).first()
    return seller.slug, Rounding(rounding or Rounding.LINE)
