"""Schemathesis generates requests from our own OpenAPI document and runs all of its checks on
every answer: no 5xx, every status, content type, header and body as the document says,
data the schema refuses refused, data it allows not refused for its shape."""

import pytest

from tests.api.fuzzing import api_schema, fuzz_settings

# The buyer routes refuse a staff key before reading anything: test_fuzz_buyer_routes has them.
schema = api_schema().exclude(path_regex=r"^/api/v1/my/")


@pytest.fixture
def key(world):
    return world.key


@schema.parametrize()
@fuzz_settings
def test_every_answer_matches_the_document(case, key):
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"})
