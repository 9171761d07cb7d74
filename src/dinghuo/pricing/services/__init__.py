"""Pricing writes: price lists and their tier ladders, who the lists are offered to, contract
prices, promotions, company SKU terms, assortments, tax rates and exchange rates.

Each service is one transaction, records its events and, refused, changes nothing. One module
per aggregate; callers import them from here (`from dinghuo.pricing import services`).
"""

from dinghuo.pricing.services.assignments import (
    assign_price_list,
    change_assignment,
    remove_assignment,
)
from dinghuo.pricing.services.assortments import (
    AssortmentMembers,
    assortment_members,
    create_assortment,
    update_assortment,
)
from dinghuo.pricing.services.contracts import (
    contract_ladder,
    create_contract_price,
    delete_contract_price,
    update_contract_price,
)
from dinghuo.pricing.services.fx import (
    MAX_RATES,
    Rate,
    RatesSet,
    decode_csv,
    import_rates_csv,
    rate_errors,
    set_rates,
)
from dinghuo.pricing.services.price_lists import (
    PriceChange,
    PriceEntry,
    create_price_list,
    ladder_out,
    replace_prices,
    update_price_list,
)
from dinghuo.pricing.services.promotions import (
    PromotionTargets,
    create_promotion,
    promotion_payload,
    promotion_targets,
    update_promotion,
)
from dinghuo.pricing.services.shared import Ladder
from dinghuo.pricing.services.tax_rates import (
    create_tax_rate,
    delete_tax_rate,
    overlaps,
    set_tax_policy,
    tax_rate_errors,
    tax_rate_payload,
    update_tax_rate,
)
from dinghuo.pricing.services.terms import SkuTerms, replace_sku_terms

__all__ = [
    "MAX_RATES",
    "AssortmentMembers",
    "Ladder",
    "PriceChange",
    "PriceEntry",
    "PromotionTargets",
    "Rate",
    "RatesSet",
    "SkuTerms",
    "assign_price_list",
    "assortment_members",
    "change_assignment",
    "contract_ladder",
    "create_assortment",
    "create_contract_price",
    "create_price_list",
    "create_promotion",
    "create_tax_rate",
    "decode_csv",
    "delete_contract_price",
    "delete_tax_rate",
    "import_rates_csv",
    "ladder_out",
    "overlaps",
    "promotion_payload",
    "promotion_targets",
    "rate_errors",
    "remove_assignment",
    "replace_prices",
    "replace_sku_terms",
    "set_rates",
    "set_tax_policy",
    "tax_rate_errors",
    "tax_rate_payload",
    "update_assortment",
    "update_contract_price",
    "update_price_list",
    "update_promotion",
    "update_tax_rate",
]
