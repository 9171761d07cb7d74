"""The one way the fuzz tests load our OpenAPI document: with all of schemathesis' checks,
the caller's key given at each call (so schemathesis does not generate its own), a bounded
budget per operation and derandomized runs.

One check is adapted, not left out: `positive_data_acceptance` expects a request the schema
allows to be accepted, but a schema cannot know the rows that exist or the rules of the
business (an unknown SKU, a period ending before it starts, a tier below the pack size):
those are refused with 422 and a business code (`validation_failed`, `unknown_sku`, ...).
So 422 is allowed there (and 412: a well-formed `If-Match` the fuzzer makes up is stale),
and `schema_allows_what_the_code_allows` holds the line the check
is for: a request the document allows is never refused by the schema layer itself (422
`invalid_request`), nor as unreadable (400).
"""

import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

MAX_EXAMPLES = 12  # per operation: bounded so the suite stays quick

CONFIG = {
    # The tests send a real key; a generated Authorization header would only ever be refused.
    # Text cannot hold NUL (U+0000): PostgreSQL refuses it, so the API answers 400 (README).
    "generation": {"with-security-parameters": False, "allow-x00": False},
    "checks": {
        # 304: a conditional read (`If-None-Match: *`) of a resource that has a version.
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "304", "401", "403", "404", "409", "412", "422"]
        },
        # A body past a documented size (`maxItems` of a bulk route) may be refused as too large;
        # a stale `If-Match` refuses a change before its body is judged.
        "negative_data_rejection": {
            "expected-statuses": ["400", "401", "403", "404", "405", "409", "412", "413", "422"]
        },
    },
}

fuzz_settings = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@schemathesis.check
def schema_allows_what_the_code_allows(ctx, response, case):
    """A request generated as valid is not refused for its shape (422 `invalid_request`) nor
    as unreadable (400 `malformed_request`): the document's schemas are the code's."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    refused_by_shape = {400: "malformed_request", 422: "invalid_request"}
    code = refused_by_shape.get(response.status_code)
    if code is not None and response.json().get("code") == code:
        raise AssertionError(f"A request the document allows was refused: {response.text}")
    return None


def api_schema() -> schemathesis.schemas.BaseSchema:
    """The document of /api/v1/, read from the application as a client reads it.

    Stripe's webhook is left out: only Stripe calls it, with a body signed by a secret, so
    every generated request is rightly refused (400 `invalid_signature`)."""
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json",
        get_wsgi_application(),
        config=SchemathesisConfig.from_dict(CONFIG),
    ).exclude(path="/api/v1/gateways/stripe/webhook")
