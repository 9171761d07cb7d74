"""Schemathesis generates requests from our own OpenAPI document: no request may cause a 5xx."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

# The buyer routes refuse a staff key before reading anything: test_fuzz_buyer_routes has them.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application()).exclude(
    path_regex=r"^/api/v1/my/"
)

MAX_EXAMPLES = 12  # per operation: bounded so the suite stays quick


@pytest.fixture
def key(world):
    return world.key


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_causes_a_server_error(case, key):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {key}"}
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
    if response.status_code >= 400:
        assert response.headers.get("content-type", [""])[0].startswith(
            "application/problem+json"
        ), response.headers
        assert response.json()["code"]
