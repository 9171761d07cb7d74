"""Customer reads for the API and pages: tenant-scoped, a fixed number of queries."""

from django.db.models import Prefetch, Q, QuerySet

from dinghuo.core.errors import NotFound
from dinghuo.core.queries import tenant_row
from dinghuo.customers.models import Company, CompanyUser, Location


def companies(
    tenant_id: int, *, is_active: bool | None = None, q: str | None = None
) -> QuerySet[Company]:
    """The tenant's companies; `q` matches part of the code or the name, in any case."""
    qs = Company.objects.filter(tenant_id=tenant_id).select_related("price_list")
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return qs


def company_detail(tenant_id: int, company_id: int) -> Company:
    """One company with its price list, locations and users (three queries)."""
    return tenant_row(
        Company.objects.select_related("price_list").prefetch_related(
            Prefetch("locations", queryset=Location.objects.order_by("id")),
            Prefetch("users", queryset=CompanyUser.objects.select_related("user").order_by("id")),
        ),
        tenant_id,
        company_id,
        f"No company {company_id}.",
    )


def _require_company(tenant_id: int, company_id: int) -> None:
    if not Company.objects.filter(tenant_id=tenant_id, pk=company_id).exists():
        raise NotFound(f"No company {company_id}.")


def locations(
    tenant_id: int,
    company_id: int,
    *,
    kind: str | None = None,
    is_active: bool | None = None,
) -> QuerySet[Location]:
    """The company's locations; an unknown company (or another tenant's) is not found."""
    _require_company(tenant_id, company_id)
    qs = Location.objects.filter(tenant_id=tenant_id, company_id=company_id)
    if kind:
        qs = qs.filter(kind=kind)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


def location(tenant_id: int, company_id: int, location_id: int) -> Location:
    """One location of the company; a location of another company is not found."""
    return tenant_row(
        Location.objects.filter(company_id=company_id),
        tenant_id,
        location_id,
        f"No location {location_id} at company {company_id}.",
    )


def company_users(
    tenant_id: int, company_id: int, *, role: str | None = None
) -> QuerySet[CompanyUser]:
    """The company's users with their sign-ins; an unknown company is not found."""
    _require_company(tenant_id, company_id)
    qs = CompanyUser.objects.filter(tenant_id=tenant_id, company_id=company_id).select_related(
        "user"
    )
    if role:
        qs = qs.filter(role=role)
    return qs


def company_user(tenant_id: int, company_id: int, company_user_id: int) -> CompanyUser:
    """One user of the company, with the sign-in; a user of another company is not found."""
    return tenant_row(
        CompanyUser.objects.select_related("user").filter(company_id=company_id),
        tenant_id,
        company_user_id,
        f"No user {company_user_id} at company {company_id}.",
    )
