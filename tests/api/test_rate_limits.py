"""The API's rate limits: per key (reads and writes apart, the tenant's own limits), per client
address without a key, 429 `rate_limited` past the limit with nothing done, and the
`RateLimit` headers on every answer."""

import zlib

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from dinghuo.core import rate_limits
from dinghuo.core.services import create_api_key, set_api_limits
from dinghuo.orders.models import Order
from tests.builders import ApiClient

T0 = 1_800_000_000  # a fixed moment: no window ends while a test counts


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The limits' clock, held still at T0 until a test moves it (`clock.now = …`)."""
    caches["default"].clear()

    class Clock:
        now = float(T0)

    held = Clock()
    monkeypatch.setattr(rate_limits, "clock", lambda: held.now)
    return held


def prefix_of(token: str) -> str:
    return token.split("_")[1]


def reset_at(caller: str, moment: int = T0) -> int:
    """Seconds left in `caller`'s window at `moment`, as the limits shift windows."""
    return 60 - (moment - zlib.crc32(caller.encode()) % 60) % 60


def test_a_key_is_refused_at_the_first_read_past_its_limit(world):
    set_api_limits(tenant_id=world.tenant.pk, reads_per_minute=3, writes_per_minute=None)
    api = world.client()
    reset = reset_at(f"key:{prefix_of(world.key)}:read")
    for left in (2, 1, 0):
        answer = api.get("/products")
        assert answer.status_code == 200
        assert answer["RateLimit-Policy"] == "3;w=60"
        assert answer["RateLimit"] == f"limit=3, remaining={left}, reset={reset}"
        assert not answer.has_header("Retry-After")

    refused = api.get("/products")

    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert refused["Retry-After"] == str(reset)
    assert refused["RateLimit"] == f"limit=3, remaining=0, reset={reset}"
    assert refused["RateLimit-Policy"] == "3;w=60"


def test_the_window_ends_when_reset_says(world, clock):
    set_api_limits(tenant_id=world.tenant.pk, reads_per_minute=1, writes_per_minute=None)
    api = world.client()
    reset = reset_at(f"key:{prefix_of(world.key)}:read")
    assert api.get("/products").status_code == 200
    assert api.get("/products").status_code == 429

    clock.now = T0 + reset - 1
    still = api.get("/products")
    assert still.status_code == 429
    assert still["Retry-After"] == "1"

    clock.now = T0 + reset
    again = api.get("/products")
    assert again.status_code == 200
    assert again["RateLimit"] == "limit=1, remaining=0, reset=60"


def test_two_keys_count_apart(world):
    set_api_limits(tenant_id=world.tenant.pk, reads_per_minute=1, writes_per_minute=None)
    assert world.client().get("/products").status_code == 200
    assert world.client().get("/products").status_code == 429

    other = world.client(world.read_key).get("/products")

    assert other.status_code == 200
    assert other["RateLimit"].startswith("limit=1, remaining=0, ")


@override_settings(DINGHUO_API_READS_PER_MINUTE=5, DINGHUO_API_WRITES_PER_MINUTE=4)
def test_each_tenant_has_its_own_limit_or_the_default(world, other_world):
    set_api_limits(tenant_id=world.tenant.pk, reads_per_minute=2, writes_per_minute=None)

    assert world.client().get("/products")["RateLimit-Policy"] == "2;w=60"
    assert other_world.client().get("/products")["RateLimit-Policy"] == "5;w=60"
    write = world.client().post("/orders", {}, key="k-1")
    assert write["RateLimit-Policy"] == "4;w=60"  # no limit of its own for writes: the default


def test_reads_and_writes_count_apart_and_a_refused_write_changes_nothing(world):
    set_api_limits(tenant_id=world.tenant.pk, reads_per_minute=1, writes_per_minute=1)
    api = world.client()
    assert api.get("/products").status_code == 200
    assert api.get("/products").status_code == 429
    assert api.place(world.order_body(("A-1", 1)), key="first").status_code == 201
    orders = list(Order.objects.values_list("id", flat=True))

    refused = api.place(world.order_body(("A-1", 1)), key="second")

    assert refused.status_code == 429
    assert list(Order.objects.values_list("id", flat=True)) == orders
    assert refused.json()["code"] == "rate_limited"


