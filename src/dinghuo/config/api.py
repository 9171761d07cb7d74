"""/api/v1/: each app's staff routes, and its buyer routes under /my with buyer-key auth."""

from dinghuo.api.auth import BuyerKeyAuth
from dinghuo.api.root import new_api
from dinghuo.audit import api as audit
from dinghuo.billing import api as billing
from dinghuo.bulk import api as bulk
from dinghuo.buying import api as buying
from dinghuo.catalog import api as catalog
from dinghuo.catalog import api_images as catalog_images
from dinghuo.customers import api as customers
from dinghuo.edi import api as edi
from dinghuo.fulfilment import api as fulfilment
from dinghuo.integrations import api as integrations
from dinghuo.integrations import api_webhooks
from dinghuo.inventory import api as inventory
from dinghuo.orders import api as orders
from dinghuo.orders import api_amendments, api_short_close, api_stock_arrivals
from dinghuo.pricing import api as pricing
from dinghuo.privacy import api as privacy
from dinghuo.punchout import api as punchout
from dinghuo.purchasing import api as purchasing
from dinghuo.returns import api as returns
from dinghuo.stocktaking import api as stocktaking

api = new_api()

api.add_router("/", catalog.router)
api.add_router("/", catalog_images.router)
api.add_router("/my", catalog.buyer_router, auth=BuyerKeyAuth())
api.add_router("/", inventory.router)
api.add_router("/", api_stock_arrivals.router)
api.add_router("/", pricing.router)
api.add_router("/my", pricing.buyer_router, auth=BuyerKeyAuth())
api.add_router("/", customers.router)
api.add_router("/my", customers.buyer_router, auth=BuyerKeyAuth())
api.add_router("/", buying.router)
api.add_router("/my", buying.buyer_router, auth=BuyerKeyAuth())
api.add_router("/", orders.router)
api.add_router("/", api_short_close.router)
api.add_router("/", api_amendments.router)
api.add_router("/", fulfilment.router)
api.add_router("/my", orders.buyer_router, auth=BuyerKeyAuth())
api.add_router("/my", api_amendments.buyer_router, auth=BuyerKeyAuth())
api.add_router("/", billing.router)
api.add_router("/my", billing.buyer_router, auth=BuyerKeyAuth())
api.add_router("/", returns.router)
api.add_router("/my", returns.buyer_router, auth=BuyerKeyAuth())
api.add_router("/", stocktaking.router)
api.add_router("/", edi.router)
api.add_router("/events", integrations.router)
api.add_router("/audit", audit.router)
api.add_router("/", api_webhooks.router)
api.add_router("/", bulk.router)
api.add_router("/", punchout.router)
api.add_router("/", privacy.router)
api.add_router("/", purchasing.router)
