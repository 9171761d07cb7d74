"""Simultaneous contract prices for one company and SKU on PostgreSQL: only one of those
whose periods overlap can be saved, and no request fails with a 500."""

from collections import Counter

import pytest
from django.db import connection

from dinghuo.pricing.models import ContractPrice
from tests.builders import ApiClient, build_world
from tests.concurrency.test_orders_under_contention import run_together

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _needs_postgres(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only test: run with DATABASE_URL=postgres://… (make test does)")


def test_eight_overlapping_contracts_at_once_save_exactly_one():
    world = build_world("contract-race")
    path = f"/companies/{world.company.pk}/contract-prices"

    def create(i: int) -> int:
        body = {
            "sku_id": world.skus["A-1"].pk,
            "valid_from": f"2025-0{1 + i % 3}-01",
            "valid_until": None,
            "reference": f"K-{i}",
            "tiers": [{"min_quantity": 1, "unit_price": f"{5 + i}.00"}],
        }
        return ApiClient(world.key).post(path, body).status_code

    statuses = Counter(run_together(8, create))

    assert statuses == Counter({201: 1, 409: 7})
    assert ContractPrice.objects.filter(company=world.company).count() == 1