@override_settings(DINGHUO_API_ANONYMOUS_PER_MINUTE=2, DINGHUO_TRUSTED_PROXY=False)
def test_without_a_key_the_address_is_counted_and_forged_headers_do_not_help(db):
    client = Client()
    answers = [
        client.get("/api/v1/products", headers={"X-Forwarded-For": f"198.51.100.{n}"})
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [401, 401, 429]
    assert answers[0]["RateLimit-Policy"] == "2;w=60"
    # Made-up keys are no key: counted under the same address.
    forged_key = client.get("/api/v1/products", headers={"Authorization": "Bearer dh_abc_x"})
    assert forged_key.status_code == 429


@override_settings(DINGHUO_API_ANONYMOUS_PER_MINUTE=2, DINGHUO_TRUSTED_PROXY=True)
def test_behind_a_trusted_proxy_only_the_address_it_added_counts(db):
    client = Client()

    def from_client(forged: str, real: str) -> int:
        # The proxy appends the address it saw to what the client sent.
        answer = client.get("/api/v1/products", headers={"X-Forwarded-For": f"{forged}, {real}"})
        return answer.status_code

    assert [from_client(f"10.0.0.{n}", "203.0.113.7") for n in range(3)] == [401, 401, 429]
    assert from_client("10.0.0.9", "203.0.113.8") == 401  # another client, its own count


def test_every_api_answer_carries_the_headers(world):
    api = world.client()
    for answer in (
        api.get("/products"),
        api.get("/products/999999"),
        ApiClient("dh_nope_nope").get("/products"),
        Client().get("/api/v1/openapi.json"),
        api.send("DELETE", "/products"),
    ):
        assert answer.has_header("RateLimit"), answer.status_code
        assert answer.has_header("RateLimit-Policy"), answer.status_code


def test_pages_are_not_counted_by_the_api_limits(world):
    answer = Client().get("/")
    assert not answer.has_header("RateLimit")


def test_a_tenant_limit_must_allow_a_request(world):
    from dinghuo.core.errors import ValidationFailed
    from dinghuo.core.models import TenantApiLimits

    with pytest.raises(ValidationFailed) as refused:
        set_api_limits(tenant_id=world.tenant.pk, reads_per_minute=0, writes_per_minute=5)

    assert [e.code for e in refused.value.errors] == ["limit_not_positive"]
    assert not TenantApiLimits.objects.filter(tenant=world.tenant).exists()


def test_a_new_key_of_a_limited_tenant_gets_the_tenant_limit(world):
    set_api_limits(tenant_id=world.tenant.pk, reads_per_minute=7, writes_per_minute=None)
    token = create_api_key(tenant=world.tenant, name="late", scopes={"read"}).secret

    assert ApiClient(token).get("/products")["RateLimit-Policy"] == "7;w=60"


def test_an_unreachable_cache_lets_requests_through(world, monkeypatch):
    def broken(key, *, timeout):
        raise ConnectionRefusedError("no cache")

    monkeypatch.setattr(rate_limits, "_increment", broken)
    answer = world.client().get("/products")

    assert answer.status_code == 200
    assert answer["RateLimit"].startswith("limit=1000000, remaining=1000000, ")


@override_settings(DINGHUO_API_ANONYMOUS_PER_MINUTE=9)
def test_when_the_key_cannot_be_looked_up_the_address_is_counted(world, monkeypatch):
    from django.db import OperationalError

    from dinghuo.api import auth

    def unreachable(token):
        raise OperationalError("unable to open database file")

    monkeypatch.setattr(auth, "authenticate_api_key", unreachable)
    answer = world.client().get("/products")

    assert answer.status_code == 503
    assert answer.json()["code"] == "database_unavailable"
    assert answer["RateLimit-Policy"] == "9;w=60"


def test_a_tenant_limit_per_address_counts_all_its_keys_together(world):
    set_api_limits(
        tenant_id=world.tenant.pk,
        reads_per_minute=None,
        writes_per_minute=None,
        per_address_per_minute=3,
    )
    second = ApiClient(create_api_key(tenant=world.tenant, name="b", scopes={"read"}).secret)
    first = world.client()
    answers = [first.get("/products"), second.get("/products"), first.get("/products")]
    assert [a.status_code for a in answers] == [200, 200, 200]
    # The address's limit has less left than the key's own (600): the answer tells it.
    assert answers[2]["RateLimit-Policy"] == "3;w=60"
    assert answers[2]["RateLimit"].startswith("limit=3, remaining=0,")

    refused = second.get("/products")

    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert refused["RateLimit-Policy"] == "3;w=60" and refused.has_header("Retry-After")
    # Another address is counted apart, and another tenant's keys are not limited by it.
    elsewhere = Client().get("/api/v1/products", headers=first.headers, REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 200


def test_without_a_limit_per_address_only_the_keys_own_limits_count(world):
    set_api_limits(tenant_id=world.tenant.pk, reads_per_minute=2, writes_per_minute=None)
    answer = world.client().get("/products")
    assert answer["RateLimit-Policy"] == "2;w=60"
    assert answer["RateLimit"].startswith("limit=2, remaining=1,")


@pytest.mark.parametrize(
    ("value", "code"),
    [(0, "limit_not_positive"), (100_001, "limit_too_high")],
)
@pytest.mark.parametrize(
    "field", ["reads_per_minute", "writes_per_minute", "per_address_per_minute"]
)
def test_a_tenant_limit_out_of_bounds_is_refused(world, field, value, code):
    from dinghuo.core.errors import ValidationFailed
    from dinghuo.core.models import TenantApiLimits

    limits = {"reads_per_minute": None, "writes_per_minute": None} | {field: value}
    with pytest.raises(ValidationFailed) as refused:
        set_api_limits(tenant_id=world.tenant.pk, **limits)

    assert [(e.field, e.code) for e in refused.value.errors] == [(field, code)]
    assert not TenantApiLimits.objects.filter(tenant=world.tenant).exists()


def test_the_bounds_themselves_are_accepted(world):
    limits = set_api_limits(
        tenant_id=world.tenant.pk,
        reads_per_minute=1,
        writes_per_minute=100_000,
        per_address_per_minute=100_000,
    )
    assert (limits.reads_per_minute, limits.writes_per_minute) == (1, 100_000)
    assert limits.per_address_per_minute == 100_000
