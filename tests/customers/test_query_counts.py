"""Reads cost the same number of queries however many rows they show (no N+1)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.customers.models import CompanyUser
from tests.customers.buyers import buyer_client


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


def grow_groups_and_members(world, n):
    api = world.client()
    cid = world.company.pk
    for i in range(n):
        group = api.post("/customer-groups", {"code": f"g{n}-{i}", "name": "G"}).json()
        api.post(
            "/companies",
            {
                "code": f"M{n}-{i}",
                "name": "M",
                "price_list_id": world.price_list.pk,
                "parent_id": cid,
                "group_ids": [group["id"]],
            },
        )
        user = api.post(f"/companies/{cid}/users", {"email": f"k{n}-{i}@b.test", "name": "K"})
        api.post(
            f"/companies/{cid}/users/{user.json()['id']}/api-keys",
            {"name": "k", "scopes": ["read"]},
        )


def test_group_member_and_key_reads_do_not_grow_with_rows(world):
    api = world.client()
    cid = world.company.pk
    _, admin = buyer_client(world.company, "admin@b.test", "admin")
    grow_groups_and_members(world, 1)
    user_id = CompanyUser.objects.filter(company_id=cid).order_by("-id").first().pk
    staff_paths = [
        "/customer-groups",
        "/companies",
        f"/companies/{cid}",
        f"/companies/{cid}/members",
        f"/companies/{cid}/users/{user_id}/api-keys",
        f"/companies/{cid}/credit",
    ]
    buyer_paths = ["/my/company", "/my/users", "/my/locations"]
    few = [queries_for(api, p) for p in staff_paths] + [queries_for(admin, p) for p in buyer_paths]
    grow_groups_and_members(world, 6)
    for i in range(5):
        api.post(
            f"/companies/{cid}/users/{user_id}/api-keys", {"name": f"more{i}", "scopes": ["read"]}
        )
    many = [queries_for(api, p) for p in staff_paths] + [queries_for(admin, p) for p in buyer_paths]

    assert many == few
