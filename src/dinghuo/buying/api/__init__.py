"""Carts, requisition lists, reorder, quotes and the company's catalogue: staff routes and
buyer routes (/my/…), one module each.

A buyer acts on their own cart and on their company's lists, orders and quotes; another
company's list, order or quote is "not found". Staff fill one cart per company on its behalf.

`router` and `buyer_router` carry no tags of their own: each module's router has its tag
("buying", "buyer: buying"; the catalogue's routes keep "catalog"), so that an operation is
tagged once.
"""

from ninja import Router

from dinghuo.buying.api import carts, catalogue, lists, quotes, reorder

router = Router()
router.add_router("", carts.router)
router.add_router("", lists.router)
router.add_router("", reorder.router)
router.add_router("", quotes.router)
router.add_router("", catalogue.router)

buyer_router = Router()
buyer_router.add_router("", carts.buyer_router)
buyer_router.add_router("", lists.buyer_router)
buyer_router.add_router("", reorder.buyer_router)
buyer_router.add_router("", quotes.buyer_router)
buyer_router.add_router("", catalogue.buyer_router)
