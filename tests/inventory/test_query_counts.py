"""Reads cost the same number of queries however many rows they show (no N+1)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_for(api, path):
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


def test_stock_reads_do_not_grow_with_rows(world):
    api = world.client()
    a1 = world.skus["A-1"].pk
    paths = ["/warehouses", "/stock", "/stock/movements", f"/skus/{a1}/stock"]
    few = [queries_for(api, p) for p in paths]
    for n in range(4):
        api.post("/warehouses", {"code": f"w{n}", "name": "W"})
        for sku in world.skus.values():
            api.post("/stock/receipts", {"warehouse": f"w{n}", "sku_id": sku.pk, "quantity": 1})

    many = [queries_for(api, p) for p in paths]

    assert len(api.get("/stock").json()["items"]) == 3 + 16
    assert many == few
