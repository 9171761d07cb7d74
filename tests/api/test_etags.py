"""Optimistic concurrency on the resources integrators change: a read answers an `ETag`, a
change with `If-Match` is made only while that tag is current (else 412, nothing changed),
and answers the new tag; a change without `If-Match` works as before."""

import json
from typing import Any

import pytest

from dinghuo.customers.models import CustomerGroup
from tests.builders import ApiClient, World, add_buyer

pytestmark = pytest.mark.django_db

POLICY = {
    "auto_confirm": True,
    "credit_action": "hold",
    "overdue_grace_days": 5,
    "approval_expiry_hours": 48,
}

# resource: (path, change method, a first change, a second change)
RESOURCES: dict[str, tuple[str, str, dict[str, Any], dict[str, Any]]] = {
    "product": ("/products/{product}", "PATCH", {"name": {"en": "One"}}, {"name": {"en": "Two"}}),
    "sku": ("/skus/{sku}", "PATCH", {"pack_size": 2}, {"pack_size": 3}),
    "company": ("/companies/{company}", "PATCH", {"name": "One Ltd"}, {"name": "Two Ltd"}),
    "price list": ("/price-lists/{price_list}", "PATCH", {"name": "One"}, {"name": "Two"}),
    "order policy": (
        "/order-policy",
        "PUT",
        POLICY,
        {**POLICY, "overdue_grace_days": 9},
    ),
    "category": ("/categories/{category}", "PATCH", {"name": {"en": "A"}}, {"name": {"en": "B"}}),
    "warehouse": ("/warehouses/{warehouse}", "PATCH", {"name": "One"}, {"name": "Two"}),
    "customer group": ("/customer-groups/{group}", "PATCH", {"name": "One"}, {"name": "Two"}),
    "tax policy": ("/tax-policy", "PUT", {"rounding": "document"}, {"rounding": "line"}),
    "billing policy": ("/billing-policy", "PUT", {"legal_name": "One"}, {"legal_name": "Two"}),
    "return policy": ("/return-policy", "PUT", {"window_days": 10}, {"window_days": 20}),
    "company user": (
        "/companies/{company}/users/{user}",
        "PATCH",
        {"name": "One Person"},
        {"spending_limit": "50.00"},
    ),
    "location": (
        "/companies/{company}/locations/{location}",
        "PATCH",
        {"name": "Dock One"},
        {"city": "Kowloon"},
    ),
}


def _path(world: World, template: str) -> str:
    sku = world.skus["A-1"]
    group = CustomerGroup.objects.get_or_create(
        tenant=world.tenant, code="dealers", defaults={"name": "Dealers"}
    )[0]
    return template.format(
        product=sku.product_id,
        sku=sku.pk,
        company=world.company.pk,
        price_list=world.price_list.pk,
        category=sku.product.category_id,
        warehouse=world.warehouses[0].pk,
        group=group.pk,
        user=_person(world).pk,
        location=world.ship_to.pk,
    )


def _person(world: World) -> Any:
    from dinghuo.customers.models import CompanyUser

    found = CompanyUser.objects.filter(tenant=world.tenant, user__email="ann@buyer.test").first()
    return found or add_buyer(world, "ann@buyer.test")[0]


def _change(api: ApiClient, method: str, path: str, body: dict, **headers: str) -> Any:
    return api.send(method, path, json.dumps(body), **headers)


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_current_tag_changes_and_a_stale_one_is_refused(world: World, resource: str) -> None:
    template, method, first, second = RESOURCES[resource]
    api, path = world.client(), _path(world, template)
    read = api.get(path)
    tag = read["ETag"]
    assert tag.startswith('"') and tag.endswith('"')
    assert api.get(path)["ETag"] == tag  # the same answer, the same tag

    changed = _change(api, method, path, first, **{"If-Match": tag})
    assert changed.status_code == 200, changed.json()
    new_tag = changed["ETag"]
    assert new_tag != tag
    after = api.get(path)
    assert after["ETag"] == new_tag
    assert after.json() == changed.json()

    stale = _change(api, method, path, second, **{"If-Match": tag})
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert stale.json()["code"] == "precondition_failed"
    unchanged = api.get(path)
    assert unchanged.json() == after.json()
    assert unchanged["ETag"] == new_tag


@pytest.mark.parametrize("resource", RESOURCES)
def test_if_match_is_optional(world: World, resource: str) -> None:
    template, method, first, _ = RESOURCES[resource]
    api, path = world.client(), _path(world, template)
    before = api.get(path)["ETag"]
    changed = _change(api, method, path, first)
    assert changed.status_code == 200, changed.json()
    assert changed["ETag"] == api.get(path)["ETag"] != before


