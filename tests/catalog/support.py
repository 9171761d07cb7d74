"""Helpers shared by the catalogue and pricing tests."""

import json
from typing import Any

from dinghuo.catalog.models import Category, Product, Sku
from dinghuo.integrations.models import Event
from dinghuo.pricing.models import PriceList, PriceTier


def patch(api: Any, path: str, body: Any, **headers: str) -> Any:
    return api.send("PATCH", path, json.dumps(body), **headers)


def put(api: Any, path: str, body: Any) -> Any:
    return api.send("PUT", path, json.dumps(body))


def catalogue_state() -> dict[str, Any]:
    """Every catalogue and pricing row, and the events: equal before and after means unchanged."""
    return {
        "categories": list(Category.objects.order_by("id").values()),
        "products": list(Product.objects.order_by("id").values()),
        "skus": list(Sku.objects.order_by("id").values()),
        "price_lists": list(PriceList.objects.order_by("id").values()),
        "tiers": list(PriceTier.objects.order_by("id").values()),
        "events": list(Event.objects.order_by("id").values_list("id", flat=True)),
    }


def events_of(type: str) -> list[Event]:
    return list(Event.objects.filter(type=type).order_by("id"))


def problem(response: Any) -> tuple[int, str, list[tuple[str, str]]]:
    """Status, problem code and (field, code) of each field error."""
    body = response.json()
    assert response["Content-Type"] == "application/problem+json", body
    return (
        response.status_code,
        body["code"],
        [(e["field"], e["code"]) for e in body.get("errors", [])],
    )
