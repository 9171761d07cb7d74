"""Customer groups, and companies in groups (集團 parents and customer groups)."""

import json

import pytest

from dinghuo.customers.models import Company, CustomerGroup
from tests.customers.state import customer_state, events_since, last_event_id


def patch(api, path, body):
    return api.send("PATCH", path, json.dumps(body))


def new_group(api, code="dealers", name="Dealers"):
    r = api.post("/customer-groups", {"code": code, "name": name})
    assert r.status_code == 201, r.content
    return r.json()


def new_company(world, code, **extra):
    body = {"code": code, "name": code.title(), "price_list_id": world.price_list.pk, **extra}
    r = world.client().post("/companies", body)
    assert r.status_code == 201, r.content
    return r.json()


# Customer groups


def test_create_read_and_list_groups(world):
    api = world.client()
    mark = last_event_id()

    dealers = new_group(api)
    keys = new_group(api, "key-accounts", "Key accounts")

    group = CustomerGroup.objects.get(tenant=world.tenant, code="dealers")
    assert dealers == {"id": group.pk, "code": "dealers", "name": "Dealers"}
    assert api.get(f"/customer-groups/{group.pk}").json() == dealers
    assert api.get("/customer-groups").json() == {"items": [dealers, keys], "next_cursor": None}
    page = api.get("/customer-groups", limit=1).json()
    assert page == {"items": [dealers], "next_cursor": str(dealers["id"])}
    first, _ = events_since(mark)
    assert (first.type, first.aggregate_type, first.aggregate_id) == (
        "customer_group.created",
        "customer_group",
        group.pk,
    )
    assert first.payload == {"code": "dealers", "name": "Dealers"}


def test_duplicate_group_code_is_a_conflict_and_changes_nothing(world):
    api = world.client()
    new_group(api)
    before = customer_state()

    r = api.post("/customer-groups", {"code": "dealers", "name": "Other"})

    assert r.status_code == 409
    assert r.json()["code"] == "customer_group_code_taken"
    assert customer_state() == before


def test_another_tenant_may_use_the_same_group_code(world, other_world):
    new_group(world.client())

    assert new_group(other_world.client())["code"] == "dealers"


def test_patch_a_group(world):
    api = world.client()
    group = new_group(api)
    new_group(api, "vip", "VIP")
    mark = last_event_id()

    r = patch(api, f"/customer-groups/{group['id']}", {"name": "Dealers (HK)"})

    assert r.status_code == 200, r.content
    assert r.json() == {**group, "name": "Dealers (HK)"}
    [event] = events_since(mark)
    assert event.type == "customer_group.updated"
    assert event.payload == {"code": "dealers", "name": "Dealers (HK)", "changed": ["name"]}

    before = customer_state()
    taken = patch(api, f"/customer-groups/{group['id']}", {"code": "vip"})
    assert (taken.status_code, taken.json()["code"]) == (409, "customer_group_code_taken")
    same = patch(api, f"/customer-groups/{group['id']}", {"name": "Dealers (HK)"})
    assert same.status_code == 200
    assert customer_state() == before


@pytest.mark.parametrize(
    "body",
    [{"code": "has space", "name": "X"}, {"code": "", "name": "X"}, {"code": "x", "name": ""}],
)
def test_malformed_group_is_refused(world, body):
    before = customer_state()

    r = world.client().post("/customer-groups", body)

    assert r.status_code == 422
    assert customer_state() == before


def test_another_tenants_group_is_not_found(world, other_world):
    group = new_group(other_world.client())

    assert world.client().get(f"/customer-groups/{group['id']}").status_code == 404
    r = patch(world.client(), f"/customer-groups/{group['id']}", {"name": "Mine"})
    assert r.status_code == 404


# Companies in groups


def test_create_a_company_in_a_parent_and_groups(world):
    api = world.client()
    dealers = new_group(api)
    vip = new_group(api, "vip", "VIP")
    mark = last_event_id()

    body = new_company(
        world,
        "C-HK",
        parent_id=world.company.pk,
        group_ids=[vip["id"], dealers["id"], vip["id"]],
    )

    assert body["parent_id"] == world.company.pk
    assert body["group_ids"] == [dealers["id"], vip["id"]]
    company = Company.objects.get(pk=body["id"])
    assert company.parent_id == world.company.pk
    assert company.credit_line.terms == "net"
    assert company.credit_line.terms_days == 30
    assert company.credit_line.credit_limit is None
    [event] = events_since(mark)
    assert event.payload["parent"] == "C001"
    assert event.payload["groups"] == ["vip", "dealers"]


