"""The API object of /api/v1/: its parser, renderer, operation ids and error handlers."""

from typing import Any

import orjson
from django.http import HttpRequest
from ninja import NinjaAPI, Router
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.renderers import BaseRenderer

from dinghuo.api import problems
from dinghuo.api.auth import ApiKeyAuth
from dinghuo.api.openapi import DinghuoOpenAPISchema


def whole_numbers_as_integers(value: Any) -> Any:
    """`value` with every float that is a whole number (`94.0`) made an int: in JSON, and so
    in the OpenAPI document's JSON Schema, `94.0` is the integer 94, while the bodies' strict
    schemas take only ints where they ask for integers (no field takes a float)."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, list):
        return [whole_numbers_as_integers(item) for item in value]
    if isinstance(value, dict):
        return {key: whole_numbers_as_integers(item) for key, item in value.items()}
    return value


class OrjsonParser(Parser):
    """Strict, fast JSON: refuses non-UTF-8 bytes, NaN, lone surrogates and NUL characters."""

    def parse_body(self, request: HttpRequest) -> Any:
        body = request.body
        if b"\\u0000" in body:  # PostgreSQL text cannot hold NUL
            raise ValueError("NUL characters are not allowed in strings")
        return whole_numbers_as_integers(orjson.loads(body))


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data, default=str)


class DinghuoAPI(NinjaAPI):
    """The Ninja API with operation ids that do not move when an app's `api` module is split
    into a package: `dinghuo_<app>_api_<function>`, as a generated client names them; an
    exact OpenAPI document (`api.openapi`); answers written with the fields' wire names."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        app_api = operation.view_func.__module__.split(".")[:3]
        return "_".join([*app_api, operation.view_func.__name__])

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return DinghuoOpenAPISchema(self, path_prefix)

    def add_router(self, prefix: str, router: Router | str, **options: Any) -> None:
        """Mount `router`; what its operations answer is serialised by alias (`zh-hant`), as
        the document says, should a route return a value rather than a response."""
        super().add_router(prefix, router, **options)
        if isinstance(router, Router):
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    operation.by_alias = True


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
