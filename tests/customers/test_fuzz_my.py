"""Generated requests on the company self-service routes, with a company admin's key (the
shared fuzz test uses a staff key, which these routes refuse before reading anything)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from tests.customers.buyers import buyer_client

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application()).include(
    path_regex=r"^/api/v1/my/(company|users|locations)"
)


@pytest.fixture
def admin_key(world):
    _, client = buyer_client(world.company, "fuzz@buyer.test", "admin")
    return client.headers["Authorization"]


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_request_of_a_company_admin_causes_a_server_error(case, admin_key):
    case.headers = {**(case.headers or {}), "Authorization": admin_key}
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
    if response.status_code >= 400:
        assert response.json()["code"]
