"""Helpers of the stock count tests."""

import json
from typing import Any

from dinghuo.core.services import create_api_key
from dinghuo.inventory.models import StockLevel
from tests.builders import ApiClient, World


def on_hand(world: World, sku: str, warehouse: str = "main") -> int:
    level = StockLevel.objects.filter(sku=world.skus[sku], warehouse__code=warehouse).first()
    return level.on_hand if level else 0


def role_client(world: World, role: str) -> ApiClient:
    key = create_api_key(tenant=world.tenant, name=role, scopes={"read", "write"}, role=role)
    return ApiClient(key.secret)


def start(api: ApiClient, **body: Any) -> dict[str, Any]:
    response = api.post("/stock-counts", {"warehouse": "main", **body}, key=f"c-{body}")
    assert response.status_code == 201, response.json()
    return response.json()


def put(api: ApiClient, count_id: int, sku: str, counted: Any) -> Any:
    body = json.dumps({"counted": counted})
    return api.send("PUT", f"/stock-counts/{count_id}/lines/{sku}", body)


def lines(api: ApiClient, count_id: int, **params: Any) -> dict[str, dict[str, Any]]:
    response = api.get(f"/stock-counts/{count_id}/lines", **params)
    assert response.status_code == 200, response.json()
    return {line["sku"]: line for line in response.json()["items"]}
