"""The API object: /api/v1/, its renderer and parser, its error handlers and its routers."""

from typing import Any

import orjson
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.parser import Parser
from ninja.renderers import BaseRenderer

from dinghuo.api import problems
from dinghuo.api.auth import ApiKeyAuth, BuyerKeyAuth


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
    """Each app brings a staff `router`; an app with buyer routes also a `buyer_router`,
    mounted under /my with buyer-key auth."""
    from importlib import import_module

    staff = [
        ("catalog", "/"),
        ("inventory", "/"),
        ("pricing", "/"),
        ("customers", "/"),
        ("buying", "/"),
        ("orders", "/"),
        ("integrations", "/events"),
    ]
    for app, prefix in staff:
        module = import_module(f"dinghuo.{app}.api")
        api.add_router(prefix, module.router)
        buyer_router = getattr(module, "buyer_router", None)
        if buyer_router is not None:
            api.add_router("/my", buyer_router, auth=BuyerKeyAuth())


_mount()
