"""Buyer companies over HTTP: customer groups, companies, their locations, users, buyer API
keys and credit lines (staff routes), and a company's own self-service (buyer routes, /my).

`router` and `buyer_router` carry no tags of their own: each module's router has its tag, so
that an operation is tagged once."""

from ninja import Router

from dinghuo.customers.api import companies, credit, groups, locations, my, users

router = Router()
router.add_router("", groups.router)
router.add_router("", companies.router)
router.add_router("", credit.router)
router.add_router("", locations.router)
router.add_router("", users.router)

buyer_router = Router()
buyer_router.add_router("", my.router)
