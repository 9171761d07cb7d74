"""Walk every route of the OpenAPI document with another tenant's key: nothing of tenant A
is visible or changeable; every object of A is "not found" (404), reads and writes alike."""

from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User

from dinghuo.api.root import api
from dinghuo.core.models import TenantScoped
from dinghuo.core.services import create_api_key, create_tenant
from dinghuo.customers.models import CompanyUser
from dinghuo.integrations import events
from tests.builders import ApiClient, World

# A request each operation would accept from the owner, written with the owner's ids.
# A new route must be added here: the test fails for any operation it does not know.
SAMPLES: dict[str, dict[str, Any]] = {
    "GET /categories": {},
    "POST /categories": {
        "body": {"code": "new-cat", "name": {"en": "New"}, "parent_id": "{category_id}"}
    },
    "GET /categories/{category_id}": {},
    "PATCH /categories/{category_id}": {"body": {"name": {"en": "Renamed"}}},
    "GET /products": {"query": {"category_id": "{category_id}"}},
    "POST /products": {
        "body": {"code": "P-NEW", "name": {"en": "New"}, "category_id": "{category_id}"}
    },
    "GET /products/{product_id}": {},
    "PATCH /products/{product_id}": {"body": {"name": {"en": "Renamed"}}},
    "POST /products/{product_id}/deactivate": {},
    "POST /products/{product_id}/activate": {},
    "GET /skus": {"query": {"product_id": "{product_id}"}},
    "POST /skus": {"body": {"product_id": "{product_id}", "code": "S-NEW"}},
    "GET /skus/{sku_id}": {},
    "PATCH /skus/{sku_id}": {"body": {"pack_size": 2}},
    "POST /skus/{sku_id}/deactivate": {},
    "POST /skus/{sku_id}/activate": {},
    "POST /catalog/bulk": {"body": {"items": [{"code": "P-A-1", "name": {"en": "Mine now"}}]}},
    "GET /catalog": {"query": {"company_id": "{company_id}"}},
    "GET /warehouses": {},
    "POST /warehouses": {"body": {"code": "new-wh", "name": "New"}},
    "GET /warehouses/{warehouse_id}": {},
    "PATCH /warehouses/{warehouse_id}": {"body": {"name": "Renamed"}},
    "GET /stock": {"query": {"sku_id": "{sku_id}"}},
    "GET /skus/{sku_id}/stock": {},
    "POST /stock/receipts": {
        "body": {"warehouse": "main", "sku_id": "{sku_id}", "quantity": 5, "reason": "x"}
    },
    "POST /stock/adjustments": {
        "body": {"warehouse": "main", "sku_id": "{sku_id}", "delta": -1, "reason": "x"}
    },
    "GET /stock/movements": {"query": {"sku_id": "{sku_id}"}},
    "GET /price-lists": {},
    "POST /price-lists": {"body": {"code": "new-pl", "name": "New", "currency": "USD"}},
    "GET /price-lists/{price_list_id}": {},
    "PATCH /price-lists/{price_list_id}": {"body": {"name": "Renamed"}},
    "GET /price-lists/{price_list_id}/prices": {},
    "PUT /price-lists/{price_list_id}/prices": {
        "body": {"entries": [{"sku": "A-1", "tiers": [{"min_quantity": 1, "unit_price": "0.01"}]}]}
    },
    "GET /companies": {},
    "POST /companies": {
        "body": {"code": "C-NEW", "name": "New", "price_list_id": "{price_list_id}"}
    },
    "GET /companies/{company_id}": {},
    "PATCH /companies/{company_id}": {"body": {"name": "Renamed"}},
    "POST /companies/{company_id}/deactivate": {},
    "POST /companies/{company_id}/activate": {},
    "GET /companies/{company_id}/locations": {},
    "POST /companies/{company_id}/locations": {
        "body": {
            "kind": "ship_to",
            "name": "Dock 9",
            "line1": "9 Pier",
            "city": "Kowloon",
            "country": "HK",
        }
    },
    "PATCH /companies/{company_id}/locations/{location_id}": {"body": {"name": "Renamed"}},
    "GET /companies/{company_id}/users": {},
    "POST /companies/{company_id}/users": {"body": {"email": "new@buyer.example", "name": "New"}},
    "PATCH /companies/{company_id}/users/{user_id}": {"body": {"role": "approver"}},
    "POST /orders": {
        "body": {
            "company_id": "{company_id}",
            "ship_to_id": "{location_id}",
            "lines": [{"sku": "A-1", "quantity": 1}],
        }
    },
    "GET /orders": {"query": {"company_id": "{company_id}"}},
    "GET /orders/{order_id}": {},
    "POST /orders/{order_id}/confirm": {},
    "POST /orders/{order_id}/shipments": {"body": {"carrier": "DHL", "tracking_number": "X1"}},
    "POST /orders/{order_id}/deliver": {},
    "POST /orders/{order_id}/cancel": {},
    "GET /orders/{order_id}/timeline": {},
    "GET /events": {},
}


