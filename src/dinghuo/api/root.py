"""The API object of /api/v1/: its parser, renderer, operation ids and error handlers."""

from typing import Any

import orjson
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.operation import Operation
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


class DinghuoAPI(NinjaAPI):
    """The Ninja API with operation ids that do not move when an app's `api` module is split
    into a package: `dinghuo_<app>_api_<function>`, as a generated client names them."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        app_api = operation.view_func.__module__.split(".")[:3]
        return "_".join([*app_api, operation.view_func.__name__])


def new_api() -> NinjaAPI:
    """The API object at /api/v1/ with its parser, renderer, key auth and problem handlers;
    `config.api` mounts the apps' routers on it."""
    api = DinghuoAPI(
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
    return api
