"""What a company with an assortment may see and buy, as a filter on SKUs."""

from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from dinghuo.catalog.models import Category, Product
from dinghuo.customers.models import Company
from dinghuo.pricing.models import Assortment


def _company_groups(company_id: int) -> QuerySet[Any]:
    return Company.groups.through.objects.filter(company_id=company_id).values("customergroup_id")


def _assortments_of(tenant_id: int, company_id: int, groups: Any) -> QuerySet[Assortment]:
    through = Assortment.companies.through.objects.filter(company_id=company_id)
    by_group = Assortment.customer_groups.through.objects.filter(customergroup_id__in=groups)
    return Assortment.objects.filter(
        Q(id__in=through.values("assortment_id")) | Q(id__in=by_group.values("assortment_id")),
        tenant_id=tenant_id,
    )


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _descendants_sql(tenant_id: int, company_id: int) -> RawSQL:
    """The categories listed in the company's assortments and every category below them."""
    listed = Assortment.categories.through.objects.filter(
        assortment_id__in=_assortments_of(
            tenant_id, company_id, _company_groups(company_id)
        ).values("id")
    ).values("category_id")
    sql, params = listed.query.sql_with_params()
    table, parent = _quoted(Category._meta.db_table), _quoted("parent_id")
    # Compiled by the ORM, with its parameters apart; only quoted identifiers are added.
    return RawSQL(  # noqa: S611
        f"WITH RECURSIVE down(id) AS ({sql} UNION "  # noqa: S608
        f"SELECT c.{_quoted('id')} FROM {table} c JOIN down ON c.{parent} = down.id) "
        "SELECT id FROM down",
        params,
    )


def visibility(tenant_id: int, company_id: int) -> Q:
    """A filter on SKUs for what a company with an assortment may see and buy (no query)."""
    assortments = _assortments_of(tenant_id, company_id, _company_groups(company_id))
    listed = Assortment.skus.through.objects.filter(assortment_id__in=assortments.values("id"))
    # Both on the SKU's own indexed columns (id, product_id), not through a join, so that
    # PostgreSQL can find the visible SKUs by index rather than test every SKU in id order.
    in_categories = Product.objects.filter(
        category_id__in=_descendants_sql(tenant_id, company_id)
    ).values("id")
    return Q(pk__in=listed.values("sku_id")) | Q(product_id__in=in_categories)


def visible_skus_filter(tenant_id: int, company_id: int) -> Q | None:
    """A filter on SKUs for what the company may see and buy (one query to learn whether it
    has an assortment at all); None: it has none and sees the whole catalogue."""
    groups = _company_groups(company_id)
    if not _assortments_of(tenant_id, company_id, groups).exists():
        return None
    return visibility(tenant_id, company_id)
