"""Generated requests on the company self-service routes, with a company admin's key and all
of schemathesis' checks (the shared fuzz test uses a staff key, which these routes refuse
before reading anything)."""

import pytest
from hypothesis import settings

from tests.api.fuzzing import api_schema, fuzz_settings
from tests.customers.buyers import buyer_client

schema = api_schema().include(path_regex=r"^/api/v1/my/(company|users|locations)")


@pytest.fixture
def admin_key(world):
    _, client = buyer_client(world.company, "fuzz@buyer.test", "admin")
    return client.headers["Authorization"]


@schema.parametrize()
@settings(fuzz_settings, max_examples=15)
def test_every_answer_to_a_company_admin_matches_the_document(case, admin_key):
    case.call_and_validate(headers={"Authorization": admin_key})