def test_any_tag_star_and_lists_of_tags(world: World) -> None:
    api, path = world.client(), _path(world, "/price-lists/{price_list}")
    tag = api.get(path)["ETag"]
    listed = _change(api, "PATCH", path, {"name": "One"}, **{"If-Match": f'"other", {tag}'})
    assert listed.status_code == 200
    star = _change(api, "PATCH", path, {"name": "Two"}, **{"If-Match": "*"})
    assert star.status_code == 200
    # If-Match compares strongly: a weak tag never matches, even of the current answer.
    weak = _change(api, "PATCH", path, {"name": "Three"}, **{"If-Match": f"W/{star['ETag']}"})
    assert weak.status_code == 412
    assert api.get(path).json()["name"] == "Two"


def test_a_change_to_a_sku_changes_its_products_tag(world: World) -> None:
    api, sku = world.client(), world.skus["A-1"]
    product_path = f"/products/{sku.product_id}"
    tag = api.get(product_path)["ETag"]
    assert _change(api, "PATCH", f"/skus/{sku.pk}", {"pack_size": 4}).status_code == 200
    assert api.get(product_path)["ETag"] != tag
    refused = _change(api, "PATCH", product_path, {"name": {"en": "X"}}, **{"If-Match": tag})
    assert refused.status_code == 412


def test_unknown_resource_with_a_tag_is_not_found(world: World) -> None:
    response = _change(
        world.client(), "PATCH", "/skus/999999", {"pack_size": 2}, **{"If-Match": '"x"'}
    )
    assert response.status_code == 404


def test_a_read_with_the_current_etag_in_if_none_match_answers_304_without_a_body(world):
    api = world.client()
    path = f"/companies/{world.company.pk}"
    first = api.get(path)
    tag = first["ETag"]
    for held in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        again = api.client.get(f"/api/v1{path}", headers={**api.headers, "If-None-Match": held})
        assert again.status_code == 304, held
        assert again.content == b"" and again["ETag"] == tag
    stale = api.client.get(f"/api/v1{path}", headers={**api.headers, "If-None-Match": '"old"'})
    assert stale.status_code == 200 and stale.json() == first.json()
    api.send("PATCH", path, '{"name": "Renamed"}')
    changed = api.client.get(f"/api/v1{path}", headers={**api.headers, "If-None-Match": tag})
    assert changed.status_code == 200 and changed["ETag"] != tag


def test_the_document_states_if_none_match_and_304_exactly_where_reads_carry_an_etag():
    from dinghuo.config.api import api

    paths = api.get_openapi_schema()["paths"]
    conditional = {
        path
        for path, ops in paths.items()
        if {304, "304"} & set(ops.get("get", {}).get("responses", {}))
    }
    assert "/api/v1/companies/{company_id}" in conditional
    assert "/api/v1/webhooks/{webhook_id}" in conditional
    assert "/api/v1/orders/{order_id}" not in conditional  # no ETag there
    for path in conditional:
        names = [p["name"] for p in paths[path]["get"]["parameters"]]
        assert "If-None-Match" in names


@pytest.mark.parametrize("path", ["/my/users/{user}", "/my/locations/{location}"])
def test_a_company_admin_changes_their_own_with_if_match(world: World, path: str) -> None:
    _, api = add_buyer(world, "boss@buyer.test", "admin")
    target = path.format(user=_person(world).pk, location=world.ship_to.pk)
    tag = api.get(target)["ETag"]
    changed = _change(api, "PATCH", target, {"name": "Renamed"}, **{"If-Match": tag})
    assert changed.status_code == 200, changed.json()
    assert changed["ETag"] == api.get(target)["ETag"] != tag
    stale = _change(api, "PATCH", target, {"name": "Again"}, **{"If-Match": tag})
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    assert api.get(target).json()["name"] == "Renamed"
    # The staff route answers the same tag for the same answer.
    staff_path = target.replace("/my/", f"/companies/{world.company.pk}/")
    assert world.client().get(staff_path)["ETag"] == changed["ETag"]


def test_a_buyer_reads_a_location_but_only_an_admin_reads_a_user(world: World) -> None:
    _, api = add_buyer(world, "bob@buyer.test")
    assert api.get(f"/my/locations/{world.ship_to.pk}").status_code == 200
    refused = api.get(f"/my/users/{_person(world).pk}")
    assert refused.status_code == 403 and refused.json()["code"] == "company_admin_required"
