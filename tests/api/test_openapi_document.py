"""The OpenAPI document says what the API really does: one schema per name, answers by their
wire names, error answers, Idempotency-Key, PATCH nulls and cursors as the code takes them."""

import json
from typing import Any

import jsonschema_rs
import pytest
from ninja import Router, Schema
from ninja.constants import NOT_SET
from ninja.schema import NinjaGenerateJsonSchema

from dinghuo.api.root import new_api
from dinghuo.config.api import api
from dinghuo.core.idempotency import KEY_PATTERN

DOCUMENT: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))
PATHS = DOCUMENT["paths"]
SCHEMAS = DOCUMENT["components"]["schemas"]


def _valid(name: str, value: Any) -> bool:
    """Whether `value` is valid against the document's schema `name`."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": {"schemas": SCHEMAS}}
    return jsonschema_rs.validator_for(schema).is_valid(value)


def _matches(schema: dict[str, Any], value: Any) -> bool:
    return jsonschema_rs.validator_for(schema).is_valid(value)


def _operations() -> list[Any]:
    return [
        operation
        for bound in api._get_bound_routers()
        for view in bound.path_operations.values()
        for operation in view.operations
    ]


def _named_schemas(model: Any, mode: str) -> dict[str, Any]:
    schema = model.model_json_schema(
        ref_template="#/components/schemas/{model}",
        by_alias=True,
        schema_generator=NinjaGenerateJsonSchema,
        mode=mode,
    )
    # Ninja wraps each body, parameter set and answer in a model of its own, whose level the
    # document leaves out: the schemas it keeps are the wrapper's definitions.
    return dict(schema.get("$defs", {}))


def test_no_two_different_schemas_share_a_name():
    """Walk every operation's parameters, body and answers: one name, one schema."""
    seen: dict[str, tuple[str, str]] = {}
    clashes = set()
    for operation in _operations():
        models = [(model, "validation") for model in operation.models]
        models += [
            (model, "serialization")
            for model in operation.response_models.values()
            if model not in (None, NOT_SET)
        ]
        for model, mode in models:
            for name, schema in _named_schemas(model, mode).items():
                text = json.dumps(schema, sort_keys=True)
                first = seen.setdefault(name, (text, operation.view_func.__name__))
                if first[0] != text:
                    clashes.add((name, first[1], operation.view_func.__name__))
    assert clashes == set()


def test_a_name_given_to_two_schemas_stops_the_document():
    router = Router()

    def first() -> type[Schema]:
        class Answer(Schema):
            changed: int

        return Answer

    def second() -> type[Schema]:
        class Answer(Schema):
            direction: str

        return Answer

    router.add_api_operation("/one", ["GET"], lambda request: {}, response=first())
    router.add_api_operation("/two", ["GET"], lambda request: {}, response=second())
    colliding = new_api()
    colliding.urls_namespace = "colliding"
    colliding.add_router("/", router)
    with pytest.raises(ValueError, match="'Answer'"):
        colliding.get_openapi_schema(path_prefix="/x/")


def test_the_replaced_ladders_answer_is_documented_with_its_own_shape():
    answer = PATHS["/api/v1/price-lists/{price_list_id}/prices"]["put"]["responses"]["200"]
    name = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(SCHEMAS[name]["properties"]) == {"changed", "unchanged"}


def test_translated_names_are_documented_as_they_are_answered(world):
    api_client = world.client()
    product_id = world.skus["A-1"].product_id
    answer = api_client.get(f"/products/{product_id}").json()
    assert set(answer["name"]) == {"en", "zh-hant", "zh-hans"}
    assert set(SCHEMAS["TranslationsOut"]["properties"]) == {"en", "zh-hant", "zh-hans"}
    assert set(SCHEMAS["NameIn"]["properties"]) == {"en", "zh-hant", "zh-hans"}
    assert _valid("ProductOut", answer)


def _responses(method: str, path: str) -> dict[str, Any]:
    return PATHS[f"/api/v1{path}"][method]["responses"]


