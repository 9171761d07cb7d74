"""Pricing over HTTP: price lists and their tier ladders, who they are offered to, contract
prices, promotions, company SKU terms, assortments, tax rates and policies, exchange rates,
and why a line costs what it costs.

`router` and `buyer_router` carry no tags of their own: each module's router has its tag, so
that an operation is tagged once."""

from ninja import Router

from dinghuo.pricing.api import (
    assignments,
    assortments,
    contracts,
    explanations,
    fx,
    price_lists,
    promotions,
    taxes,
    terms,
)

router = Router()
router.add_router("", price_lists.router)
router.add_router("", assignments.router)
router.add_router("", contracts.router)
router.add_router("", promotions.router)
router.add_router("", terms.router)
router.add_router("", assortments.router)
router.add_router("", explanations.router)
router.add_router("", taxes.router)
router.add_router("", fx.router)

buyer_router = Router()
buyer_router.add_router("", explanations.buyer_router)
