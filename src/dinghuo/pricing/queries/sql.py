"""The hand-written statements of the price book: table names, and running one.

On the hot path the ORM spent several times longer building these statements than the
database spent running them (docs/api-and-runtime.md, "The hot path's SQL"), so they are
written out. Booleans are tested bare and compared as truthy: SQLite keeps them as 0/1.
"""

from collections.abc import Iterable
from functools import cache
from typing import Any

from django.db import connection

from dinghuo.catalog.models import Category, Product, Sku
from dinghuo.customers.models import Company, CustomerGroup
from dinghuo.pricing.models import (
    Assortment,
    CompanySkuTerms,
    ContractPrice,
    ContractPriceTier,
    PriceList,
    PriceListAssignment,
    PriceTier,
    Promotion,
)


@cache
def tables() -> dict[str, str]:
    """Quoted table names of the hand-written statements, by the name they use."""
    q = connection.ops.quote_name
    return {
        "company": q(Company._meta.db_table),
        "company_groups": q(Company.groups.through._meta.db_table),
        "price_list": q(PriceList._meta.db_table),
        "assignment": q(PriceListAssignment._meta.db_table),
        "group": q(CustomerGroup._meta.db_table),
        "terms": q(CompanySkuTerms._meta.db_table),
        "assortment_companies": q(Assortment.companies.through._meta.db_table),
        "assortment_groups": q(Assortment.customer_groups.through._meta.db_table),
        "promotion": q(Promotion._meta.db_table),
        "promotion_skus": q(Promotion.skus.through._meta.db_table),
        "promotion_categories": q(Promotion.categories.through._meta.db_table),
        "promotion_groups": q(Promotion.customer_groups.through._meta.db_table),
        "price_tier": q(PriceTier._meta.db_table),
        "contract": q(ContractPrice._meta.db_table),
        "contract_tier": q(ContractPriceTier._meta.db_table),
        "assortment_skus": q(Assortment.skus.through._meta.db_table),
        "assortment_categories": q(Assortment.categories.through._meta.db_table),
        "category": q(Category._meta.db_table),
        "sku": q(Sku._meta.db_table),
        "product": q(Product._meta.db_table),
    }


def rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """The rows of a statement whose `{table}` names are filled in from `tables()`."""
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**tables()), params)
        found: list[tuple[Any, ...]] = cursor.fetchall()
        return found


def placeholders(values: Iterable[Any]) -> str:
    """One `%s` for each value, separated by commas (for `IN (…)`)."""
    return ", ".join("%s" for _ in values)
