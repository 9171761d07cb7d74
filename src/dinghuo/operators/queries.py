"""What the operator console shows of each tenant: who it is and how big it has grown.

Reads other apps' tables (orders, products, companies, people, files) for a count each, in
one query for every tenant together; the staff count reaches the back office's table (the
exception named in pyproject.toml).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Length

from dinghuo.backoffice.models import StaffMember
from dinghuo.bulk.models import ImportRun
from dinghuo.catalog.models import Product
from dinghuo.core.models import Tenant
from dinghuo.customers.models import Company, CompanyUser
from dinghuo.orders.models import Order
from dinghuo.returns.models import ReturnPhoto


@dataclass(frozen=True)
class TenantSize:
    id: int
    slug: str
    name: str
    status: str
    languages: str
    time_zone: str
    created_at: datetime
    orders: int
    products: int
    companies: int
    users: int
    storage_bytes: int

    @property
    def is_suspended(self) -> bool:
        return self.status == Tenant.Status.SUSPENDED


def _count(model: type, **extra: object) -> Coalesce:
    rows = (
        model.objects.filter(tenant=OuterRef("pk"), **extra)  # type: ignore[attr-defined]
        .order_by()
        .values("tenant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _bytes(model: type, expression: object) -> Coalesce:
    rows = (
        model.objects.filter(tenant=OuterRef("pk"))  # type: ignore[attr-defined]
        .order_by()
        .values("tenant")
        .annotate(n=Sum(expression))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def tenant_sizes() -> list[TenantSize]:
    """Every tenant, newest first, with its orders, products, buyer companies, people
    (buyers and staff) and stored files (return photos, import files) in bytes; one query."""
    rows = Tenant.objects.annotate(
        n_orders=_count(Order),
        n_products=_count(Product),
        n_companies=_count(Company),
        n_buyers=_count(CompanyUser),
        n_staff=_count(StaffMember),
        photo_bytes=_bytes(ReturnPhoto, "size"),
        import_bytes=_bytes(ImportRun, Length("content")),
    ).order_by("-created_at", "-pk")
    return [
        TenantSize(
            t.pk,
            t.slug,
            t.name,
            t.status,
            t.languages,
            t.time_zone,
            t.created_at,
            t.n_orders,
            t.n_products,
            t.n_companies,
            t.n_buyers + t.n_staff,
            t.photo_bytes + t.import_bytes,
        )
        for t in rows
    ]


def tenant_by_slug(slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug).first()
