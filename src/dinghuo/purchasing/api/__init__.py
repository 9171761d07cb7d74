"""Purchasing over HTTP (staff routes): suppliers, supplier items, reorder rules, the
purchasing policy, purchase orders (with their transitions and receipts), replenishment
suggestions and stock with its incoming. Mounted by `config.api` at /."""

from ninja import Router

from dinghuo.purchasing.api import orders, suppliers

router = Router()
router.add_router("", suppliers.router)
router.add_router("", orders.router)

__all__ = ["router"]
