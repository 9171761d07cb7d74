"""The API object: /api/v1/, its renderer and parser, its error handlers and its routers."""

from typing import Any

import orjson
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.parser import Parser
from ninja.renderers import BaseRenderer

from dinghuo.api import problems
from dinghuo.api.auth import ApiKeyAuth


class OrjsonParser(Parser):
    """Strict, fast JSON: refuses non-UTF-8 bytes, NaN, lone surrogates and NUL characters."""

    def parse_body(self, request: HttpRequest) -> Any:
        body = request.body
        if b"\\u0000" in body:  # PostgreSQL text cannot hold NUL
            raise ValueError("NUL characters are not allowed in strings")
        return orjson.loads(body)


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data, default=str)


api = NinjaAPI(
    title="Dinghuo API",
    version="1",
    description="Ordering platform API. Authenticate with `Authorization: Bearer <api key>`.",
    auth=ApiKeyAuth(),
    parser=OrjsonParser(),
    renderer=OrjsonRenderer(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
problems.install(api)


def _mount() -> None:
    from dinghuo.catalog.api import router as catalog_router
    from dinghuo.customers.api import router as customers_router
    from dinghuo.integrations.api import router as events_router
    from dinghuo.inventory.api import router as inventory_router
    from dinghuo.orders.api import router as orders_router
    from dinghuo.pricing.api import router as pricing_router

    api.add_router("/", catalog_router)
    api.add_router("/", inventory_router)
    api.add_router("/", pricing_router)
    api.add_router("/", customers_router)
    api.add_router("/orders", orders_router)
    api.add_router("/events", events_router)


_mount()
