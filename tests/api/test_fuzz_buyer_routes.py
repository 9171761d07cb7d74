"""Every buyer route (/my/…), fuzzed with a company admin's buyer key (the other fuzz test
uses a staff key, which these routes refuse before reading anything)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from tests.builders import add_buyer

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application()).include(
    path_regex=r"^/api/v1/my/"
)


@pytest.fixture
def buyer_key(world):
    _, api = add_buyer(world, "fuzz@buyer.test", role="admin")
    api.post("/my/cart/lines", {"sku": "A-1", "quantity": 2})
    return api.headers["Authorization"]


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_buyer_request_causes_a_server_error(case, buyer_key):
    case.headers = {**(case.headers or {}), "Authorization": buyer_key}
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
    if response.status_code >= 400:
        assert response.json()["code"]
