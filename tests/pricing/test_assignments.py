"""Offering price lists to companies and customer groups, with a priority."""

from dinghuo.customers.models import Company
from dinghuo.pricing.models import PriceListAssignment
from tests.catalog.support import events_of, patch, problem
from tests.pricing.support import group, price_list, pricing_state


def _assign(world, price_list_id, body, key=None):
    return world.client().post(f"/price-lists/{price_list_id}/assignments", body, key=key)


def _price_of_a1(world, quantity=1):
    r = world.client().get(
        f"/companies/{world.company.pk}/price-explanation", sku="A-1", quantity=quantity
    )
    assert r.status_code == 200, r.content
    return r.json()["unit_price"], r.json()["reference"]


def test_a_group_list_and_a_company_list_price_before_the_base_list(world):
    dealers = group(world, "dealers", world.company)
    dealer = price_list(world, "dealer", {"A-1": [(1, "9.50")]})
    own = price_list(world, "own", {"A-1": [(1, "9.25")]})

    r = _assign(world, dealer.pk, {"customer_group_id": dealers.pk, "priority": 5}, key="a1")

    assert r.status_code == 201, r.content
    assert r.json() == {
        "id": r.json()["id"],
        "price_list_id": dealer.pk,
        "price_list": "dealer",
        "company_id": None,
        "company": None,
        "customer_group_id": dealers.pk,
        "customer_group": "dealers",
        "priority": 5,
    }
    assert _price_of_a1(world) == ("9.50", "dealer")

    r = _assign(world, own.pk, {"company_id": world.company.pk, "priority": 5})
    assert r.status_code == 201, r.content
    # equal priority: the company's own list before the group's
    assert _price_of_a1(world) == ("9.25", "own")

    group_assignment = PriceListAssignment.objects.get(price_list=dealer).pk
    r = patch(
        world.client(), f"/price-lists/{dealer.pk}/assignments/{group_assignment}", {"priority": 6}
    )
    assert (r.status_code, r.json()["priority"]) == (200, 6)
    assert _price_of_a1(world) == ("9.50", "dealer")
    assert [e.type for e in events_of("price_list.assigned")] == ["price_list.assigned"] * 2
    [changed] = events_of("price_list.assignment_changed")
    assert changed.payload["priority"] == 6


def test_list_and_remove_assignments(world):
    dealers = group(world, "dealers", world.company)
    dealer = price_list(world, "dealer", {"A-1": [(1, "9.50")]})
    first = _assign(world, dealer.pk, {"customer_group_id": dealers.pk}).json()
    second = _assign(world, dealer.pk, {"company_id": world.company.pk, "priority": -1}).json()
    api = world.client()

    page = api.get(f"/price-lists/{dealer.pk}/assignments", limit=1).json()
    rest = api.get(f"/price-lists/{dealer.pk}/assignments", after=page["next_cursor"]).json()

    assert [i["id"] for i in page["items"] + rest["items"]] == [first["id"], second["id"]]
    r = api.send("DELETE", f"/price-lists/{dealer.pk}/assignments/{first['id']}")
    assert r.status_code == 204
    assert list(PriceListAssignment.objects.values_list("pk", flat=True)) == [second["id"]]
    [removed] = events_of("price_list.unassigned")
    assert removed.payload["customer_group_id"] == dealers.pk
    again = api.send("DELETE", f"/price-lists/{dealer.pk}/assignments/{first['id']}")
    assert problem(again)[:2] == (404, "not_found")


def test_the_same_idempotency_key_assigns_once(world):
    dealer = price_list(world, "dealer", {})
    body = {"company_id": world.company.pk, "priority": 1}

    first = _assign(world, dealer.pk, body, key="same")
    again = _assign(world, dealer.pk, body, key="same")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert PriceListAssignment.objects.count() == 1


def test_refusals_change_nothing(world, other_world):
    dealers = group(world, "dealers")
    dealer = price_list(world, "dealer", {})
    euro = price_list(world, "euro", {}, currency="EUR")
    _assign(world, dealer.pk, {"company_id": world.company.pk})
    before = pricing_state()

    cases = [
        (dealer.pk, {}, (422, "validation_failed", [("company_id", "company_or_group")])),
        (
            dealer.pk,
            {"company_id": world.company.pk, "customer_group_id": dealers.pk},
            (422, "validation_failed", [("company_id", "company_or_group")]),
        ),
        (
            dealer.pk,
            {"company_id": other_world.company.pk},
            (422, "validation_failed", [("company_id", "unknown_company")]),
        ),
        (
            dealer.pk,
            {"customer_group_id": 10**6},
            (422, "validation_failed", [("customer_group_id", "unknown_customer_group")]),
        ),
        (
            euro.pk,
            {"company_id": world.company.pk},
            (422, "validation_failed", [("company_id", "currency_mismatch")]),
        ),
        (
            dealer.pk,
            {"company_id": world.company.pk},
            (409, "already_assigned", [("company_id", "already_assigned")]),
        ),
        (other_world.price_list.pk, {"company_id": world.company.pk}, (404, "not_found", [])),
        (10**9, {"company_id": world.company.pk}, (404, "not_found", [])),
    ]
    for list_id, body, expected in cases:
        assert problem(_assign(world, list_id, body)) == expected, body
    r = _assign(world, dealer.pk, {"company_id": world.company.pk, "priority": 10**7})
    assert problem(r)[:2] == (422, "invalid_request")
    assert pricing_state() == before


def test_another_tenants_assignments_are_not_found(world, other_world):
    dealer = price_list(world, "dealer", {})
    mine = _assign(world, dealer.pk, {"company_id": world.company.pk}).json()
    theirs = other_world.client()

    assert problem(theirs.get(f"/price-lists/{dealer.pk}/assignments"))[:2] == (404, "not_found")
    r = patch(theirs, f"/price-lists/{dealer.pk}/assignments/{mine['id']}", {"priority": 3})
    assert problem(r)[:2] == (404, "not_found")
    r = theirs.send("DELETE", f"/price-lists/{dealer.pk}/assignments/{mine['id']}")
    assert problem(r)[:2] == (404, "not_found")
    assert PriceListAssignment.objects.get().priority == 0


def test_a_list_assigned_to_a_company_of_another_currency_is_refused_but_a_group_may_mix(world):
    euro = price_list(world, "euro", {"A-1": [(1, "1.00")]}, currency="EUR")
    dealers = group(world, "dealers", world.company)
    eu = Company.objects.create(tenant=world.tenant, code="EU1", name="EU", price_list=euro)
    dealers.companies.add(eu)

    r = _assign(world, euro.pk, {"customer_group_id": dealers.pk, "priority": 9})

    assert r.status_code == 201
    # the rule skips a list in another currency for the USD company
    assert _price_of_a1(world) == ("10.00", "std")