def test_unknown_groups_are_each_named_and_nothing_changes(world, other_world):
    theirs = new_group(other_world.client())
    ours = new_group(world.client(), "ours", "Ours")
    before = customer_state()

    r = world.client().post(
        "/companies",
        {
            "code": "C-X",
            "name": "X",
            "price_list_id": world.price_list.pk,
            "group_ids": [ours["id"], theirs["id"], 999_999],
        },
    )

    assert r.status_code == 422
    assert r.json()["code"] == "unknown_customer_group"
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("group_ids[1]", "unknown_customer_group"),
        ("group_ids[2]", "unknown_customer_group"),
    ]
    assert customer_state() == before


def test_unknown_parent_is_refused(world, other_world):
    before = customer_state()

    for parent_id in (999_999, other_world.company.pk):
        body = {"code": "C-X", "name": "X", "price_list_id": world.price_list.pk}
        r = world.client().post("/companies", {**body, "parent_id": parent_id})
        assert r.status_code == 422
        assert r.json()["code"] == "unknown_company"
        assert r.json()["errors"][0]["field"] == "parent_id"
    assert customer_state() == before


def test_an_inactive_company_may_be_a_parent(world):
    world.client().post(f"/companies/{world.company.pk}/deactivate")

    assert new_company(world, "C-Y", parent_id=world.company.pk)["parent_id"] == world.company.pk


def test_a_company_cannot_be_its_own_ancestor(world):
    api = world.client()
    group = world.company.pk
    child = new_company(world, "C-CHILD", parent_id=group)["id"]
    grandchild = new_company(world, "C-GRAND", parent_id=child)["id"]
    before = customer_state()

    for parent_id in (group, child, grandchild):
        r = patch(api, f"/companies/{group}", {"parent_id": parent_id})
        assert r.status_code == 422, parent_id
        assert r.json()["code"] == "parent_cycle"
        assert r.json()["errors"][0]["field"] == "parent_id"
    assert customer_state() == before


def test_patch_parent_and_groups(world):
    api = world.client()
    dealers = new_group(api)
    vip = new_group(api, "vip", "VIP")
    company = new_company(world, "C-Z", group_ids=[dealers["id"]])
    mark = last_event_id()

    r = patch(
        api,
        f"/companies/{company['id']}",
        {"parent_id": world.company.pk, "group_ids": [vip["id"]]},
    )

    assert r.status_code == 200, r.content
    assert (r.json()["parent_id"], r.json()["group_ids"]) == (world.company.pk, [vip["id"]])
    [event] = events_since(mark)
    assert event.payload["changed"] == ["parent", "groups"]
    assert (event.payload["parent"], event.payload["groups"]) == ("C001", ["vip"])

    out = patch(api, f"/companies/{company['id']}", {"parent_id": None, "group_ids": []})
    assert (out.json()["parent_id"], out.json()["group_ids"]) == (None, [])

    mark = last_event_id()
    again = patch(api, f"/companies/{company['id']}", {"parent_id": None, "group_ids": []})
    assert again.status_code == 200
    assert events_since(mark) == []


def test_null_is_refused_where_it_means_nothing(world):
    before = customer_state()

    r = patch(world.client(), f"/companies/{world.company.pk}", {"group_ids": None})

    assert r.status_code == 422
    assert customer_state() == before


def test_list_companies_by_parent_and_group(world):
    api = world.client()
    dealers = new_group(api)
    a = new_company(world, "C-A", parent_id=world.company.pk, group_ids=[dealers["id"]])
    b = new_company(world, "C-B", parent_id=world.company.pk)
    c = new_company(world, "C-C", group_ids=[dealers["id"]])
    new_company(world, "C-D", parent_id=a["id"])

    def codes(**params):
        return [item["code"] for item in api.get("/companies", **params).json()["items"]]

    assert codes(parent_id=world.company.pk) == ["C-A", "C-B"]
    assert codes(group_id=dealers["id"]) == ["C-A", "C-C"]
    assert codes(parent_id=world.company.pk, group_id=dealers["id"]) == ["C-A"]
    members = api.get(f"/companies/{world.company.pk}/members").json()
    assert [m["code"] for m in members["items"]] == ["C-A", "C-B"]
    assert members["items"][1] == {k: v for k, v in b.items() if k not in {"locations", "users"}}
    assert api.get(f"/companies/{c['id']}/members").json() == {"items": [], "next_cursor": None}


def test_members_of_an_unknown_or_foreign_company_are_not_found(world, other_world):
    assert world.client().get("/companies/999999/members").status_code == 404
    r = world.client().get(f"/companies/{other_world.company.pk}/members")
    assert r.status_code == 404
