"""The seller's billing policy over HTTP (staff routes): how it invoices, what its documents
print, and where its companies' receivables come from."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, seller_rows, tagged
from dinghuo.api.schemas import SellerFilter, given
from dinghuo.billing import services
from dinghuo.billing.models import BillingPolicy
from dinghuo.billing.schemas import BillingPolicyIn, BillingPolicyOut, billing_policy_out
from dinghuo.core.queries import seller_for
from dinghuo.customers import services as customers

router = Router(tags=["billing"])


def _policy(tenant: int, slug: str | None) -> dict[str, Any]:
    seller = seller_for(tenant, slug)
    return billing_policy_out(
        seller.slug,
        services.policy_for(tenant, seller.pk),
        customers.receivables_source(tenant, seller.pk),
    )


@router.get(
    "/billing-policy",
    response=BillingPolicyOut,
    summary="Read a seller's billing policy",
    auth=staff_may("billing.view"),
)
def get_billing_policy(request: HttpRequest, filters: Query[SellerFilter]) -> HttpResponse:
    """The defaults (an invoice per shipment, receivables from invoices) until it sets one.
    With its `ETag`, for `If-Match` on PUT."""
    return tagged(200, _policy(tenant_id(request), filters.seller))


@router.put(
    "/billing-policy",
    response=BillingPolicyOut,
    summary="Set a seller's billing policy",
    auth=staff_may("settings.change"),
)
def set_billing_policy(
    request: HttpRequest, payload: BillingPolicyIn, if_match: IfMatch = None
) -> HttpResponse:
    """Invoicing per shipment, weekly or monthly; the legal name, address, tax number and
    payment instructions its invoices print (from the next one issued); and whether its
    companies' receivables come from the invoices here or from its accounting system (the
    sync of PUT /companies/{id}/receivables), never both. Fields left out keep their value."""
    tenant = tenant_id(request)

    def change() -> dict[str, Any]:
        seller = seller_for(tenant, payload.seller)
        services.set_billing_policy(
            tenant_id=tenant,
            seller_id=seller.pk,
            invoicing=given(payload, "invoicing"),
            legal_name=given(payload, "legal_name"),
            address=given(payload, "address"),
            tax_number=given(payload, "tax_number"),
            payment_instructions=given(payload, "payment_instructions"),
            receivables_source=given(payload, "receivables_source"),
        )
        return _policy(tenant, payload.seller)

    return run_guarded(
        if_match,
        lock=lambda: seller_rows(tenant, payload.seller, BillingPolicy),
        read=lambda: _policy(tenant, payload.seller),
        change=change,
    )