def test_every_operation_documents_its_error_answers_as_problems():
    for path, methods in PATHS.items():
        for method, operation in methods.items():
            statuses = {int(status) for status in operation["responses"]}
            assert {400, 429, 503} <= statuses, (method, path)
            if operation.get("security"):
                assert {401, 403} <= statuses, (method, path)
            if "{" in path:
                assert 404 in statuses, (method, path)
            if "requestBody" in operation:
                assert {413, 422} <= statuses, (method, path)
            if method != "get":
                assert 409 in statuses, (method, path)
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    assert list(answer["content"]) == ["application/problem+json"]
                    problem = answer["content"]["application/problem+json"]
                    assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert set(_responses("get", "/categories")) == {
        "200",
        "400",
        "401",
        "403",
        "422",
        "429",
        "503",
    }


def test_every_answer_documents_the_rate_limit_headers_and_429_when_to_retry():
    for path, methods in PATHS.items():
        for method, operation in methods.items():
            for status, answer in operation["responses"].items():
                headers = answer["headers"]
                assert headers["RateLimit"]["required"] is True, (method, path, status)
                assert headers["RateLimit-Policy"]["required"] is True, (method, path, status)
            refused = operation["responses"]["429"]
            assert set(refused["headers"]) == {"Retry-After", "RateLimit", "RateLimit-Policy"}


def test_a_real_problem_answer_matches_the_problem_schema(world):
    answer = world.client().post("/orders", {"lines": []}, key="k-1")
    assert answer.status_code == 422
    assert _valid("Problem", answer.json())


def _header(method: str, path: str, name: str) -> dict[str, Any]:
    parameters = PATHS[f"/api/v1{path}"][method]["parameters"]
    return next(p for p in parameters if p["name"] == name)


def test_idempotency_key_is_documented_with_its_limits_and_where_it_is_required():
    for method, path, required in [
        ("post", "/orders", True),
        ("post", "/payments", True),
        ("post", "/my/cart/checkout", True),
        ("post", "/products", False),
    ]:
        header = _header(method, path, "Idempotency-Key")
        assert header["required"] is required, path
        assert header["schema"] == {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "pattern": KEY_PATTERN,
        }


@pytest.mark.parametrize(
    ("key", "status"), [("a" * 200, 201), ("a" * 201, 422), (" lead", 422), ("é", 422)]
)
def test_the_code_takes_the_idempotency_keys_the_document_allows(world, key, status):
    body = {"code": "P-KEY", "name": {"en": "Keyed"}}
    answer = world.client().post("/products", body, key=key)
    assert answer.status_code == status
    assert _matches({"type": "string", "pattern": KEY_PATTERN}, key) is (status == 201)


def test_patch_fields_are_nullable_only_where_null_means_something(world):
    patch = SCHEMAS["ProductPatch"]["properties"]
    assert patch["code"]["type"] == "string" and "anyOf" not in patch["code"]
    assert {"type": "null"} in patch["category_id"]["anyOf"]
    product_id = world.skus["A-1"].product_id
    refused = world.client().send("PATCH", f"/products/{product_id}", json.dumps({"code": None}))
    assert refused.status_code == 422
    cleared = world.client().send(
        "PATCH", f"/products/{product_id}", json.dumps({"category_id": None})
    )
    assert cleared.status_code == 200


def test_the_cursor_pattern_is_what_the_lists_take(world):
    after = _header("get", "/products", "after")["schema"]["anyOf"][0]
    for cursor, status in [("", 200), ("12", 200), ("²", 422), ("abc", 422), ("1" * 19, 422)]:
        assert _matches(after, cursor) is (status == 200), cursor
        assert world.client().get("/products", after=cursor).status_code == status, cursor


def test_the_rule_of_at_least_one_unit_is_stated_and_kept(world):
    line = SCHEMAS["OrderLineIn"]["properties"]["quantity"]
    assert line["minimum"] == 1
    zero = world.client().place(world.order_body(("A-1", 0)), key="zero")
    assert zero.status_code == 422
    assert zero.json()["code"] != "invalid_request"  # the service's own words for it
    assert SCHEMAS["SkuIn"]["properties"]["pack_size"]["minimum"] == 1


def test_stripped_text_states_that_whitespace_alone_is_not_text(world):
    name = SCHEMAS["WarehouseIn"]["properties"]["name"]
    assert not _matches(name, "\v ") and _matches(name, " x ")
    refused = world.client().post("/warehouses", {"code": "blank", "name": "\v "})
    assert refused.status_code == 422


def test_days_are_iso_text_only(world):
    company = world.company.pk
    assert world.client().get(f"/companies/{company}/statement", to="0").status_code == 422
    assert world.client().get(f"/companies/{company}/statement", to="2026-01-31").status_code == 200
