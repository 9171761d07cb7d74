"""Pricing reads: tenant-scoped, a fixed number of queries each.

What a company pays (`company_pricing`, then the price book of some SKUs, `price_book`), why a
line costs what it costs (`explain`), what a company may see (`visibility`), the lists staff
maintain (`listings`), and the sellers' tax rates and policies (`taxes`). Callers import them
from here (`from dinghuo.pricing import queries`).
"""

from dinghuo.pricing.queries.company_pricing import CompanyPricing, company_pricing
from dinghuo.pricing.queries.explanations import Explanation, explain
from dinghuo.pricing.queries.fx import (
    STALE_AFTER_DAYS,
    CurrencyInUse,
    currencies_in_use,
    exchange_rates,
    rate_on,
    rates_on,
    rates_page,
    require_rate,
)
from dinghuo.pricing.queries.listings import (
    assignment,
    assignments,
    assortment,
    assortments,
    contract_price,
    contract_prices,
    ladders,
    price_list,
    price_lists,
    priced_skus,
    promotion,
    promotions,
    sku_terms,
)
from dinghuo.pricing.queries.price_book import PriceBook, book_for, price_book
from dinghuo.pricing.queries.taxes import tax_policy, tax_rate, tax_rates
from dinghuo.pricing.queries.visibility import visibility, visible_skus_filter

__all__ = [
    "STALE_AFTER_DAYS",
    "CompanyPricing",
    "CurrencyInUse",
    "Explanation",
    "PriceBook",
    "assignment",
    "assignments",
    "assortment",
    "assortments",
    "book_for",
    "company_pricing",
    "contract_price",
    "contract_prices",
    "currencies_in_use",
    "exchange_rates",
    "explain",
    "ladders",
    "price_book",
    "price_list",
    "price_lists",
    "priced_skus",
    "promotion",
    "promotions",
    "rate_on",
    "rates_on",
    "rates_page",
    "require_rate",
    "sku_terms",
    "tax_policy",
    "tax_rate",
    "tax_rates",
    "visibility",
    "visible_skus_filter",
]
