"""Reads cost the same number of queries however many rows they show (no N+1)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_for(api, path):
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


def grow(world, n):
    api = world.client()
    cid = world.company.pk
    for i in range(n):
        api.post(
            "/companies", {"code": f"G{n}-{i}", "name": "G", "price_list_id": world.price_list.pk}
        )
        api.post(
            f"/companies/{cid}/locations",
            {"kind": "bill_to", "name": "B", "line1": "L", "city": "C", "country": "TW"},
        )
        api.post(f"/companies/{cid}/users", {"email": f"u{n}-{i}@buyer.test", "name": "U"})


def test_company_reads_do_not_grow_with_rows(world):
    api = world.client()
    cid = world.company.pk
    paths = [
        "/companies",
        f"/companies/{cid}",
        f"/companies/{cid}/locations",
        f"/companies/{cid}/users",
    ]
    grow(world, 1)
    few = [queries_for(api, p) for p in paths]
    grow(world, 5)
    many = [queries_for(api, p) for p in paths]

    assert many == few
