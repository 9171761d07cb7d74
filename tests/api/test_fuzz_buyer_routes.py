"""Every buyer route (/my/…), fuzzed with a company admin's buyer key and all of
schemathesis' checks (the other fuzz test uses a staff key, which these routes refuse before
reading anything)."""

import pytest

from tests.api.fuzzing import api_schema, fuzz_settings
from tests.builders import add_buyer

schema = api_schema().include(path_regex=r"^/api/v1/my/")


@pytest.fixture
def buyer_key(world):
    _, api = add_buyer(world, "fuzz@buyer.test", role="admin")
    api.post("/my/cart/lines", {"sku": "A-1", "quantity": 2})
    return api.headers["Authorization"]


@schema.parametrize()
@fuzz_settings
def test_every_buyer_answer_matches_the_document(case, buyer_key):
    case.call_and_validate(headers={"Authorization": buyer_key})