def fill(value: Any, ids: dict[str, int]) -> Any:
    """Replace "{name}" placeholders with the owner's ids."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def operations() -> list[tuple[str, str]]:
    prefix = "/api/v1"
    paths = api.get_openapi_schema()["paths"]
    return [(method.upper(), path[len(prefix) :]) for path, ops in paths.items() for method in ops]


def call(
    client: ApiClient, method: str, path: str, sample: dict[str, Any], ids: dict[str, int], key: str
) -> Any:
    import json

    url = path.format(**ids)
    if method == "GET":
        return client.get(url, **fill(sample.get("query", {}), ids))
    body = fill(sample.get("body"), ids)
    return client.send(
        method, url, json.dumps(body) if body is not None else None, HTTP_IDEMPOTENCY_KEY=key
    )


def tenant_rows(tenant_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of every tenant-scoped table of this tenant."""
    rows = {}
    for model in apps.get_models():
        if issubclass(model, TenantScoped):
            rows[model.__name__] = list(
                model.objects.filter(tenant_id=tenant_id).order_by("pk").values()
            )
    return rows


@pytest.fixture
def owner_ids(world: World) -> dict[str, int]:
    api_ = world.client()
    order = api_.place(world.order_body(("A-1", 2)), key="iso").json()
    user = api_.post(
        f"/companies/{world.company.pk}/users", {"email": "amy@buyer.example", "name": "Amy"}
    )
    assert user.status_code == 201, user.json()
    return {
        "order_id": order["id"],
        "company_id": world.company.pk,
        "location_id": world.ship_to.pk,
        "user_id": CompanyUser.objects.get(user__username="amy@buyer.example").pk,
        "warehouse_id": world.warehouses[0].pk,
        "price_list_id": world.price_list.pk,
        "product_id": world.skus["A-1"].product_id,
        "category_id": world.skus["A-1"].product.category_id,
        "sku_id": world.skus["A-1"].pk,
    }


def test_the_walk_knows_every_operation():
    unknown = [f"{m} {p}" for m, p in operations() if f"{m} {p}" not in SAMPLES]
    assert not unknown, f"add these operations to SAMPLES: {unknown}"
    stale = set(SAMPLES) - {f"{m} {p}" for m, p in operations()}
    assert not stale, f"these operations no longer exist: {stale}"


def test_another_tenant_sees_and_changes_nothing(world, owner_ids):
    intruder_tenant = create_tenant(slug="intruder", name="Intruder")
    intruder = ApiClient(
        create_api_key(tenant=intruder_tenant, name="x", scopes={"read", "write"}).secret
    )
    users_before = User.objects.count()
    events.sequence_pending()  # reading the feed numbers pending events: bookkeeping, not a change
    before = tenant_rows(world.tenant.pk)

    # Reads first, while the intruder owns nothing: every list it sees must be empty.
    walk = sorted(operations(), key=lambda op: op[0] != "GET")
    for n, (method, path) in enumerate(walk):
        sample = SAMPLES[f"{method} {path}"]
        r = call(intruder, method, path, sample, owner_ids, key=f"intruder-{n}")
        where = f"{method} {path}: {r.status_code} {r.content[:200]!r}"
        if "{" in path:
            assert r.status_code == 404, where
            assert r.json()["code"] in {"not_found", "unknown_company"}, where
        elif method == "GET":
            assert r.status_code in (200, 404), where
            if r.status_code == 200:
                assert r.json()["items"] == [], where
        else:
            # Creates naming the owner's objects: refused, or made inside the intruder's own tenant.
            assert r.status_code in (200, 201, 404, 422), where

    assert tenant_rows(world.tenant.pk) == before
    assert User.objects.count() == users_before


def test_the_owner_reaches_every_object_the_intruder_could_not(world, owner_ids):
    """The control: the same requests with the owner's key do find the objects."""
    owner = world.client()
    for n, (method, path) in enumerate(operations()):
        if "{" not in path:
            continue
        r = call(owner, method, path, SAMPLES[f"{method} {path}"], owner_ids, key=f"owner-{n}")
        assert r.status_code != 404, f"{method} {path}: {r.status_code} {r.content[:300]!r}"
        assert r.status_code < 500, f"{method} {path}: {r.status_code}"
